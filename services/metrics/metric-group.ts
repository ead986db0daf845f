import type { Clock } from '../core/clock';
import type { Queryable } from '../storage/db';

type Labels = Record<string, string | number>;

export interface MetricValue {
  value: number;
  labels: Labels;
  /** For histograms: the `_bucket`, `_sum` or `_count` series name. */
  metricName?: string;
}

export interface StoreMetric<T> {
  name: string;
  help: string;
  type: 'gauge' | 'counter' | 'histogram';
  values(data: T): MetricValue[];
  /** Labels that name a customer (a display name): left out when TENANTSCOPE_METRICS_TENANT_NAMES=hide. */
  customerLabels?: readonly string[];
}

/**
 * Series read from PostgreSQL at scrape time: one `load` per scrape feeds all of the group's
 * metrics. A group whose load fails publishes nothing (never zeros) and turns
 * `tenantscope_metrics_store_up` to 0. Groups are listed in metrics/groups.ts.
 */
export interface MetricGroup<T> {
  name: string;
  /** `clock` is the scrape's clock, for values relative to now (ages, month to date). */
  load(db: Queryable, clock: Clock): Promise<T>;
  metrics: StoreMetric<T>[];
}
