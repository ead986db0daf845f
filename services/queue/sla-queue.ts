import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger';
import { freezeDue, type FreezeDeps } from '../sla/freeze';
import { enqueueChildren, slotOf, tenantBatches, tenantsOf, type FanOutJobData } from './fan-out';
import { JobWorker } from './job-worker';
import { IntervalSchedules, openQueue } from './queues';
import { countClosedMinutes } from '../sla/store/minute-counter';
import type { PartitionKeeper } from '../storage/partitions';

/**
 * The SLA jobs, thin over services/sla: `sla-minutes` counts the minutes that closed (every
 * minute) and `sla-freeze` freezes closed months and re-checks frozen ones (hourly). Each
 * scheduled job only fans out (services/queue/fan-out.ts): one `sla-minutes-batch` or
 * `sla-freeze-batch` job per batch of a cluster's tenants, with ids deterministic per slot, and
 * the workers share those. Idempotent in PostgreSQL (a cursor and an advisory lock per tenant,
 * a lock per tenant-month), so a duplicated or retried job does nothing twice.
 */
export const SLA_QUEUE = 'sla';
export const SLA_SCHEDULES = [
  { id: 'sla-minutes', everyMs: 60_000 },
  { id: 'sla-freeze', everyMs: 3_600_000 },
] as const;
/** The jobs a scheduled one fans out to, by schedule. */
export const SLA_BATCH_JOB = { 'sla-minutes': 'sla-minutes-batch', 'sla-freeze': 'sla-freeze-batch' } as const;

/**
 * Jobs at once per worker process: the batches touch disjoint tenants, each holds one pooled
 * connection at a time, and more processes add more; 2 keeps a process's pool (shared with the
 * collectors) from being taken over by SLA work.
 */
export const SLA_CONCURRENCY = 2;

export class SlaScheduler extends IntervalSchedules {
  constructor(connection: Redis, prefix: string) {
    super(connection, prefix, SLA_QUEUE, SLA_SCHEDULES);
  }
}

export type SlaDeps = FreezeDeps & { partitions: PartitionKeeper };

/** Runs the SLA jobs: scheduled ones fan out, batch jobs do the work for their tenants. */
export function slaWorker(
  connection: Redis,
  prefix: string,
  deps: SlaDeps,
  log: Logger,
  concurrency = SLA_CONCURRENCY,
): JobWorker<FanOutJobData> {
  const queue = openQueue(SLA_QUEUE, connection, prefix);
  const worker = new JobWorker<FanOutJobData>({ connection, prefix, queue: SLA_QUEUE, concurrency, log }, async (job) => {
    const schedule = SLA_SCHEDULES.find((s) => s.id === job.name);
    if (schedule) {
      await enqueueChildren(queue, SLA_BATCH_JOB[schedule.id], tenantBatches(deps.fleet, schedule.id, slotOf(job, schedule.everyMs)));
    } else if (job.name === SLA_BATCH_JOB['sla-minutes']) {
      await countClosedMinutes(deps, tenantsOf(deps.fleet, job.data));
    } else if (job.name === SLA_BATCH_JOB['sla-freeze']) {
      const warn = (tenant: string, month: string, err: Error) => log.warn({ tenant, month, err }, 'SLA month could not be frozen');
      const outcomes = await freezeDue(deps, warn, tenantsOf(deps.fleet, job.data));
      for (const o of outcomes.filter((x) => x.created))
        log.info({ tenant: o.tenant, month: o.month, revision: o.revision, reason: o.reason }, 'SLA report revision stored');
    }
  });
  return worker.closeAfter(() => queue.close());
}
