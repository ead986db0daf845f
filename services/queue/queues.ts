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
