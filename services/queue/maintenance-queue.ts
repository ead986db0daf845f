import type { Redis } from 'ioredis';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { Pool } from '../storage/db';
import { pruneCollectorRuns } from '../../collectors/lib/collector-run-retention';
import { JobWorker } from './job-worker';
import { IntervalSchedules } from './queues';
import { runPartitionRetention } from './partition-retention';
import type { RetentionMonths } from '../storage/retention';

/**
 * The maintenance jobs, thin over their owners: `collector-run-retention` (hourly) deletes
 * successful collector runs older than TENANTSCOPE_COLLECTOR_RUN_RETENTION_DAYS in bounded
 * batches (collectors/lib/collector-run-retention.ts); `partition-retention` (daily) drops the
 * monthly partitions past their class's TENANTSCOPE_RETENTION_*_MONTHS, never evidence of an SLA
 * month still to be frozen or re-checked (partition-retention.ts). Both idempotent: a duplicated
 * or interrupted run is finished by the next.
 */
export const MAINTENANCE_QUEUE = 'maintenance';
export const MAINTENANCE_SCHEDULE = { id: 'collector-run-retention', everyMs: 3_600_000 } as const;
export const PARTITION_RETENTION_SCHEDULE = { id: 'partition-retention', everyMs: 86_400_000 } as const;

export interface MaintenanceDeps {
  pool: Pool;
  clock: Clock;
  /** Successful collector runs are kept this many days. */
  collectorRunRetentionDays: number;
  /** Whole months kept per table class, and the SLA grace hours that protect unfrozen months. */
  retentionMonths: RetentionMonths;
  graceHours: number;
}

export class MaintenanceScheduler extends IntervalSchedules {
  constructor(connection: Redis, prefix: string) {
    super(connection, prefix, MAINTENANCE_QUEUE, [MAINTENANCE_SCHEDULE, PARTITION_RETENTION_SCHEDULE]);
  }
}

/** Runs the maintenance jobs; one at a time per worker: a second concurrent prune would only contend for the same rows. */
export function maintenanceWorker(connection: Redis, prefix: string, deps: MaintenanceDeps, log: Logger): JobWorker {
  return new JobWorker({ connection, prefix, queue: MAINTENANCE_QUEUE, concurrency: 1, log }, async (job) => {
    if (job.name === MAINTENANCE_SCHEDULE.id) {
      const deleted = await pruneCollectorRuns(deps.pool, new Date(deps.clock.now()), deps.collectorRunRetentionDays);
      if (deleted > 0) log.info({ deleted, keepDays: deps.collectorRunRetentionDays }, 'old successful collector runs deleted');
    } else if (job.name === PARTITION_RETENTION_SCHEDULE.id) {
      const { dropped } = await runPartitionRetention(deps, deps.clock.now(), log);
      if (dropped.length > 0) log.info({ dropped: dropped.length }, 'old monthly partitions dropped');
    }
  });
}
