import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Fleet } from '../services/config/fleet-types';

/**
 * The sockets the fleet file asks for: each cluster's probe URL (the ingress), Traefik metrics
 * URL and API URL. Roles on the same port share one server, as one Traefik serves several
 * entrypoints' worth of clusters; a request goes to the Traefik API when its path is one of the
 * API's, else to the ingress.
 */

export interface Endpoint {
  readonly port: number;
  /** The URL host when it is an IP literal or localhost, else all interfaces. */
  readonly bind: string;
  readonly urls: string[];
  /** Clusters whose probes (tenant Hosts) this port answers. */
  readonly ingressClusters: string[];
  /** Clusters whose Traefik /metrics this port serves, at `metricsPath`. */
  readonly metricsClusters: string[];
  metricsPath: string;
  /** Clusters whose Traefik API this port serves, under `apiPrefix`. */
  readonly apiClusters: string[];
  apiPrefix: string;
}

export type Handler = (endpoint: Endpoint, req: IncomingMessage, res: ServerResponse) => void;

export function endpointsOf(fleet: Fleet): Endpoint[] {
  const byPort = new Map<number, Endpoint>();
  const at = (url: string): { endpoint: Endpoint; parsed: URL } => {
    const parsed = new URL(url);
    const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    const bind = isIP(host) !== 0 || host === 'localhost' ? host : '0.0.0.0';
    let endpoint = byPort.get(port);
    if (!endpoint) {
      endpoint = {
        port,
        bind,
        urls: [],
        ingressClusters: [],
        metricsClusters: [],
        metricsPath: '/metrics',
        apiClusters: [],
        apiPrefix: '',
      };
      byPort.set(port, endpoint);
    } else if (endpoint.bind !== bind) {
      (endpoint as { bind: string }).bind = '0.0.0.0'; // two names for one port: listen everywhere
    }
    if (!endpoint.urls.includes(parsed.origin)) endpoint.urls.push(parsed.origin);
    return { endpoint, parsed };
  };
  for (const cluster of Object.values(fleet.clusters)) {
    if (cluster.probe) at(cluster.probe.url).endpoint.ingressClusters.push(cluster.id);
    const traefik = cluster.traefik;
    if (traefik?.metricsUrl) {
      const metrics = at(traefik.metricsUrl);
      metrics.endpoint.metricsClusters.push(cluster.id);
      metrics.endpoint.metricsPath = metrics.parsed.pathname === '/' ? '/metrics' : metrics.parsed.pathname;
    }
    // a Traefik known by its access log alone may still give its API for the router rules
    const apiUrl = traefik?.apiUrl ?? traefik?.metricsUrl;
    if (apiUrl) {
      const api = at(apiUrl);
      api.endpoint.apiClusters.push(cluster.id);
      api.endpoint.apiPrefix = traefik?.apiUrl ? api.parsed.pathname.replace(/\/+$/, '') : '';
    }
  }
  return [...byPort.values()];
}

/** Listening servers; closing them drops kept-alive connections too. */
export class Listeners {
  private readonly servers: Server[] = [];

  async listen(endpoints: readonly Endpoint[], handler: Handler): Promise<void> {
    for (const endpoint of endpoints) {
      const server = createServer((req, res) => handler(endpoint, req, res));
      server.keepAliveTimeout = 5_000;
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) =>
          reject(
            new Error(
              `simulator cannot listen on ${endpoint.bind}:${endpoint.port} for ${endpoint.urls.join(', ')} (${err.code ?? err.message})`,
            ),
          ),
        );
        server.listen(endpoint.port, endpoint.bind, () => resolve());
      });
      this.servers.push(server);
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.splice(0).map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }
}
