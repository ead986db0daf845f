import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { COLLECT_QUEUE } from '../../services/queue/queues';
import { MAINTENANCE_QUEUE } from '../../services/queue/maintenance-queue';
import { NOISY_QUEUE } from '../../services/queue/noisy-queue';
import { SLA_QUEUE } from '../../services/queue/sla-queue';

export const ADMIN_URL = process.env.TENANTSCOPE_TEST_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TENANTSCOPE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database for one test file or test; drop() removes it and its connections. */
export async function createTestDatabase(prefix = 'ts_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A unique BullMQ prefix per test, so queues never meet. */
export function uniquePrefix(): string {
  return `tstest-${randomBytes(5).toString('hex')}`;
}

/** Removes everything BullMQ kept in Redis under a test's prefix. */
export async function removeQueues(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  for (const name of [COLLECT_QUEUE, SLA_QUEUE, NOISY_QUEUE, MAINTENANCE_QUEUE]) {
    const queue = new Queue(name, { connection: redis, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await redis.quit();
}
