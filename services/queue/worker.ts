import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CollectorRunner } from '../../collectors/runner';
import type { Logger } from '../core/logger';
import { closeWorker, COLLECT_QUEUE, type CollectJobData } from './queues';

/** The scheduled time of a job: BullMQ job schedulers put it in `opts.prevMillis`. */
export function scheduledAt(job: Job<CollectJobData>): Date {
  const prev = (job.opts as { prevMillis?: number }).prevMillis;
  if (typeof prev === 'number') return new Date(prev);
  const fromId = /:(\d{10,})$/.exec(job.id ?? '');
  return new Date(fromId ? Number(fromId[1]) : job.timestamp);
}

/** Runs collector jobs from the queue; any number of these share it. */
export class CollectWorker {
  private readonly worker: Worker<CollectJobData>;

  constructor(
    connection: Redis,
    prefix: string,
    concurrency: number,
    runner: CollectorRunner,
    private readonly log: Logger,
  ) {
    this.worker = new Worker<CollectJobData>(
      COLLECT_QUEUE,
      async (job) => {
        await runner.run({ collector: job.data.collector, target: job.data.target, scheduledAt: scheduledAt(job) });
      },
      { connection, prefix, concurrency },
    );
    this.worker.on('error', (err) => log.error({ err }, 'queue worker error'));
  }

  /** Waits for running jobs up to `graceMs`, then stops without waiting for them. */
  close(graceMs: number): Promise<void> {
    return closeWorker(this.worker, graceMs, this.log);
  }
}
