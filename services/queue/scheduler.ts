import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CollectorTarget } from '../../collectors/targets';
import type { Logger } from '../core/logger';
import { COLLECT_QUEUE, openQueue, schedulerId, type CollectJobData } from './queues';

/**
 * Registers one BullMQ Job Scheduler per collector target (upsertJobScheduler with a stable id)
 * and removes the schedulers of targets that left the fleet file.
 */
export class CollectScheduler {
  private readonly queue: Queue<CollectJobData>;
  private wanted = 0;

  constructor(
    connection: Redis,
    prefix: string,
    private readonly log: Logger,
  ) {
    this.queue = openQueue<CollectJobData>(COLLECT_QUEUE, connection, prefix);
  }

  async sync(targets: readonly CollectorTarget[]): Promise<void> {
    const wanted = new Set<string>();
    for (const t of targets) {
      const id = schedulerId(t.collector, t.target);
      wanted.add(id);
      await this.queue.upsertJobScheduler(
        id,
        { every: t.intervalSeconds * 1000 },
        {
          name: t.collector,
          data: { collector: t.collector, target: t.target },
          // A run is recorded in PostgreSQL; Redis keeps only a short history for debugging.
          opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 500 }, attempts: 1 },
        },
      );
    }
    for (const existing of await this.queue.getJobSchedulers(0, -1)) {
      if (existing.key.startsWith('collect:') && !wanted.has(existing.key)) {
        await this.queue.removeJobScheduler(existing.key);
        this.log.info({ scheduler: existing.key }, 'schedule removed: target left the fleet file');
      }
    }
    this.wanted = wanted.size;
    this.log.info({ schedules: wanted.size }, 'collector schedules registered');
  }

  /** Whether Redis holds fewer schedules than the last sync made: it lost them (a restart without persistence, a failover). */
  async missing(): Promise<boolean> {
    return (await this.queue.getJobSchedulersCount()) < this.wanted;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
