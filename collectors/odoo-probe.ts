import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * Probes one tenant through the ingress: `GET <url><path>` with the tenant's Host header, as a
 * user's browser would reach it. A redirect is a result, never followed (it could point at
 * another host). Only the status decides; the body is read for the expected marker.
 */
export const name = 'odoo-probe';

export type ProbeFailure = 'timeout' | 'refused' | 'tls' | 'status' | 'unexpected-body' | 'network';

export interface ProbeRecord {
  type: 'probe';
  host: string;
  /** When the probe started, ms since the epoch. */
  ts: number;
  ok: boolean;
  durationSeconds: number;
  status: number | null;
  reason: ProbeFailure | null;
}

export interface ProbeInput {
  url: string;
  path: string;
  host: string;
  timeoutSeconds: number;
  /** Clock reading for the record's timestamp and the duration. */
  now: () => number;
}

const MAX_BODY = 256 * 1024;

export function collect(input: ProbeInput): Promise<ProbeRecord> {
  const started = input.now();
  const target = new URL(input.path, input.url);
  const send = target.protocol === 'https:' ? httpsRequest : request;
  return new Promise<ProbeRecord>((resolve) => {
    let settled = false;
    const finish = (ok: boolean, status: number | null, reason: ProbeFailure | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ type: 'probe', host: input.host, ts: started, ok, status, reason, durationSeconds: (input.now() - started) / 1000 });
    };
    const req = send(target, { method: 'GET', headers: { Host: input.host, 'User-Agent': 'tenantscope-probe', Accept: 'text/html,application/json' }, servername: input.host }, (res) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        res.resume();
        finish(false, status, 'status');
        return;
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < MAX_BODY) body += chunk;
      });
      res.on('end', () => finish(looksLikeOdoo(target.pathname, body), status, looksLikeOdoo(target.pathname, body) ? null : 'unexpected-body'));
      res.on('error', () => finish(false, status, 'network'));
    });
    const timer = setTimeout(() => finish(false, null, 'timeout'), input.timeoutSeconds * 1000);
    req.on('error', (err: NodeJS.ErrnoException) => finish(false, null, classify(err)));
    req.end();
  });
}

/** `/web/health` answers `{"status": "pass"}`; a login page carries Odoo's login form. */
function looksLikeOdoo(path: string, body: string): boolean {
  if (path === '/web/health') return /"status"\s*:\s*"pass"/.test(body);
  if (path.startsWith('/web/login')) return /name="login"|oe_login_form|o_login/.test(body);
  return true;
}

function classify(err: NodeJS.ErrnoException): ProbeFailure {
  if (err.code === 'ECONNREFUSED') return 'refused';
  if (err.code?.startsWith('ERR_TLS') || err.code?.includes('CERT') || /SSL|TLS/.test(err.message)) return 'tls';
  if (err.code === 'ETIMEDOUT') return 'timeout';
  return 'network';
}
