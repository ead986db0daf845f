import type { Redis } from 'ioredis';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { Pool } from '../storage/db';
import { pruneCollectorRuns } from '../../collectors/lib/collector-run-retention';
import { JobWorker } from './job-worker';
import { IntervalSchedules } from './queues';

/**
 * The maintenance jobs, thin over their owners: `collector-run-retention` (hourly) deletes
 * successful collector runs older than TENANTSCOPE_COLLECTOR_RUN_RETENTION_DAYS in bounded
 * batches (collectors/lib/collector-run-retention.ts). Idempotent: a duplicated run finds less or nothing to delete.
 */
export const MAINTENANCE_QUEUE = 'maintenance';
export const MAINTENANCE_SCHEDULE = { id: 'collector-run-retention', everyMs: 3_600_000 } as const;

export interface MaintenanceDeps {
  pool: Pool;
  clock: Clock;
  /** Successful collector runs are kept this many days. */
  collectorRunRetentionDays: number;
}

export class MaintenanceScheduler extends IntervalSchedules {
  constructor(connection: Redis, prefix: string) {
    super(connection, prefix, MAINTENANCE_QUEUE, [MAINTENANCE_SCHEDULE]);
  }
}

/** Runs the maintenance jobs; one at a time per worker: a second concurrent prune would only contend for the same rows. */
export function maintenanceWorker(connection: Redis, prefix: string, deps: MaintenanceDeps, log: Logger): JobWorker {
  return new JobWorker({ connection, prefix, queue: MAINTENANCE_QUEUE, concurrency: 1, log }, async (job) => {
    if (job.name === MAINTENANCE_SCHEDULE.id) {
      const deleted = await pruneCollectorRuns(deps.pool, new Date(deps.clock.now()), deps.collectorRunRetentionDays);
      if (deleted > 0) log.info({ deleted, keepDays: deps.collectorRunRetentionDays }, 'old successful collector runs deleted');
    }
  });
}
