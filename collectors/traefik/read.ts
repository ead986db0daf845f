import { CollectorError } from '../../services/core/errors';
import { redact } from '../../services/core/redact';
import { basicAuth, type Secret } from '../../services/core/secret';
import { histogramSeries, parseExposition, seriesKey, type Sample } from '../lib/prom-text';

/**
 * Scrapes one Traefik: `/metrics` (v2 or v3, `addRoutersLabels: true`) for the router series,
 * and the read-only API's `/api/http/routers` for the rules that say which tenant a router
 * serves. It returns the counters as read; deltas and reset handling belong to the caller, which
 * keeps the previous scrape.
 */
export const name = 'traefik';

/** One router series (router, service, code, method, protocol): its counters as Traefik reports them. */
export interface RouterSeries {
  /** Empty for a service series (a v2 /metrics without router labels). */
  router: string;
  service: string;
  /** HTTP status, `0` for an aborted request; the gRPC status when protocol is grpc (v3). */
  code: string;
  method: string;
  protocol: string;
  /** Absent when Traefik did not expose that counter (bytes arrived late in v2). */
  requests?: number;
  requestBytes?: number;
  responseBytes?: number;
  duration?: RouterHistogram;
}

export interface RouterHistogram {
  /** Finite upper bounds, ascending. */
  bounds: number[];
  /** Cumulative counts per bound, then the `+Inf` bucket. */
  cumulative: number[];
  sum: number;
  count: number;
}

export type MetricSet = 'v2' | 'v3';

export interface RouterMetrics {
  series: RouterSeries[];
  /** v2 when its open-connection gauges or reload-failure metrics are present, v3 on its global `traefik_open_connections`. */
  metricSet: MetricSet | null;
  /** `process_start_time_seconds`: a change means Traefik restarted and its counters began again. */
  processStartSeconds: number | null;
  samples: number;
  /** Lines the exposition parser refused, and router samples without router or service labels. */
  rejected: number;
}

export interface RouterRule {
  name: string;
  rule: string;
  /** The service it sends to, with its `@provider` (the API gives it without, within the router's provider). */
  service?: string;
}

export interface TraefikScrape extends RouterMetrics {
  /** Clock reading when /metrics answered, ms. */
  scrapedAt: number;
  /** The routers of `/api/http/routers`; absent without an API URL. */
  routers?: RouterRule[];
}

export interface TraefikInput {
  /** Credentials in a URL's userinfo, or its password given apart, travel as Basic authorization. */
  metricsUrl: string;
  metricsPassword?: Secret;
  apiUrl?: string;
  apiPassword?: Secret;
  now: () => number;
  signal?: AbortSignal;
  timeoutSeconds?: number;
}

const COUNTERS = {
  traefik_router_requests_total: 'requests',
  traefik_router_requests_bytes_total: 'requestBytes',
  traefik_router_responses_bytes_total: 'responseBytes',
} as const;
const DURATION = 'traefik_router_request_duration_seconds';
// A v2 Traefik without router labels (`addRoutersLabels: false`) has only service series.
const SERVICE_COUNTERS = {
  traefik_service_requests_total: 'requests',
  traefik_service_requests_bytes_total: 'requestBytes',
  traefik_service_responses_bytes_total: 'responseBytes',
} as const;
const SERVICE_DURATION = 'traefik_service_request_duration_seconds';
const V2_ONLY = [
  'traefik_config_reloads_failure_total',
  'traefik_config_last_reload_failure',
  'traefik_entrypoint_open_connections',
  'traefik_router_open_connections',
  'traefik_service_open_connections',
];
const ROUTER_PAGE = 100;
const MAX_PAGES = 100;

export async function collect(input: TraefikInput): Promise<TraefikScrape> {
  const text = await (await request(input.metricsUrl, input.metricsPassword, input)).text();
  const scrapedAt = input.now();
  const metrics = readRouterMetrics(text);
  if (input.apiUrl === undefined) return { ...metrics, scrapedAt };
  return { ...metrics, scrapedAt, routers: await readRouters(input.apiUrl, input.apiPassword, input) };
}

/** The router series of an exposition, whatever else it holds. */
/**
 * The router series of an exposition, whatever else it holds; where it has no router series at
 * all (v2 without router labels), its service series instead, with `router` empty: the caller
 * maps them by service. Never both: with router labels, the service series count the same
 * requests again.
 */
export function readRouterMetrics(text: string): RouterMetrics {
  const exposition = parseExposition(text);
  const byRouter = new SeriesTable('router', COUNTERS, DURATION);
  const byService = new SeriesTable('service', SERVICE_COUNTERS, SERVICE_DURATION);
  let processStartSeconds: number | null = null;
  for (const sample of exposition.samples) {
    if (sample.name === 'process_start_time_seconds' && Number.isFinite(sample.value)) processStartSeconds = sample.value;
    byRouter.add(sample);
    byService.add(sample);
  }
  const table = byRouter.isEmpty() && !byService.isEmpty() ? byService : byRouter;
  const series = table.series();
  const names = new Set(exposition.samples.map((s) => s.family));
  const metricSet = V2_ONLY.some((n) => names.has(n)) ? 'v2' : names.has('traefik_open_connections') ? 'v3' : null;
  return { series, metricSet, processStartSeconds, samples: exposition.samples.length, rejected: exposition.rejected + table.rejected };
}

/** The series of one kind (router or service) of an exposition, with the samples refused for them. */
class SeriesTable {
  private readonly table = new Map<string, RouterSeries>();
  private readonly durationSamples: Sample[] = [];
  private refused = 0;

  constructor(
    private readonly by: 'router' | 'service',
    private readonly counters: Readonly<Record<string, 'requests' | 'requestBytes' | 'responseBytes'>>,
    private readonly duration: string,
  ) {}

  add(sample: Sample): void {
    if (sample.family === this.duration) {
      this.durationSamples.push(sample);
      return;
    }
    const field = this.counters[sample.name];
    if (!field) return;
    const s = Number.isFinite(sample.value) && sample.value >= 0 ? this.seriesOf(sample.labels) : undefined;
    if (s) s[field] = sample.value;
    else this.refused += 1;
  }

  isEmpty(): boolean {
    return this.table.size === 0 && this.durationSamples.length === 0;
  }

  get rejected(): number {
    return this.refused;
  }

  series(): RouterSeries[] {
    for (const h of histogramSeries(this.durationSamples, this.duration)) {
      const s = this.seriesOf(h.labels);
      const duration = s && toHistogram(h.buckets, h.sum, h.count);
      if (s && duration) s.duration = duration;
      else this.refused += 1;
    }
    this.durationSamples.length = 0;
    return [...this.table.values()];
  }

  private seriesOf(labels: Record<string, string>): RouterSeries | undefined {
    const { service, code, method, protocol } = labels;
    const router = this.by === 'router' ? labels.router : '';
    if (router === undefined || service === undefined || code === undefined) return undefined;
    const key = seriesKey({ router, service, code, method: method ?? '', protocol: protocol ?? '' });
    let s = this.table.get(key);
    if (!s) {
      s = { router, service, code, method: method ?? '', protocol: protocol ?? '' };
      this.table.set(key, s);
    }
    return s;
  }
}

/** A histogram needs finite counts, a `+Inf` bucket equal to its count, and a sum. */
function toHistogram(
  buckets: { le: number; count: number }[],
  sum: number | undefined,
  count: number | undefined,
): RouterHistogram | undefined {
  const last = buckets[buckets.length - 1];
  if (sum === undefined || count === undefined || !last || last.le !== Infinity || last.count !== count) return undefined;
  if (!Number.isFinite(sum) || buckets.some((b) => !Number.isFinite(b.count) || b.count < 0)) return undefined;
  return { bounds: buckets.slice(0, -1).map((b) => b.le), cumulative: buckets.map((b) => b.count), sum, count };
}

/** What a request to Traefik needs beside its URL. */
type RequestOptions = Pick<TraefikInput, 'signal' | 'timeoutSeconds'>;

/**
 * `GET /api/http/routers` under the API URL (its own query parameters kept), following Traefik's
 * `X-Next-Page` (1 when there is no next page).
 */
export async function readRouters(apiUrl: string, password: Secret | undefined, input: RequestOptions): Promise<RouterRule[]> {
  const routers: RouterRule[] = [];
  for (let page = 1; page <= MAX_PAGES;) {
    const url = new URL(apiUrl);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/http/routers`;
    url.searchParams.set('per_page', String(ROUTER_PAGE));
    url.searchParams.set('page', String(page));
    const { body, nextPage } = await getJson(url.toString(), password, input);
    if (!Array.isArray(body)) throw new CollectorError(`Traefik API ${redact(url.toString())} did not answer a JSON array`);
    for (const r of body as unknown[]) {
      const router = r as { name?: unknown; rule?: unknown; service?: unknown; provider?: unknown };
      if (typeof router.name !== 'string') continue;
      const service = qualifiedService(router.service, router.provider);
      routers.push({ name: router.name, rule: typeof router.rule === 'string' ? router.rule : '', ...(service && { service }) });
    }
    if (nextPage <= page) break;
    page = nextPage;
  }
  return routers;
}

function qualifiedService(service: unknown, provider: unknown): string | undefined {
  if (typeof service !== 'string' || service === '') return undefined;
  return service.includes('@') || typeof provider !== 'string' ? service : `${service}@${provider}`;
}

async function getJson(url: string, password: Secret | undefined, input: RequestOptions): Promise<{ body: unknown; nextPage: number }> {
  const res = await request(url, password, input);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new CollectorError(`Traefik API ${redact(url)} answered something other than JSON`);
  }
  const next = Number(res.headers.get('x-next-page') ?? '1');
  return { body, nextPage: Number.isInteger(next) ? next : 1 };
}

/** A GET with the URL's credentials as a Basic Authorization header (fetch refuses them in the URL); messages quote it redacted. */
async function request(url: string, password: Secret | undefined, input: RequestOptions): Promise<Response> {
  const timeout = AbortSignal.timeout((input.timeoutSeconds ?? 10) * 1000);
  const signal = input.signal ? AbortSignal.any([input.signal, timeout]) : timeout;
  const shown = redact(url);
  let res: Response;
  try {
    const auth = basicAuth(url, password);
    res = await fetch(auth.url, { signal, headers: { Accept: 'text/plain;version=0.0.4, application/json', ...auth.headers } });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new CollectorError(`Traefik ${shown} cannot be reached (${cause})`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new CollectorError(`Traefik ${shown} answered ${res.status}`);
  }
  return res;
}

/**
 * `tenantscope parse traefik-metrics`: one `exposition` record (metric set, process start,
 * sample count), then one `router-series` record per router series, null where Traefik gave
 * no such counter; duration buckets cumulative, as Traefik reports them.
 */
export function parseMetricsText(text: string): { records: unknown[]; rejected: number } {
  const m = readRouterMetrics(text);
  const head = {
    type: 'exposition',
    metricSet: m.metricSet,
    processStartSeconds: m.processStartSeconds,
    samples: m.samples,
    routerSeries: m.series.length,
  };
  const series = m.series.map((s) => ({
    type: 'router-series',
    router: s.router,
    service: s.service,
    code: s.code,
    method: s.method,
    protocol: s.protocol,
    requests: s.requests ?? null,
    requestBytes: s.requestBytes ?? null,
    responseBytes: s.responseBytes ?? null,
    durationSeconds: s.duration
      ? {
          buckets: s.duration.cumulative.map((count, i) => ({ le: s.duration!.bounds[i] ?? '+Inf', count })),
          sum: s.duration.sum,
          count: s.duration.count,
        }
      : null,
  }));
  return { records: [head, ...series], rejected: m.rejected };
}
