import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from '../logger';
import type { Queryable } from '../storage/db';
import { loadMetricsSnapshot, type MetricsSnapshot } from '../storage/metrics-store';
import { STORE_METRICS, type StoreMetric } from './store-metrics';

export interface BuildInfo {
  version: string;
  revision: string;
}

/**
 * The /metrics registry. prom-client renders every metric with Promise.all, so one throwing
 * metric would fail the whole scrape: store-backed metrics share one snapshot per scrape and
 * publish nothing (and `tenantscope_metrics_store_up 0`) when the database cannot be read.
 */
export function createMetricsRegistry(db: Queryable, build: BuildInfo, log: Logger): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'tenantscope_build_info',
    help: 'Version of tenantscope serving these metrics.',
    labelNames: ['version', 'revision', 'nodejs_version'],
    registers: [registry],
  }).set({ version: build.version, revision: build.revision, nodejs_version: process.version }, 1);

  let pending: Promise<MetricsSnapshot | undefined> | undefined;
  const snapshot = (): Promise<MetricsSnapshot | undefined> => {
    // One read serves every metric of the same scrape (and scrapes that overlap it).
    pending ??= loadMetricsSnapshot(db)
      .catch((err: Error) => {
        log.warn({ err: err.message }, 'metrics store unreadable; store-backed series omitted');
        return undefined;
      })
      .finally(() => setTimeout(() => (pending = undefined), 250).unref());
    return pending;
  };

  registry.registerMetric(storeUp(snapshot) as never);
  for (const metric of STORE_METRICS) registry.registerMetric(fromStore(metric, snapshot) as never);
  return registry;
}

function fromStore(metric: StoreMetric, snapshot: () => Promise<MetricsSnapshot | undefined>) {
  return {
    name: metric.name,
    help: metric.help,
    type: metric.type,
    aggregator: 'omit',
    async get() {
      const s = await snapshot();
      let values: ReturnType<StoreMetric['values']> = [];
      try {
        if (s) values = metric.values(s);
      } catch {
        values = [];
      }
      return { name: metric.name, help: metric.help, type: metric.type, aggregator: 'omit', values };
    },
    reset() {},
  };
}

function storeUp(snapshot: () => Promise<MetricsSnapshot | undefined>) {
  const name = 'tenantscope_metrics_store_up';
  const help = '1 when /metrics could read the shared state in PostgreSQL, else 0 (store-backed series are then absent).';
  return {
    name,
    help,
    type: 'gauge',
    aggregator: 'omit',
    async get() {
      const s = await snapshot();
      return { name, help, type: 'gauge', aggregator: 'omit', values: [{ value: s ? 1 : 0, labels: {} }] };
    },
    reset() {},
  };
}
