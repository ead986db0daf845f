import type { MetricGroup } from './metric-group';
import { coreMetrics } from './core-metrics';

/** Every group of store-backed series on /metrics. Adding one is one import and one entry. */
export const METRIC_GROUPS: readonly MetricGroup<unknown>[] = [coreMetrics as MetricGroup<unknown>];
