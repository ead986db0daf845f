import { Queue } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

/** The queue every collector run goes through. */
export const COLLECT_QUEUE = 'collect';

/** Job payload of a collector run. The scheduled time comes from BullMQ (`opts.prevMillis`). */
export interface CollectJobData {
  collector: string;
  target: string;
}

/** Stable scheduler id per collector target, so a restart upserts instead of duplicating. */
export function schedulerId(collector: string, target: string): string {
  return `collect:${collector}:${target}`;
}

/** BullMQ needs `maxRetriesPerRequest: null` on worker connections (blocking commands). */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false, ...options });
}

/** One job repeated at a fixed interval: its scheduler id is also the job name. */
export interface IntervalSchedule {
  readonly id: string;
  readonly everyMs: number;
}

/**
 * The job schedulers of one queue (BullMQ `upsertJobScheduler` with stable ids): `sync` makes
 * them exist with these intervals, so a restart or a second scheduler process changes nothing.
 */
export class IntervalSchedules {
  private readonly queue: Queue;

  constructor(
    connection: Redis,
    prefix: string,
    name: string,
    private readonly schedules: readonly IntervalSchedule[],
  ) {
    this.queue = new Queue(name, { connection, prefix });
  }

  async sync(): Promise<void> {
    for (const s of this.schedules) {
      await this.queue.upsertJobScheduler(
        s.id,
        { every: s.everyMs },
        { name: s.id, data: {}, opts: { removeOnComplete: { count: 50 }, removeOnFail: { count: 200 }, attempts: 1 } },
      );
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
