import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Tenant } from '../services/config/fleet-types';
import type { Endpoint } from './listeners';
import type { TraefikMetrics } from './traefik-metrics';
import { routerName, routersJson, servicesJson } from './traefik-routers';

/**
 * Traefik's API/metrics entrypoint: `/metrics` (Prometheus text, as promhttp serves it) and the
 * read-only API (`/api/http/routers`, `/api/http/routers/{name}`, `/api/http/services`,
 * `/api/version`). Returns false when the path is not Traefik's, so the port's ingress can take it.
 */

export interface TraefikContext {
  metricsFor(endpoint: Endpoint): TraefikMetrics | undefined;
  tenantsOf(clusterIds: readonly string[]): Tenant[];
  readonly startedAt: string;
}

export function handleTraefik(ctx: TraefikContext, endpoint: Endpoint, req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const store = endpoint.metricsClusters.length > 0 ? ctx.metricsFor(endpoint) : undefined;
  if (store && path === endpoint.metricsPath) {
    send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', store.render());
    return true;
  }
  if (endpoint.apiClusters.length === 0 || !path.startsWith(`${endpoint.apiPrefix}/api/`)) return false;
  const api = path.slice(endpoint.apiPrefix.length);
  const tenants = ctx.tenantsOf(endpoint.apiClusters);
  if (api === '/api/http/routers') {
    send(res, 200, 'application/json', routersJson(tenants), { 'X-Next-Page': '1' });
  } else if (api.startsWith('/api/http/routers/')) {
    const name = decodeURIComponent(api.slice('/api/http/routers/'.length));
    const tenant = tenants.find((t) => routerName(t) === name);
    if (tenant) send(res, 200, 'application/json', routersJson([tenant]).slice(1, -1));
    else send(res, 404, 'text/plain; charset=utf-8', `{"message":"router not found"}\n`);
  } else if (api === '/api/http/services') {
    send(res, 200, 'application/json', servicesJson(tenants), { 'X-Next-Page': '1' });
  } else if (api === '/api/version') {
    send(res, 200, 'application/json', JSON.stringify({ Version: '3.3.4', Codename: 'saintnectaire', startDate: ctx.startedAt }));
  } else {
    send(res, 404, 'text/plain; charset=utf-8', '404 page not found\n');
  }
  return true;
}

function send(res: ServerResponse, code: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}
