/**
 * Every metric name tenantscope publishes on /metrics, histograms by their series names. The
 * dashboards and alert rules may read only these, and each must be registered by the service
 * (dashboards/dashboards.test.ts, alert-rules/alert-rules.test.ts): renaming a metric in the
 * service fails the tests until this list, the dashboards and the alerts follow.
 */
export const METRIC_NAMES = [
  'tenantscope_build_info',
  'tenantscope_metrics_store_up',

  'tenantscope_collector_success',
  'tenantscope_collector_duration_seconds',
  'tenantscope_collector_last_run_timestamp_seconds',
  'tenantscope_collector_rejected_records_total',

  'tenantscope_tenant_info',

  'tenantscope_odoo_requests_total',
  'tenantscope_odoo_request_duration_seconds_bucket',
  'tenantscope_odoo_request_duration_seconds_sum',
  'tenantscope_odoo_request_duration_seconds_count',
  'tenantscope_odoo_sql_seconds_total',
  'tenantscope_odoo_python_seconds_total',
  'tenantscope_odoo_queries_total',

  'tenantscope_probe_success',
  'tenantscope_probe_duration_seconds',
  'tenantscope_probe_last_timestamp_seconds',
  'tenantscope_probes_total',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression reads: the identifiers left once strings, label
 * matchers, ranges, label lists and Grafana variables are removed, that are neither a function
 * call nor a keyword. Enough for the expressions of our dashboards and alerts, not a parser.
 */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\$\{?\w+\}?/g, '');
  const names: string[] = [];
  for (const match of bare.matchAll(/[A-Za-z_:][\w:]*/g)) {
    const word = match[0];
    const before = bare[match.index - 1] ?? '';
    const after = bare.slice(match.index + word.length).trimStart();
    if (/[\d.]/.test(before)) continue; // 1e3, 5m
    if (after.startsWith('(') || KEYWORDS.has(word.toLowerCase())) continue;
    names.push(word);
  }
  return names;
}
