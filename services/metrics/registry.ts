import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { Queryable } from '../storage/db';
import { METRIC_GROUPS } from './groups';
import type { MetricGroup, MetricValue, StoreMetric } from './metric-group';
import { writeFamily } from './exposition';

export interface BuildInfo {
  version: string;
  revision: string;
}

/** What the /metrics route serves: the whole exposition, rendered per scrape. */
export interface MetricsEndpoint {
  contentType: string;
  metrics(): Promise<string>;
  /** Every metric's name, help and type (and label names where prom-client keeps them), in order; reads nothing. */
  getMetricsAsArray(): MetricDescription[];
}

export interface MetricDescription {
  name: string;
  help: string;
  type: string;
  labelNames?: readonly string[];
}

/**
 * The /metrics exposition. Process metrics and build_info come from a prom-client registry;
 * the store-backed series (100k+ at 1,000 tenants) are written as text straight from their values
 * (exposition.ts), in the same order and bytes prom-client printed them. Store-backed metrics
 * share one load per group and scrape, and publish nothing (and `tenantscope_metrics_store_up 0`)
 * when the database cannot be read.
 */
export function createMetricsRegistry(
  db: Queryable,
  build: BuildInfo,
  log: Logger,
  clock: Clock,
  options: { tenantNames?: boolean } = {},
): MetricsEndpoint {
  const showNames = options.tenantNames ?? true;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'tenantscope_build_info',
    help: 'Version of tenantscope serving these metrics.',
    labelNames: ['version', 'revision', 'nodejs_version'],
    registers: [registry],
  }).set({ version: build.version, revision: build.revision, nodejs_version: process.version }, 1);

  // One load per group serves every metric of the same scrape (and scrapes that overlap it).
  const pending = new Map<string, Promise<unknown>>();
  const load = (group: MetricGroup<unknown>): Promise<unknown> => {
    let p = pending.get(group.name);
    if (!p) {
      p = group
        .load(db, clock)
        .catch((err: Error) => {
          log.warn({ group: group.name, err }, 'metrics store unreadable; store-backed series omitted');
          return undefined;
        })
        .finally(() => setTimeout(() => pending.delete(group.name), 250).unref());
      pending.set(group.name, p);
    }
    return p;
  };

  return {
    contentType: registry.contentType,
    getMetricsAsArray: () => [
      ...(registry.getMetricsAsArray() as unknown as MetricDescription[]),
      { name: STORE_UP, help: STORE_UP_HELP, type: 'gauge' },
      ...METRIC_GROUPS.flatMap((g) => g.metrics.map(({ name, help, type }) => ({ name, help, type }))),
    ],
    async metrics() {
      const [head, loaded] = await Promise.all([registry.metrics(), Promise.all(METRIC_GROUPS.map(load))]);
      // prom-client ends its text with one newline and separates families by a blank line
      const lines = [head];
      writeFamily(lines, STORE_UP, STORE_UP_HELP, 'gauge', [{ value: loaded.every((d) => d !== undefined) ? 1 : 0, labels: {} }]);
      METRIC_GROUPS.forEach((group, i) => {
        for (const metric of group.metrics) {
          lines.push('');
          writeFamily(
            lines,
            metric.name,
            metric.help,
            metric.type,
            storeValues(metric, loaded[i]),
            showNames ? [] : (metric.customerLabels ?? []),
          );
        }
      });
      return `${lines.join('\n')}\n`;
    },
  };
}

function storeValues<T>(metric: StoreMetric<T>, data: T | undefined): MetricValue[] {
  try {
    return data === undefined ? [] : metric.values(data);
  } catch {
    return [];
  }
}

const STORE_UP = 'tenantscope_metrics_store_up';
const STORE_UP_HELP = '1 when /metrics could read the shared state in PostgreSQL, else 0 (store-backed series are then absent).';
