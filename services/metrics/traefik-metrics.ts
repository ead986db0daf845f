import type { Queryable } from '../storage/db';
import { INGRESS_CLASSES } from '../../collectors/traefik/store';
import type { MetricGroup, MetricValue, StoreMetric } from './metric-group';

/** What the ingress (Traefik) counted, per tenant since it was first seen, and per unmapped router. */
export interface IngressSnapshot {
  totals: IngressTotalRow[];
  unmapped: { cluster_id: string; router: string; requests: number }[];
}

export interface IngressTotalRow {
  tenant_id: string;
  cluster: string;
  requests: Record<(typeof INGRESS_CLASSES)[number], number>;
  request_bytes: number | null;
  response_bytes: number | null;
  duration_bounds: number[] | null;
  duration_counts: number[] | null;
  duration_sum: number | null;
}

const SELECT_TOTALS = `
SELECT t.*, tenant.cluster_id AS cluster FROM ingress_total t JOIN tenant ON tenant.id = t.tenant_id
WHERE tenant.active ORDER BY t.tenant_id`;
const SELECT_UNMAPPED = 'SELECT cluster_id, router, requests FROM ingress_unmapped_total ORDER BY cluster_id, router';

async function load(db: Queryable): Promise<IngressSnapshot> {
  const [totals, unmapped] = await Promise.all([db.query(SELECT_TOTALS), db.query(SELECT_UNMAPPED)]);
  return {
    totals: totals.rows.map((r) => ({
      tenant_id: r.tenant_id,
      cluster: r.cluster,
      requests: Object.fromEntries(INGRESS_CLASSES.map((c) => [c, Number(r[`requests_${c}`])])) as IngressTotalRow['requests'],
      request_bytes: r.request_bytes,
      response_bytes: r.response_bytes,
      duration_bounds: r.duration_bounds,
      duration_counts: r.duration_counts?.map(Number) ?? null,
      duration_sum: r.duration_sum,
    })),
    unmapped: unmapped.rows,
  };
}

const labels = (r: IngressTotalRow) => ({ tenant: r.tenant_id, cluster: r.cluster });

function histogram(r: IngressTotalRow): MetricValue[] {
  const name = 'tenantscope_ingress_request_duration_seconds';
  const bounds = r.duration_bounds as number[];
  const counts = r.duration_counts as number[];
  let cumulative = 0;
  const buckets = bounds.map((le, i) => {
    cumulative += counts[i] ?? 0;
    return { metricName: `${name}_bucket`, value: cumulative, labels: { ...labels(r), le } };
  });
  const count = counts.reduce((a, b) => a + b, 0);
  return [
    ...buckets,
    { metricName: `${name}_bucket`, value: count, labels: { ...labels(r), le: '+Inf' } },
    { metricName: `${name}_sum`, value: r.duration_sum ?? 0, labels: labels(r) },
    { metricName: `${name}_count`, value: count, labels: labels(r) },
  ];
}

const METRICS: StoreMetric<IngressSnapshot>[] = [
  {
    name: 'tenantscope_ingress_requests_total',
    help: 'Requests Traefik routed to the tenant, by status class (aborted = code 0, the client went away; other = gRPC statuses and the rest).',
    type: 'counter',
    values: (s) => s.totals.flatMap((r) => INGRESS_CLASSES.map((c) => ({ value: r.requests[c], labels: { ...labels(r), code_class: c } }))),
  },
  {
    name: 'tenantscope_ingress_request_duration_seconds',
    help: "Request duration at the ingress (Traefik router histogram, Traefik's bucket bounds).",
    type: 'histogram',
    values: (s) => s.totals.filter((r) => r.duration_bounds && r.duration_counts).flatMap(histogram),
  },
  {
    name: 'tenantscope_ingress_response_bytes_total',
    help: 'Bytes of the responses Traefik returned for the tenant.',
    type: 'counter',
    values: (s) => s.totals.filter((r) => r.response_bytes !== null).map((r) => ({ value: r.response_bytes as number, labels: labels(r) })),
  },
  {
    name: 'tenantscope_ingress_request_bytes_total',
    help: 'Bytes of the requests Traefik received for the tenant.',
    type: 'counter',
    values: (s) => s.totals.filter((r) => r.request_bytes !== null).map((r) => ({ value: r.request_bytes as number, labels: labels(r) })),
  },
  {
    name: 'tenantscope_ingress_unmapped_requests_total',
    help: 'Requests on Traefik routers no tenant could be found for (no tenant Host rule, no routerTenants entry).',
    type: 'counter',
    values: (s) => s.unmapped.map((u) => ({ value: u.requests, labels: { cluster: u.cluster_id, router: u.router } })),
  },
];

/** The ingress series: requests by class, latency histogram and bytes per tenant, unmapped routers per cluster. */
export const traefikMetrics: MetricGroup<IngressSnapshot> = { name: 'traefik', load, metrics: METRICS };
