import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger';
import { redactedError } from '../core/redact';

export interface JobWorkerOptions {
  connection: Redis;
  prefix: string;
  queue: string;
  concurrency: number;
  log: Logger;
}

/**
 * The one BullMQ worker of tenantscope: every queue (collect, sla, noisy, maintenance) runs its
 * jobs through it, so every queue logs its connection errors and failed jobs the same way and
 * drains within the same grace period at shutdown.
 */
export class JobWorker<T = unknown> {
  private readonly worker: Worker<T>;
  private readonly log: Logger;
  private readonly closing: (() => Promise<void>)[] = [];

  constructor(options: JobWorkerOptions, run: (job: Job<T>) => Promise<void>) {
    const { connection, prefix, queue, concurrency } = options;
    this.log = options.log.child({ queue });
    // a failed job's reason and stack are kept in Redis by BullMQ: only ever redacted
    const guarded = async (job: Job<T>) => {
      try {
        await run(job);
      } catch (err) {
        throw redactedError(err);
      }
    };
    this.worker = new Worker<T>(queue, guarded, { connection, prefix, concurrency });
    this.worker.on('error', (err) => this.log.error({ err }, 'queue worker error'));
    this.worker.on('failed', (job, err) => this.log.warn({ err, job: job?.name, jobId: job?.id }, 'job failed'));
  }

  /** Resolves once the worker is connected and taking jobs. */
  async ready(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  /** Something to close after the worker, such as the queue a fan-out job adds its children to. */
  closeAfter(close: () => Promise<void>): this {
    this.closing.push(close);
    return this;
  }

  /** Waits for running jobs up to `graceMs`, then stops without waiting for them. */
  async close(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const graceful = this.worker.close().then(() => true);
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    const drained = await Promise.race([graceful, timeout]);
    clearTimeout(timer);
    if (!drained) {
      this.log.warn({ graceMs }, 'jobs still running at shutdown; stopping without them');
      // BullMQ's force close still waits on the abandoned jobs' promises; do not wait for it.
      void this.worker.close(true).catch(() => undefined);
    }
    for (const close of this.closing) await close().catch(() => undefined);
  }
}
