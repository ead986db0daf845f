import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CollectorRunner } from '../../collectors/runner';
import type { Logger } from '../core/logger';
import { JobWorker } from './job-worker';
import { COLLECT_QUEUE, type CollectJobData } from './queues';

/** The scheduled time of a job: BullMQ job schedulers put it in `opts.prevMillis`. */
export function scheduledAt(job: Job<CollectJobData>): Date {
  const prev = (job.opts as { prevMillis?: number }).prevMillis;
  if (typeof prev === 'number') return new Date(prev);
  const fromId = /:(\d{10,})$/.exec(job.id ?? '');
  return new Date(fromId ? Number(fromId[1]) : job.timestamp);
}

/** Runs collector jobs from the queue; any number of these share it. */
export function collectWorker(
  connection: Redis,
  prefix: string,
  concurrency: number,
  runner: CollectorRunner,
  log: Logger,
): JobWorker<CollectJobData> {
  return new JobWorker<CollectJobData>({ connection, prefix, queue: COLLECT_QUEUE, concurrency, log }, async (job) => {
    await runner.run({ collector: job.data.collector, target: job.data.target, scheduledAt: scheduledAt(job) });
  });
}
