import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../services/core/clock';
import type { Endpoint } from './listeners';
import type { TrafficModel } from './model';
import type { TenantModel } from './profiles';

/**
 * The ingress as a probe sees it: Traefik routing by Host to the tenant's Odoo. A healthy tenant
 * answers after the model's latency, with Odoo's login page or health JSON; a tenant in outage
 * gets Traefik's bare `502 Bad Gateway`; an unknown Host gets Traefik's `404 page not found`.
 * Nothing redirects, so a probe measures exactly one hop.
 */

export interface IngressHit {
  readonly tenant: TenantModel;
  readonly ms: number;
  readonly method: string;
  readonly path: string;
  readonly code: number;
  readonly seconds: number;
  readonly addr: string;
  readonly responseBytes: number;
  /** Routes Odoo serves without a database (`/web/health`) log dbname `?`. */
  readonly withoutDatabase: boolean;
}

export interface IngressContext {
  readonly model: TrafficModel;
  readonly clock: Clock;
  readonly tenantsByHost: ReadonlyMap<string, TenantModel>;
  /** A request that reached a tenant's router, counted by Traefik and (unless a 502) logged by Odoo. */
  onHit(hit: IngressHit): void;
  /** A request no router matched: Traefik counts it on the entrypoint only. */
  onUnmatched(endpoint: Endpoint, method: string, ms: number): void;
  readonly timers: Set<NodeJS.Timeout>;
}

const TEXT = 'text/plain; charset=utf-8';

export function handleIngress(ctx: IngressContext, endpoint: Endpoint, req: IncomingMessage, res: ServerResponse): void {
  req.resume(); // a POST body is not needed, only drained
  const receivedMs = ctx.clock.now();
  const host = hostOf(req.headers.host);
  const tenant = ctx.tenantsByHost.get(host);
  const method = req.method ?? 'GET';
  const path = req.url ?? '/';
  if (!tenant || !endpoint.ingressClusters.includes(tenant.tenant.cluster)) {
    ctx.onUnmatched(endpoint, method, receivedMs);
    send(res, 404, TEXT, '404 page not found\n', { 'X-Content-Type-Options': 'nosniff' });
    return;
  }
  const outcome = ctx.model.probeAt(tenant, receivedMs);
  const answer = outcome.ok ? odooAnswer(path) : { code: 502, type: TEXT, body: 'Bad Gateway', headers: {} };
  const timer = setTimeout(() => {
    ctx.timers.delete(timer);
    const ms = ctx.clock.now();
    send(res, answer.code, answer.type, answer.body, answer.headers);
    const addr = (req.headers['x-forwarded-for'] as string | undefined)?.split(',')[0]?.trim() || req.socket.remoteAddress || '127.0.0.1';
    ctx.onHit({
      tenant,
      ms,
      method,
      path,
      code: answer.code,
      seconds: Math.max(0, ms - receivedMs) / 1000,
      addr: addr.replace(/^::ffff:/, ''),
      responseBytes: Buffer.byteLength(answer.body),
      withoutDatabase: pathOnly(path) === '/web/health',
    });
  }, Math.round(outcome.latencyMs));
  ctx.timers.add(timer);
}

function hostOf(header: string | undefined): string {
  return (header ?? '').trim().toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
}

function pathOnly(url: string): string {
  return url.split('?')[0] ?? url;
}

function send(res: ServerResponse, code: number, type: string, body: string, headers: Record<string, string>): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

interface Answer {
  code: number;
  type: string;
  body: string;
  headers: Record<string, string>;
}

/** What Odoo 17 answers on the routes a probe uses. */
function odooAnswer(url: string): Answer {
  const path = pathOnly(url);
  if (path === '/web/health') {
    return { code: 200, type: 'application/json', body: '{"status": "pass"}', headers: { 'Cache-Control': 'no-store' } };
  }
  if (path === '/web/webclient/version_info') {
    const body =
      '{"jsonrpc": "2.0", "id": null, "result": {"server_version": "17.0", "server_version_info": [17, 0, 0, "final", 0, ""], "server_serie": "17.0", "protocol_version": 1}}';
    return { code: 200, type: 'application/json', body, headers: {} };
  }
  if (path === '/web/login' || path === '/web' || path === '/') {
    return {
      code: 200,
      type: 'text/html; charset=utf-8',
      body: LOGIN_PAGE,
      headers: { 'X-Frame-Options': 'SAMEORIGIN', Vary: 'Accept-Encoding' },
    };
  }
  return { code: 404, type: 'text/html; charset=utf-8', body: NOT_FOUND_PAGE, headers: {} };
}

const LOGIN_PAGE = `<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="utf-8"/>
<meta http-equiv="X-UA-Compatible" content="IE=edge"/>
<title>Odoo</title>
<link type="image/x-icon" rel="shortcut icon" href="/web/static/img/favicon.ico"/>
<script id="web.layout.odooscript" type="text/javascript">var odoo = {csrf_token: "", debug: "", __session_info__: {}};</script>
</head>
<body class="bg-100">
<div class="container py-5">
<div class="card border-0 mx-auto bg-100 o_database_list" style="max-width: 300px;">
<form class="oe_login_form" role="form" method="post" action="/web/login">
<div class="mb-3 field-login"><label for="login" class="form-label">Email</label><input type="text" placeholder="Email" name="login" id="login" required="required" autofocus="autofocus" autocapitalize="off" class="form-control"/></div>
<div class="mb-3"><label for="password" class="form-label">Password</label><input type="password" placeholder="Password" name="password" id="password" required="required" autocomplete="current-password" maxlength="4096" class="form-control"/></div>
<div class="clearfix oe_login_buttons text-center gap-1 d-grid mb-1 pt-3"><button type="submit" class="btn btn-primary">Log in</button></div>
<input type="hidden" name="redirect"/>
</form>
<div class="text-center small mt-4 pt-3 border-top"><a href="https://www.odoo.com?utm_source=db&amp;utm_medium=auth" target="_blank">Powered by <span>Odoo</span></a></div>
</div>
</div>
</body>
</html>
`;

const NOT_FOUND_PAGE = `<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8"/><title>404 | Page not found</title></head>
<body><div class="container"><h1>404: Page not found!</h1><p>The page you were looking for could not be found.</p></div></body></html>
`;
