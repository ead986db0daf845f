import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { Pool } from '../storage/db';
import { pruneCollectorRuns } from '../storage/retention';
import { closeWorker, IntervalSchedules } from './queues';

/**
 * The maintenance jobs, thin over services/storage: `collector-run-retention` (hourly) deletes
 * successful collector runs older than TENANTSCOPE_COLLECTOR_RUN_RETENTION_DAYS in bounded
 * batches (services/storage/retention.ts). Idempotent: a duplicated run finds less or nothing to delete.
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

export class MaintenanceWorker {
  private readonly worker: Worker;

  constructor(
    connection: Redis,
    prefix: string,
    deps: MaintenanceDeps,
    private readonly log: Logger,
  ) {
    this.worker = new Worker(
      MAINTENANCE_QUEUE,
      async (job) => {
        if (job.name === MAINTENANCE_SCHEDULE.id) {
          const deleted = await pruneCollectorRuns(deps.pool, new Date(deps.clock.now()), deps.collectorRunRetentionDays);
          if (deleted > 0) log.info({ deleted, keepDays: deps.collectorRunRetentionDays }, 'old successful collector runs deleted');
        }
      },
      // One at a time per worker: a second concurrent prune would only contend for the same rows.
      { connection, prefix, concurrency: 1 },
    );
    this.worker.on('error', (err) => log.error({ err }, 'maintenance queue worker error'));
    this.worker.on('failed', (_job, err) => log.warn({ err }, 'maintenance run failed'));
  }

  close(graceMs: number): Promise<void> {
    return closeWorker(this.worker, graceMs, this.log);
  }
}
