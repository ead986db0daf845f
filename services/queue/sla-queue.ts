import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger';
import { freezeDue, type FreezeDeps } from '../sla/freeze';
import { closeWorker, IntervalSchedules } from './queues';
import { countClosedMinutes } from '../sla/store/minute-counter';
import { PartitionKeeper } from '../storage/partitions';

/**
 * The SLA jobs, thin over services/sla: `sla-minutes` counts the minutes that closed (every
 * minute) and `sla-freeze` freezes closed months and re-checks frozen ones (hourly). Both are
 * idempotent in PostgreSQL (a cursor and advisory locks), so a duplicated run does nothing twice.
 */
export const SLA_QUEUE = 'sla';
export const SLA_SCHEDULES = [
  { id: 'sla-minutes', everyMs: 60_000 },
  { id: 'sla-freeze', everyMs: 3_600_000 },
] as const;

export class SlaScheduler extends IntervalSchedules {
  constructor(connection: Redis, prefix: string) {
    super(connection, prefix, SLA_QUEUE, SLA_SCHEDULES);
  }
}

export class SlaWorker {
  private readonly worker: Worker;

  constructor(
    connection: Redis,
    prefix: string,
    deps: FreezeDeps,
    private readonly log: Logger,
  ) {
    const partitions = new PartitionKeeper(deps.pool);
    this.worker = new Worker(
      SLA_QUEUE,
      async (job) => {
        if (job.name === 'sla-minutes') {
          await countClosedMinutes({ ...deps, partitions });
        } else if (job.name === 'sla-freeze') {
          const outcomes = await freezeDue(deps, (tenant, month, err) => log.warn({ tenant, month, err }, 'SLA month could not be frozen'));
          for (const o of outcomes.filter((x) => x.created))
            log.info({ tenant: o.tenant, month: o.month, revision: o.revision, reason: o.reason }, 'SLA report revision stored');
        }
      },
      // One at a time per worker: each run walks every tenant, and the locks make a second pointless.
      { connection, prefix, concurrency: 1 },
    );
    this.worker.on('error', (err) => log.error({ err }, 'SLA queue worker error'));
  }

  close(graceMs: number): Promise<void> {
    return closeWorker(this.worker, graceMs, this.log);
  }
}
