import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { PAGE_CSS } from '../sla/render/page-style';

/**
 * The report page is one document with its stylesheet inline and no script: the policy allows
 * that stylesheet by its hash and nothing else (no script, no frame, no form, no outside asset), so
 * a tenant name that slipped past escaping still could not run. Report pages are customers'
 * figures: no cache keeps them, no other site frames them, no link carries their address away.
 */
const PAGE_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(PAGE_CSS, 'utf8').digest('base64')}'`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The service manager's pages (/ui/) are as strict, with what a signed-in page needs besides: its
 * one stylesheet, served from /ui/style.css ('self', nothing inline), and forms that post to this
 * origin only. Still no script at all.
 */
const PAGES_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every answer, and the content security policy on HTML ones. */
export function securityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'no-referrer');
    void reply.header('x-frame-options', 'DENY');
    void reply.header('cache-control', 'no-store');
    const type = String(reply.getHeader('content-type') ?? '');
    const html = type.startsWith('text/html');
    const policy = html ? (isPage(request.url) ? PAGES_POLICY : PAGE_POLICY) : "default-src 'none'; frame-ancestors 'none'";
    void reply.header('content-security-policy', policy);
    return payload;
  });
}

/** Whether a request (or a route) is one of the pages under /ui. */
export function isPage(url: string): boolean {
  return url === '/ui' || url.startsWith('/ui/') || url.startsWith('/ui?');
}
