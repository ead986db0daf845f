import { systemClock } from '../services/core/clock';
import { silentLogger } from '../services/core/logger';
import { createMetricsRegistry } from '../services/metrics/registry';
import type { Queryable } from '../services/storage/db';

/**
 * Every tenantscope metric name on /metrics, read from the /metrics registry itself (histograms
 * by their _bucket, _sum and _count series; prom-client's process and Node.js series left out).
 * The dashboards and alert rules may read only these: renaming a metric in the service makes
 * their generators throw until they follow. Registering reads nothing: the database is only
 * queried when /metrics is scraped, so a registry over no database is enough.
 */
export const METRIC_NAMES: ReadonlySet<string> = publishedNames();

function publishedNames(): Set<string> {
  const noDatabase = { query: () => Promise.reject(new Error('no database: metric names only')) } as unknown as Queryable;
  const registry = createMetricsRegistry(noDatabase, { version: 'names', revision: 'names' }, silentLogger, systemClock);
  const names = new Set<string>();
  for (const metric of registry.getMetricsAsArray() as unknown as { name: string; type: string }[]) {
    if (!metric.name.startsWith('tenantscope_')) continue;
    if (metric.type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
    else names.add(metric.name);
  }
  return names;
}

/** The name, checked: throws when /metrics does not publish it, so a rule or panel cannot read a ghost. */
export function metric(name: string): string {
  if (!METRIC_NAMES.has(name)) throw new Error(`${name} is not published on /metrics (services/metrics)`);
  return name;
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

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
