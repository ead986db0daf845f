import type { MetricValue } from './metric-group';

/**
 * The Prometheus text format of one metric family, written straight from its values: the same
 * bytes prom-client 15 prints for them (help and label escaping, `+Inf`/`-Inf`/`Nan`, label
 * order as given), without its per-line arrays and joins. At 1,000 tenants /metrics holds 100k+
 * series, and prom-client's formatting was most of the render (issue #15).
 */
export function renderFamily(
  name: string,
  help: string,
  type: string,
  values: readonly MetricValue[],
  hidden: readonly string[] = [],
): string {
  const n = escapeString(name);
  let out = `# HELP ${n} ${escapeString(help)}\n# TYPE ${n} ${type}`;
  for (const v of values) {
    out += `\n${v.metricName ?? n}`;
    let first = true;
    for (const label in v.labels) {
      if (hidden.length > 0 && hidden.includes(label)) continue;
      out += `${first ? '{' : ','}${label}="${escapeLabelValue(v.labels[label]!)}"`;
      first = false;
    }
    out += `${first ? '' : '}'} ${formatValue(v.value)}`;
  }
  return out;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return `${value}`;
}

// Most label values need no escaping; testing first avoids three replace() calls per label.
const NEEDS_ESCAPE = /[\\\n"]/;

function escapeLabelValue(value: string | number): string | number {
  if (typeof value !== 'string' || !NEEDS_ESCAPE.test(value)) return value;
  return escapeString(value).replace(/"/g, '\\"');
}

function escapeString(text: string): string {
  return text.includes('\\') || text.includes('\n') ? text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : text;
}
