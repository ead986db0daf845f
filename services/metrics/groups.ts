import type { MetricGroup } from './metric-group';
import { backupsMetrics } from './backups-metrics';
import { coreMetrics } from './core-metrics';
import { odooEventsMetrics } from './odoo-events-metrics';
import { odooJobsMetrics } from './odoo-jobs-metrics';
import { postgresMetrics } from './postgres-metrics';
import { traefikMetrics } from './traefik-metrics';
import { redisMetrics } from './redis-metrics';
import { slaMetrics } from './sla-metrics';
import { noisyMetrics } from './noisy-metrics';

/** Every group of store-backed series on /metrics. Adding one is one import and one entry. */
export const METRIC_GROUPS: readonly MetricGroup<unknown>[] = [
  coreMetrics as MetricGroup<unknown>,
  odooEventsMetrics as MetricGroup<unknown>,
  odooJobsMetrics as MetricGroup<unknown>,
  postgresMetrics as MetricGroup<unknown>,
  traefikMetrics as MetricGroup<unknown>,
  redisMetrics as MetricGroup<unknown>,
  backupsMetrics as MetricGroup<unknown>,
  slaMetrics as MetricGroup<unknown>,
  noisyMetrics as MetricGroup<unknown>,
];
