import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger';
import { freezeDue, type FreezeDeps } from '../sla/freeze';
import { JobWorker } from './job-worker';
import { IntervalSchedules } from './queues';
import { countClosedMinutes } from '../sla/store/minute-counter';
import type { PartitionKeeper } from '../storage/partitions';

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

/** Runs the SLA jobs; one at a time per worker: each run walks every tenant, and the locks make a second pointless. */
export function slaWorker(connection: Redis, prefix: string, deps: FreezeDeps & { partitions: PartitionKeeper }, log: Logger): JobWorker {
  return new JobWorker({ connection, prefix, queue: SLA_QUEUE, concurrency: 1, log }, async (job) => {
    if (job.name === 'sla-minutes') {
      await countClosedMinutes(deps);
    } else if (job.name === 'sla-freeze') {
      const outcomes = await freezeDue(deps, (tenant, month, err) => log.warn({ tenant, month, err }, 'SLA month could not be frozen'));
      for (const o of outcomes.filter((x) => x.created))
        log.info({ tenant: o.tenant, month: o.month, revision: o.revision, reason: o.reason }, 'SLA report revision stored');
    }
  });
}
