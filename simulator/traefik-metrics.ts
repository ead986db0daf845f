import { renderExposition, type Family, type Labels } from './prom-text';
import { ENTRYPOINT } from './traefik-routers';

/**
 * The counters a Traefik v3 instance keeps with `addRoutersLabels: true`, fed with the requests
 * it proxied, and their `/metrics` exposition. Names, help texts and label sets are Traefik's
 * (pkg/observability/metrics/prometheus.go); the v2-only open-connection gauges are absent.
 */

/** Traefik's default `metrics.prometheus.buckets`. */
export const TRAEFIK_BUCKETS: readonly number[] = [0.1, 0.3, 1.2, 5];
const TLS = { tls_version: '1.3', tls_cipher: 'TLS_AES_128_GCM_SHA256' };

export interface ProxiedRequest {
  /** Absent when no router matched (Traefik's own 404). */
  readonly router?: string;
  readonly service?: string;
  readonly code: number;
  readonly method: string;
  readonly protocol: 'http' | 'websocket';
  readonly seconds: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
}

interface Counter {
  labels: Labels;
  value: number;
}

interface Histogram {
  labels: Labels;
  counts: number[];
  sum: number;
  count: number;
}

// A month of requests goes through record(): series are found by a short key the caller builds
// from the label values, and their label objects are made only when a series is new.
class CounterVec {
  readonly series = new Map<string, Counter>();
  add(key: string, labels: () => Labels, value: number): void {
    const s = this.series.get(key);
    if (s) s.value += value;
    else this.series.set(key, { labels: labels(), value });
  }
}

class HistogramVec {
  readonly series = new Map<string, Histogram>();
  observe(key: string, labels: () => Labels, seconds: number): void {
    let s = this.series.get(key);
    if (!s) {
      s = { labels: labels(), counts: TRAEFIK_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    const bucket = TRAEFIK_BUCKETS.findIndex((bound) => seconds <= bound);
    if (bucket >= 0) s.counts[bucket] = (s.counts[bucket] ?? 0) + 1;
    s.sum += seconds;
    s.count += 1;
  }
}

export class TraefikMetrics {
  private readonly entry = {
    requests: new CounterVec(),
    tls: new CounterVec(),
    duration: new HistogramVec(),
    reqBytes: new CounterVec(),
    respBytes: new CounterVec(),
  };
  private readonly router = {
    requests: new CounterVec(),
    tls: new CounterVec(),
    duration: new HistogramVec(),
    reqBytes: new CounterVec(),
    respBytes: new CounterVec(),
  };
  private readonly service = {
    requests: new CounterVec(),
    tls: new CounterVec(),
    duration: new HistogramVec(),
    reqBytes: new CounterVec(),
    respBytes: new CounterVec(),
  };
  private openConnections = 0;
  private apiConnections = 1;

  /** `startMs` is when this Traefik started and loaded its configuration. */
  constructor(private readonly startMs: number) {}

  record(req: ProxiedRequest): void {
    const base = () => ({ code: String(req.code), method: req.method, protocol: req.protocol });
    const k = `${req.code}\u0000${req.method}\u0000${req.protocol}`;
    const ep = () => ({ ...base(), entrypoint: ENTRYPOINT });
    this.entry.requests.add(k, ep, 1);
    this.entry.tls.add('', () => ({ ...TLS, entrypoint: ENTRYPOINT }), 1);
    this.entry.duration.observe(k, ep, req.seconds);
    this.entry.reqBytes.add(k, ep, req.requestBytes);
    this.entry.respBytes.add(k, ep, req.responseBytes);
    const { router, service } = req;
    if (router === undefined || service === undefined) return;
    const rk = `${k}\u0000${router}\u0000${service}`;
    const rt = () => ({ ...base(), router, service });
    this.router.requests.add(rk, rt, 1);
    this.router.tls.add(`${router}\u0000${service}`, () => ({ ...TLS, router, service }), 1);
    this.router.duration.observe(rk, rt, req.seconds);
    this.router.reqBytes.add(rk, rt, req.requestBytes);
    this.router.respBytes.add(rk, rt, req.responseBytes);
    const sk = `${k}\u0000${service}`;
    const sv = () => ({ ...base(), service });
    this.service.requests.add(sk, sv, 1);
    this.service.tls.add(service, () => ({ ...TLS, service }), 1);
    this.service.duration.observe(sk, sv, req.seconds);
    this.service.reqBytes.add(sk, sv, req.requestBytes);
    this.service.respBytes.add(sk, sv, req.responseBytes);
  }

  /** Open TCP connections on the tenant entrypoint and on the API/metrics entrypoint. */
  setOpenConnections(tenantEntrypoint: number, api = 1): void {
    this.openConnections = tenantEntrypoint;
    this.apiConnections = api;
  }

  render(): string {
    const counters = (type: 'counter' | 'gauge', name: string, help: string, vec: CounterVec): Family => ({
      type,
      name,
      help,
      series: [...vec.series.values()],
    });
    const histogram = (name: string, help: string, vec: HistogramVec): Family => ({
      type: 'histogram',
      name,
      help,
      buckets: TRAEFIK_BUCKETS,
      series: [...vec.series.values()],
    });
    const single = (type: 'counter' | 'gauge', name: string, help: string, value: number, labels: Labels = {}): Family => ({
      type,
      name,
      help,
      series: [{ labels, value }],
    });
    const byEp = 'partitioned by status code, protocol, and method.';
    const byRouter = 'partitioned by service, status code, protocol, and method.';
    return renderExposition([
      single('gauge', 'go_goroutines', 'Number of goroutines that currently exist.', 61),
      single(
        'gauge',
        'process_start_time_seconds',
        'Start time of the process since unix epoch in seconds.',
        Math.floor(this.startMs / 1000) - 2,
      ),
      single('counter', 'traefik_config_reloads_total', 'Config reloads', 1),
      single('gauge', 'traefik_config_last_reload_success', 'Last config reload success', Math.floor(this.startMs / 1000)),
      {
        type: 'gauge',
        name: 'traefik_open_connections',
        help: 'How many open connections exist, by entryPoint and protocol',
        series: [
          { labels: { entrypoint: ENTRYPOINT, protocol: 'TCP' }, value: this.openConnections },
          { labels: { entrypoint: 'traefik', protocol: 'TCP' }, value: this.apiConnections },
        ],
      },
      counters(
        'counter',
        'traefik_entrypoint_requests_total',
        `How many HTTP requests processed on an entrypoint, ${byEp}`,
        this.entry.requests,
      ),
      counters(
        'counter',
        'traefik_entrypoint_requests_tls_total',
        'How many HTTP requests with TLS processed on an entrypoint, partitioned by TLS Version and TLS cipher Used.',
        this.entry.tls,
      ),
      histogram(
        'traefik_entrypoint_request_duration_seconds',
        `How long it took to process the request on an entrypoint, ${byEp}`,
        this.entry.duration,
      ),
      counters(
        'counter',
        'traefik_entrypoint_requests_bytes_total',
        `The total size of requests in bytes handled by an entrypoint, ${byEp}`,
        this.entry.reqBytes,
      ),
      counters(
        'counter',
        'traefik_entrypoint_responses_bytes_total',
        `The total size of responses in bytes handled by an entrypoint, ${byEp}`,
        this.entry.respBytes,
      ),
      counters(
        'counter',
        'traefik_router_requests_total',
        `How many HTTP requests are processed on a router, ${byRouter}`,
        this.router.requests,
      ),
      counters(
        'counter',
        'traefik_router_requests_tls_total',
        'How many HTTP requests with TLS are processed on a router, partitioned by service, TLS Version, and TLS cipher Used.',
        this.router.tls,
      ),
      histogram(
        'traefik_router_request_duration_seconds',
        `How long it took to process the request on a router, ${byRouter}`,
        this.router.duration,
      ),
      counters(
        'counter',
        'traefik_router_requests_bytes_total',
        `The total size of requests in bytes handled by a router, ${byRouter}`,
        this.router.reqBytes,
      ),
      counters(
        'counter',
        'traefik_router_responses_bytes_total',
        `The total size of responses in bytes handled by a router, ${byRouter}`,
        this.router.respBytes,
      ),
      counters(
        'counter',
        'traefik_service_requests_total',
        `How many HTTP requests processed on a service, ${byEp}`,
        this.service.requests,
      ),
      counters(
        'counter',
        'traefik_service_requests_tls_total',
        'How many HTTP requests with TLS processed on a service, partitioned by TLS version and TLS cipher.',
        this.service.tls,
      ),
      histogram(
        'traefik_service_request_duration_seconds',
        `How long it took to process the request on a service, ${byEp}`,
        this.service.duration,
      ),
      counters(
        'counter',
        'traefik_service_requests_bytes_total',
        `The total size of requests in bytes received by a service, ${byEp}`,
        this.service.reqBytes,
      ),
      counters(
        'counter',
        'traefik_service_responses_bytes_total',
        `The total size of responses in bytes returned by a service, ${byEp}`,
        this.service.respBytes,
      ),
    ]);
  }
}
