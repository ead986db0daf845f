/**
 * What part of Odoo a request used, from the werkzeug request line's path (issue #14): the
 * question behind "why is it slow for us?" is whether it is a report, an integration, a model's
 * method, the website, or the long-polling bus. Where the path names no model (RPC to
 * `/web/dataset/call_kw` without the model in the URL, as before Odoo 13; XML-RPC's
 * `execute_kw`), the class says so and `model` stays null: the model is in the body, which the
 * log never shows.
 */
export const REQUEST_CLASSES = ['call_kw', 'json2', 'report', 'rpc', 'login', 'bus', 'static', 'website', 'other'] as const;
export type RequestClass = (typeof REQUEST_CLASSES)[number];

export interface RequestKind {
  class: RequestClass;
  /** `sale.order` for `/web/dataset/call_kw/sale.order/read`; null where the path names none. */
  model: string | null;
  method: string | null;
  /** The report's technical name, `account.report_invoice`, for `/report/pdf/<report>/<ids>`. */
  report: string | null;
}

const MODEL = /^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+$|^[a-z][a-z0-9_]*$/;
const METHOD = /^[A-Za-z_][A-Za-z0-9_]*$/;

const none = (cls: RequestClass): RequestKind => ({ class: cls, model: null, method: null, report: null });

/** The class of a request path (query string allowed, ignored). */
export function classifyPath(rawPath: string): RequestKind {
  const q = rawPath.indexOf('?');
  const path = q < 0 ? rawPath : rawPath.slice(0, q);
  const parts = path.split('/');
  // parts[0] is '' before the leading slash
  const [, first, second, third, fourth] = parts;
  if (first === 'web' && second === 'dataset' && (third === 'call_kw' || third === 'call_button' || third === 'call')) {
    return modelMethod('call_kw', fourth, parts[5]);
  }
  if (first === 'json' && second === '2') return modelMethod('json2', third, fourth);
  if (first === 'report' && (second === 'pdf' || second === 'html' || second === 'text' || second === 'download')) {
    const report = third !== undefined && third !== '' ? decodeSafe(third) : null;
    return { class: 'report', model: null, method: second ?? null, report };
  }
  if (first === 'xmlrpc' || first === 'jsonrpc') return none('rpc');
  if (first === 'web' && second === 'login') return none('login');
  if (first === 'longpolling' || first === 'websocket' || (first === 'bus' && second !== undefined)) return none('bus');
  if (
    first === 'web' &&
    (second === 'assets' || second === 'static' || second === 'image' || second === 'content' || second === 'webclient')
  )
    return none('static');
  if (parts.length > 3 && parts[2] === 'static') return none('static'); // /<module>/static/...
  if (first === 'web' || first === 'odoo' || first === 'mail' || first === 'longpolling') return none('other');
  if (first === 'favicon.ico' || first === 'robots.txt') return none('static');
  // anything else a browser asks for at the root: the website and portal (/shop, /my, /blog, /)
  return none('website');
}

function modelMethod(cls: 'call_kw' | 'json2', model: string | undefined, method: string | undefined): RequestKind {
  const m = model !== undefined && MODEL.test(model) ? model : null;
  return { class: cls, model: m, method: m !== null && method !== undefined && METHOD.test(method) ? method : null, report: null };
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
