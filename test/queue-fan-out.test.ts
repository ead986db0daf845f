import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../services/core/clock';
import { silentLogger } from '../services/core/logger';
import { defaultDetectorFactory } from '../services/noisy/detector-port';
import { clusterJobs, tenantBatches } from '../services/queue/fan-out';
import { NOISY_CLUSTER_JOB, NOISY_QUEUE, noisyWorker } from '../services/queue/noisy-queue';
import { createRedis } from '../services/queue/queues';
import { SLA_BATCH_JOB, SLA_QUEUE, slaWorker } from '../services/queue/sla-queue';
import { freezeDue } from '../services/sla/freeze';
import { countClosedMinutes } from '../services/sla/store/minute-counter';
import { PartitionKeeper } from '../services/storage/partitions';
import { REDIS_URL, removeQueues, uniquePrefix } from './helpers/database';
import { buildFleet } from './helpers/fleet-builder';
import { testFleetSpec } from './helpers/fleets';
import { waitFor } from './helpers/processes';
import { insertProbes, slaDatabase, type SlaDb } from './sla-fixture';

// 60 tenants on two clusters (30 each): batches of 25 make four SLA jobs, two per cluster.
const spec = testFleetSpec({ tenants: 60 });
spec.clusters.c2 = { timezone: 'Europe/Berlin' };
spec.tenants = spec.tenants.map((t, i) => (i >= 30 ? { ...t, cluster: 'c2' } : t));
const fleet = buildFleet(spec);
const clock = new ManualClock(Date.parse('2026-03-01T01:05:00Z'));
const prefix = uniquePrefix();
let loop: SlaDb;
let fanned: SlaDb;
const redisClients: Redis[] = [];
const redis = () => {
  const client = createRedis(REDIS_URL);
  redisClients.push(client);
  return client;
};

/** Probes that differ per tenant: tenant i fails i % 7 minutes of the first hour. */
async function seed(s: SlaDb): Promise<void> {
  for (const [i, t] of fleet.tenants.entries()) {
    await insertProbes(s.pool, t.id, '2026-02-28T23:00:00Z', '2026-03-01T01:00:00Z', 2, 0);
    if (i % 7) await insertProbes(s.pool, t.id, '2026-02-28T23:10:00Z', `2026-02-28T23:${10 + (i % 7)}:00Z`, 0, 2);
  }
}

const COUNTS = `SELECT t.tenant_id, t.good, t.bad, t.nodata, t.excluded, t.counted_until, encode(string_agg(m.states, '' ORDER BY m.day), 'hex') AS days
  FROM sla_minute_total t JOIN sla_minute m USING (tenant_id) GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1`;

beforeAll(async () => {
  [loop, fanned] = await Promise.all([slaDatabase(fleet, ['2026-03']), slaDatabase(fleet, ['2026-03'])]);
  await Promise.all([seed(loop), seed(fanned)]);
}, 120_000);
afterAll(async () => {
  await Promise.all(redisClients.map((c) => c.quit()));
  await removeQueues(prefix);
  await Promise.all([loop?.close(), fanned?.close()]);
});

describe('fan-out of the scheduled SLA and noisy jobs', () => {
  it('makes deterministic child ids per slot, without the colon BullMQ refuses', () => {
    const slot = Date.parse('2026-03-01T01:05:00Z');
    const batches = tenantBatches(fleet, 'sla-minutes', slot);
    expect(batches.map((b) => [b.id, b.data.tenants?.length])).toEqual([
      [`sla-minutes.c1.0.${slot}`, 25],
      [`sla-minutes.c1.1.${slot}`, 5],
      [`sla-minutes.c2.0.${slot}`, 25],
      [`sla-minutes.c2.1.${slot}`, 5],
    ]);
    expect(batches.flatMap((b) => b.data.tenants)).toEqual(fleet.tenants.map((t) => t.id));
    expect(tenantBatches(fleet, 'sla-minutes', slot)).toEqual(batches);
    expect(clusterJobs(fleet, 'noisy-minutes', slot).map((c) => c.id)).toEqual([`noisy-minutes.c1.${slot}`, `noisy-minutes.c2.${slot}`]);
  });

  it('counts per tenant exactly what one looping job counts, once, with two workers and a duplicated fan-out', async () => {
    await countClosedMinutes({ pool: loop.pool, fleet, clock, partitions: new PartitionKeeper(loop.pool) });
    const deps = { pool: fanned.pool, fleet, clock, signingKey: null, graceHours: 72, partitions: new PartitionKeeper(fanned.pool) };
    const workers = [slaWorker(redis(), prefix, deps, silentLogger), slaWorker(redis(), prefix, deps, silentLogger)];
    const queue = new Queue(SLA_QUEUE, { connection: redis(), prefix });
    try {
      // the same slot fanned out twice (a retried or duplicated scheduled job)
      const timestamp = Date.parse('2026-03-01T01:05:10Z');
      await queue.add('sla-minutes', {}, { timestamp });
      await queue.add('sla-minutes', {}, { timestamp: timestamp + 20_000 });
      const batchJobs = async () => (await queue.getJobs(['completed', 'failed'])).filter((j) => j.name === SLA_BATCH_JOB['sla-minutes']);
      await waitFor('two fan-outs and their batches', async () => (await queue.getCompletedCount()) >= 6, 30_000);
      const done = await batchJobs();
      expect(done.map((j) => j.id).sort()).toEqual(
        tenantBatches(fleet, 'sla-minutes', Date.parse('2026-03-01T01:05:00Z')).map((b) => b.id),
      );
      expect(await queue.getFailedCount()).toBe(0);
      const expected = (await loop.pool.query(COUNTS)).rows;
      expect(expected).toHaveLength(60);
      expect((await fanned.pool.query(COUNTS)).rows).toEqual(expected);
      // a batch job run again (BullMQ retry) finds the cursors moved and counts nothing twice
      await queue.add(SLA_BATCH_JOB['sla-minutes'], { cluster: 'c1', tenants: ['t1', 't2'] }, { jobId: 'retry-of-a-batch' });
      await waitFor('the repeated batch', async () => (await queue.getJob('retry-of-a-batch'))?.finishedOn !== undefined, 30_000);
      expect((await fanned.pool.query(COUNTS)).rows).toEqual(expected);
    } finally {
      await Promise.all(workers.map((w) => w.close(2_000)));
      await queue.close();
    }
  }, 60_000);

  it('freezes per batch what one looping freeze run freezes', async () => {
    // April 5th: March's grace period (72 h) has passed in Berlin
    const later = new ManualClock(Date.parse('2026-04-05T00:00:00Z'));
    const looped = await freezeDue({ pool: loop.pool, fleet, clock: later, signingKey: null, graceHours: 72 });
    expect(looped.filter((o) => o.created)).toHaveLength(60);
    const deps = { pool: fanned.pool, fleet, clock: later, signingKey: null, graceHours: 72, partitions: new PartitionKeeper(fanned.pool) };
    const workers = [slaWorker(redis(), prefix, deps, silentLogger), slaWorker(redis(), prefix, deps, silentLogger)];
    const queue = new Queue(SLA_QUEUE, { connection: redis(), prefix });
    try {
      await queue.add('sla-freeze', {}, { timestamp: later.now() });
      const batches = tenantBatches(fleet, 'sla-freeze', later.now()).map((b) => b.id);
      const done = async () => (await queue.getJobs(['completed'])).filter((j) => j.name === SLA_BATCH_JOB['sla-freeze']).map((j) => j.id);
      await waitFor('the freeze batches', async () => (await done()).length === batches.length, 30_000);
      expect((await done()).sort()).toEqual(batches);
      const REPORTS = 'SELECT tenant_id, month, revision, canonical, digest FROM sla_report ORDER BY tenant_id, month';
      const expected = (await loop.pool.query(REPORTS)).rows;
      expect(expected).toHaveLength(60);
      expect((await fanned.pool.query(REPORTS)).rows).toEqual(expected);
    } finally {
      await Promise.all(workers.map((w) => w.close(2_000)));
      await queue.close();
    }
  }, 60_000);

  it('runs the noisy detector once per cluster and minute', async () => {
    const partitions = new PartitionKeeper(fanned.pool);
    const deps = { pool: fanned.pool, fleet, clock, partitions, detector: defaultDetectorFactory };
    const workers = [noisyWorker(redis(), prefix, deps, silentLogger), noisyWorker(redis(), prefix, deps, silentLogger)];
    const queue = new Queue(NOISY_QUEUE, { connection: redis(), prefix });
    try {
      const timestamp = Date.parse('2026-03-01T01:05:10Z');
      await queue.add('noisy-minutes', {}, { timestamp });
      await queue.add('noisy-minutes', {}, { timestamp: timestamp + 1_000 });
      await waitFor('two fan-outs and their cluster jobs', async () => (await queue.getCompletedCount()) >= 4, 30_000);
      const clusterIds = (await queue.getJobs(['completed', 'failed'])).filter((j) => j.name === NOISY_CLUSTER_JOB).map((j) => j.id);
      expect(clusterIds.sort()).toEqual(clusterJobs(fleet, 'noisy-minutes', Date.parse('2026-03-01T01:05:00Z')).map((c) => c.id));
      const { rows } = await fanned.pool.query<{ cluster_id: string; watermark: Date }>(
        'SELECT cluster_id, watermark FROM noisy_detector_state ORDER BY 1',
      );
      // closed until 01:03Z (two minutes of lateness), both clusters stepped through
      expect(rows.map((r) => [r.cluster_id, r.watermark.toISOString()])).toEqual([
        ['c1', '2026-03-01T01:03:00.000Z'],
        ['c2', '2026-03-01T01:03:00.000Z'],
      ]);
    } finally {
      await Promise.all(workers.map((w) => w.close(2_000)));
      await queue.close();
    }
  }, 60_000);
});
