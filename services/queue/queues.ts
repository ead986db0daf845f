import { Queue } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../core/logger';

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

/**
 * A connection to tenantscope's own Redis; BullMQ needs `maxRetriesPerRequest: null` on worker
 * connections (blocking commands). It always has an 'error' listener: without one ioredis prints
 * each connection error whole, the AUTH command's arguments (the password) included. With `log`
 * the errors are logged as { err } (redacted, no command arguments); without, the caller learns
 * of them through its commands.
 */
export function createRedis(url: string, options: RedisOptions = {}, log?: Logger): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false, ...options });
  client.on('error', (err: Error) => log?.warn({ err }, 'redis connection error'));
  return client;
}

/**
 * A BullMQ queue on `connection`. BullMQ re-emits its connection's errors on the queue, and a
 * queue without an 'error' listener prints them with console.error, the AUTH command's arguments
 * included; the connection's own listener (createRedis) already reports them.
 */
export function openQueue<T = unknown>(name: string, connection: Redis, prefix: string): Queue<T> {
  const queue = new Queue<T>(name, { connection, prefix });
  queue.on('error', () => undefined);
  return queue;
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
    readonly queueName: string,
    private readonly schedules: readonly IntervalSchedule[],
  ) {
    this.queue = openQueue(queueName, connection, prefix);
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

  /** Whether Redis holds fewer of these schedules than there are: it lost them. */
  async missing(): Promise<boolean> {
    return (await this.queue.getJobSchedulersCount()) < this.schedules.length;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
