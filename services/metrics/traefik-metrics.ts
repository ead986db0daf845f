import { INGRESS_CLASSES } from '../../collectors/traefik/store';
import type { MetricGroup, MetricValue, StoreMetric } from './metric-group';
import { type IngressSnapshot, type IngressTotalRow, readIngressSnapshot } from '../../collectors/traefik/metrics-store';

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
export const traefikMetrics: MetricGroup<IngressSnapshot> = { name: 'traefik', load: readIngressSnapshot, metrics: METRICS };
