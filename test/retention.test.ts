import { Queue } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../services/core/clock';
import { silentLogger } from '../services/core/logger';
import { createRedis } from '../services/queue/queues';
import { MAINTENANCE_QUEUE, MAINTENANCE_SCHEDULE, MaintenanceScheduler, maintenanceWorker } from '../services/queue/maintenance-queue';
import { pruneCollectorRuns } from '../collectors/lib/collector-run-retention';
import { REDIS_URL, removeQueues, uniquePrefix } from './helpers/database';
import { testFleet } from './helpers/fleets';
import { waitFor } from './helpers/processes';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

/** Retention of `collector_run`: old successful runs go, failed runs (SLA evidence) and recent runs stay. */
let db: MigratedDatabase;
let prefix: string;
const NOW = new Date('2026-03-20T12:00:00Z');
const HOUR = 3_600_000;
const RETENTION = { 'raw-samples': 2, 'minute-rollups': 13, 'sla-minutes': 25, 'noisy-attribution': 13 };

beforeAll(async () => {
  db = await migratedDatabase(testFleet());
  prefix = uniquePrefix();
});

afterAll(async () => {
  await removeQueues(prefix);
  await db.close();
});

beforeEach(async () => {
  await db.pool.query('TRUNCATE collector_run, collector_status');
});

/** One run per hour going back from `hoursAgo` for `count` hours, all for one collector and target. */
async function insertRuns(collector: string, target: string, success: boolean, fromHoursAgo: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const finished = new Date(NOW.getTime() - (fromHoursAgo + i) * HOUR);
    await db.pool.query(
      `INSERT INTO collector_run (collector, target, scheduled_at, finished_at, success, duration_seconds, records, rejected, error, worker)
       VALUES ($1, $2, $3, $4, $5, 0.5, 1, 0, $6, 'test:1')`,
      [collector, target, new Date(finished.getTime() - 500), finished, success, success ? null : 'connection refused'],
    );
  }
}

async function remaining(): Promise<{ collector: string; target: string; success: boolean; n: number }[]> {
  const { rows } = await db.pool.query(
    `SELECT collector, target, success, count(*)::int AS n FROM collector_run GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  );
  return rows;
}

async function seed(): Promise<void> {
  await insertRuns('odoo-probe', 't1.example.test', true, 8 * 24, 7); // old successful: 8 days ago and older
  await insertRuns('postgres', 'c1', true, 10 * 24, 4); // old successful
  await insertRuns('postgres', 'c1', false, 30 * 24, 3); // old failed: SLA evidence
  await insertRuns('odoo-probe', 't2.example.test', false, 9 * 24, 2); // old failed
  await insertRuns('odoo-probe', 't1.example.test', true, 1, 5); // recent successful
  await insertRuns('postgres', 'c1', true, 6 * 24, 2); // inside 7 days
  await db.pool.query(
    `INSERT INTO collector_status (collector, target, success, duration_seconds, finished_at) VALUES ('postgres', 'c1', true, 0.5, $1)`,
    [new Date(NOW.getTime() - 30 * 24 * HOUR)],
  );
}

const KEPT = [
  { collector: 'odoo-probe', target: 't1.example.test', success: true, n: 5 },
  { collector: 'odoo-probe', target: 't2.example.test', success: false, n: 2 },
  { collector: 'postgres', target: 'c1', success: false, n: 3 },
  { collector: 'postgres', target: 'c1', success: true, n: 2 },
];

describe('pruneCollectorRuns', () => {
  it('deletes exactly the successful runs older than the retention, in several batches', async () => {
    await seed();
    // 11 old successful rows in batches of 3: 3 + 3 + 3 + 2
    expect(await pruneCollectorRuns(db.pool, NOW, 7, 3)).toBe(11);
    expect(await remaining()).toEqual(KEPT);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM collector_status')).rows[0].n).toBe(1);
    // a second run finds nothing left
    expect(await pruneCollectorRuns(db.pool, NOW, 7, 3)).toBe(0);
    expect(await remaining()).toEqual(KEPT);
  });

  it('stops after maxBatches and leaves the rest for the next run', async () => {
    await seed();
    expect(await pruneCollectorRuns(db.pool, NOW, 7, 3, 2)).toBe(6);
    expect(await pruneCollectorRuns(db.pool, NOW, 7, 3, 2)).toBe(5);
    expect(await remaining()).toEqual(KEPT);
  });

  it('stops when a batch deletes exactly batch rows and the next deletes none', async () => {
    await insertRuns('odoo-probe', 't1.example.test', true, 8 * 24, 6);
    expect(await pruneCollectorRuns(db.pool, NOW, 7, 3)).toBe(6);
    expect(await remaining()).toEqual([]);
  });
});

describe('the maintenance queue', () => {
  it('registers one hourly collector-run-retention scheduler, however often it is synced', async () => {
    const scheduler = new MaintenanceScheduler(createRedis(REDIS_URL), prefix);
    await scheduler.sync();
    await scheduler.sync();
    await scheduler.close();
    const redis = createRedis(REDIS_URL);
    const queue = new Queue(MAINTENANCE_QUEUE, { connection: redis, prefix });
    const schedulers = await queue.getJobSchedulers();
    await queue.close();
    await redis.quit();
    expect(schedulers.map((s) => ({ key: s.key, every: Number(s.every) })).sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'collector-run-retention', every: 3_600_000 },
      { key: 'partition-retention', every: 86_400_000 },
    ]);
  });

  it('a worker prunes on a collector-run-retention job', async () => {
    await seed();
    const workerRedis = createRedis(REDIS_URL);
    const worker = maintenanceWorker(
      workerRedis,
      prefix,
      { pool: db.pool, clock: new ManualClock(NOW.getTime()), collectorRunRetentionDays: 7, retentionMonths: RETENTION, graceHours: 72 },
      silentLogger,
    );
    const redis = createRedis(REDIS_URL);
    const queue = new Queue(MAINTENANCE_QUEUE, { connection: redis, prefix });
    try {
      await queue.add(MAINTENANCE_SCHEDULE.id, {});
      await waitFor('the old successful runs to go', async () => JSON.stringify(await remaining()) === JSON.stringify(KEPT), 10_000);
    } finally {
      await worker.close(2_000);
      await queue.close();
      await redis.quit();
      await workerRedis.quit();
    }
  });
});
