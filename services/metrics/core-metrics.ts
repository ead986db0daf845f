import { DURATION_BUCKETS, CODE_CLASSES } from '../../collectors/lib/minute-rollup';
import { loadMetricsSnapshot, type MetricsSnapshot } from './snapshot';
import type { MetricGroup, StoreMetric } from './metric-group';

const tenantLabels = (s: MetricsSnapshot) => new Map(s.tenants.map((t) => [t.id, { tenant: t.id, cluster: t.cluster }]));

/** Per-tenant Odoo series: only tenants whose log has shown a request at least once. */
function odooTotals(s: MetricsSnapshot, pick: (row: MetricsSnapshot['totals'][number]) => number) {
  const labels = tenantLabels(s);
  return s.totals.filter((r) => r.seen_odoo && labels.has(r.tenant_id)).map((r) => ({ value: pick(r), labels: labels.get(r.tenant_id)! }));
}

/**
 * The series read from PostgreSQL at scrape time, so every process serves the same numbers
 * (docs/operations.md). Names follow Prometheus rules: base units, `_total` counters.
 */
const STORE_METRICS: StoreMetric<MetricsSnapshot>[] = [
  {
    name: 'tenantscope_tenant_info',
    help: 'One series per active tenant of the fleet file, with its cluster, tier and name.',
    type: 'gauge',
    values: (s) => s.tenants.map((t) => ({ value: 1, labels: { tenant: t.id, cluster: t.cluster, tier: t.tier, name: t.name } })),
    customerLabels: ['name'],
  },
  {
    name: 'tenantscope_odoo_requests_total',
    help: 'Requests in the Odoo log by status class (long-polling and websocket included).',
    type: 'counter',
    values: (s) => {
      const labels = tenantLabels(s);
      return s.totals
        .filter((r) => r.seen_odoo && labels.has(r.tenant_id))
        .flatMap((r) =>
          CODE_CLASSES.map((c) => ({ value: r[`odoo_requests_${c}`], labels: { ...labels.get(r.tenant_id)!, code_class: c } })),
        );
    },
  },
  {
    name: 'tenantscope_odoo_sql_seconds_total',
    help: 'Seconds Odoo workers spent in SQL for this tenant (werkzeug perf query_time).',
    type: 'counter',
    values: (s) => odooTotals(s, (r) => r.odoo_sql_seconds),
  },
  {
    name: 'tenantscope_odoo_python_seconds_total',
    help: 'Seconds Odoo workers spent outside SQL for this tenant (werkzeug perf remaining_time).',
    type: 'counter',
    values: (s) => odooTotals(s, (r) => r.odoo_python_seconds),
  },
  {
    name: 'tenantscope_odoo_queries_total',
    help: 'SQL queries Odoo ran for this tenant (werkzeug perf query_count).',
    type: 'counter',
    values: (s) => odooTotals(s, (r) => r.odoo_queries),
  },
  {
    name: 'tenantscope_odoo_request_duration_seconds',
    help: 'Request wall time (SQL + Python seconds) from the Odoo log; long-polling and websocket excluded.',
    type: 'histogram',
    values: (s: MetricsSnapshot) => {
      const labels = tenantLabels(s);
      return s.totals
        .filter((r) => r.seen_odoo && r.odoo_duration_counts && labels.has(r.tenant_id))
        .flatMap((r) => {
          const base = labels.get(r.tenant_id)!;
          const counts = r.odoo_duration_counts as number[];
          let cumulative = 0;
          const buckets = DURATION_BUCKETS.map((le, i) => {
            cumulative += counts[i] ?? 0;
            return { metricName: 'tenantscope_odoo_request_duration_seconds_bucket', value: cumulative, labels: { ...base, le } };
          });
          const count = counts.reduce((a, b) => a + b, 0);
          return [
            ...buckets,
            { metricName: 'tenantscope_odoo_request_duration_seconds_bucket', value: count, labels: { ...base, le: '+Inf' } },
            { metricName: 'tenantscope_odoo_request_duration_seconds_sum', value: r.odoo_duration_sum, labels: base },
            { metricName: 'tenantscope_odoo_request_duration_seconds_count', value: count, labels: base },
          ];
        });
    },
  },
  {
    name: 'tenantscope_probes_total',
    help: 'Probes of the tenant through the ingress by result.',
    type: 'counter',
    values: (s) => {
      const labels = tenantLabels(s);
      return s.totals
        .filter((r) => r.seen_probe && labels.has(r.tenant_id))
        .flatMap((r) => [
          { value: r.probes_ok, labels: { ...labels.get(r.tenant_id)!, result: 'ok' } },
          { value: r.probes_failed, labels: { ...labels.get(r.tenant_id)!, result: 'fail' } },
        ]);
    },
  },
  ...probeGauges(),
  ...collectorGauges(),
];

function probeGauges(): StoreMetric<MetricsSnapshot>[] {
  const series = (s: MetricsSnapshot, pick: (p: MetricsSnapshot['probes'][number]) => number | null) => {
    const labels = tenantLabels(s);
    return s.probes
      .filter((p) => labels.has(p.tenant_id) && pick(p) !== null)
      .map((p) => ({ value: pick(p) as number, labels: labels.get(p.tenant_id)! }));
  };
  return [
    {
      name: 'tenantscope_probe_success',
      help: '1 when the last probe of the tenant succeeded, else 0.',
      type: 'gauge',
      values: (s) => series(s, (p) => (p.ok ? 1 : 0)),
    },
    {
      name: 'tenantscope_probe_duration_seconds',
      help: 'Duration of the last probe of the tenant.',
      type: 'gauge',
      values: (s) => series(s, (p) => p.duration_seconds),
    },
    {
      name: 'tenantscope_probe_last_timestamp_seconds',
      help: 'When the last probe of the tenant started, Unix seconds.',
      type: 'gauge',
      values: (s) => series(s, (p) => p.probed_at.getTime() / 1000),
    },
  ];
}

function collectorGauges(): StoreMetric<MetricsSnapshot>[] {
  const series = (s: MetricsSnapshot, pick: (c: MetricsSnapshot['collectors'][number]) => number) =>
    s.collectors.map((c) => ({ value: pick(c), labels: { collector: c.collector, target: c.target } }));
  return [
    {
      name: 'tenantscope_collector_success',
      help: '1 when the last run of the collector on this target succeeded, else 0.',
      type: 'gauge',
      values: (s) => series(s, (c) => (c.success ? 1 : 0)),
    },
    {
      name: 'tenantscope_collector_duration_seconds',
      help: 'Duration of the last run of the collector on this target.',
      type: 'gauge',
      values: (s) => series(s, (c) => c.duration_seconds),
    },
    {
      name: 'tenantscope_collector_last_run_timestamp_seconds',
      help: 'When the last run of the collector on this target finished, Unix seconds.',
      type: 'gauge',
      values: (s) => series(s, (c) => c.finished_at.getTime() / 1000),
    },
    {
      name: 'tenantscope_collector_rejected_records_total',
      help: 'Input the collector could not use, counted and skipped, by collector, target (push:<cluster> for pushed lines) and reason (malformed, too_long, invalid_utf8, invalid_text, number_out_of_range, time_out_of_range, outside_accepted_range); a series starts with its first rejection.',
      type: 'counter',
      // a series appears with the first rejection of its reason; pushed lines count under target push:<cluster>
      values: (s) =>
        s.rejections.map((r) => ({ value: r.records, labels: { collector: r.collector, target: r.target, reason: r.reason } })),
    },
  ];
}

/** Tenants, Odoo log totals, probes and collector health: the series every install has. */
export const coreMetrics: MetricGroup<MetricsSnapshot> = { name: 'core', load: loadMetricsSnapshot, metrics: STORE_METRICS };
