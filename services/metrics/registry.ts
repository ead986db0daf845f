import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { Queryable } from '../storage/db';
import { METRIC_GROUPS } from './groups';
import type { MetricGroup, MetricValue } from './metric-group';

export interface BuildInfo {
  version: string;
  revision: string;
}

/**
 * The /metrics registry. prom-client renders every metric with Promise.all, so one throwing
 * metric would fail the whole scrape: store-backed metrics share one load per group and scrape,
 * and publish nothing (and `tenantscope_metrics_store_up 0`) when the database cannot be read.
 */
export function createMetricsRegistry(
  db: Queryable,
  build: BuildInfo,
  log: Logger,
  clock: Clock,
  options: { tenantNames?: boolean } = {},
): Registry {
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
  const failed = new Set<string>();
  const load = (group: MetricGroup<unknown>): Promise<unknown> => {
    let p = pending.get(group.name);
    if (!p) {
      p = group
        .load(db, clock)
        .then((data) => {
          failed.delete(group.name);
          return data;
        })
        .catch((err: Error) => {
          failed.add(group.name);
          log.warn({ group: group.name, err }, 'metrics store unreadable; store-backed series omitted');
          return undefined;
        })
        .finally(() => setTimeout(() => pending.delete(group.name), 250).unref());
      pending.set(group.name, p);
    }
    return p;
  };
  const loadAll = async () => {
    await Promise.all(METRIC_GROUPS.map(load));
    return failed.size === 0;
  };

  registry.registerMetric(storeUp(loadAll) as never);
  for (const group of METRIC_GROUPS) {
    for (const metric of group.metrics) registry.registerMetric(fromStore(metric, () => load(group), showNames) as never);
  }
  return registry;
}

function fromStore<T>(metric: MetricGroup<T>['metrics'][number], data: () => Promise<T | undefined>, showNames: boolean) {
  const hidden = showNames ? [] : (metric.customerLabels ?? []);
  return {
    name: metric.name,
    help: metric.help,
    type: metric.type,
    aggregator: 'omit',
    async get() {
      const d = await data();
      let values: MetricValue[] = [];
      try {
        if (d !== undefined) values = metric.values(d);
        if (hidden.length > 0) values = values.map((v) => ({ ...v, labels: withoutLabels(v.labels, hidden) }));
      } catch {
        values = [];
      }
      return { name: metric.name, help: metric.help, type: metric.type, aggregator: 'omit', values };
    },
    reset() {},
  };
}

function withoutLabels(labels: MetricValue['labels'], hidden: readonly string[]): MetricValue['labels'] {
  return Object.fromEntries(Object.entries(labels).filter(([name]) => !hidden.includes(name)));
}

function storeUp(readable: () => Promise<boolean>) {
  const name = 'tenantscope_metrics_store_up';
  const help = '1 when /metrics could read the shared state in PostgreSQL, else 0 (store-backed series are then absent).';
  return {
    name,
    help,
    type: 'gauge',
    aggregator: 'omit',
    async get() {
      return { name, help, type: 'gauge', aggregator: 'omit', values: [{ value: (await readable()) ? 1 : 0, labels: {} }] };
    },
    reset() {},
  };
}
