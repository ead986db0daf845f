import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../services/core/clock';
import { defaultDetectorFactory } from '../services/noisy/detector-port';
import { runNoisyDetection, type LiveDeps } from '../services/noisy/live-run';
import { PartitionKeeper } from '../services/storage/partitions';
import { testFleet } from './helpers/fleets';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

const MIN = 60_000;
const T0 = Date.parse('2026-04-07T09:00:00Z');
const fleet = testFleet({ logFile: '/nonexistent/odoo.log' });
let db: MigratedDatabase;
const clock = new ManualClock(T0 + 30 * MIN);
const deps = (): LiveDeps => ({ pool: db.pool, fleet, clock, partitions: new PartitionKeeper(db.pool), detector: defaultDetectorFactory });

beforeAll(async () => {
  db = await migratedDatabase(fleet);
  for (const t of ['pg_tenant_minute', 'tenant_minute'])
    await db.pool.query('SELECT tenantscope_ensure_month_partition($1, $2)', [t, new Date(T0)]);
}, 60_000);
afterAll(() => db?.close());

describe('the first noisy-neighbour run of a cluster with Odoo logs', () => {
  it('waits for the log history before it sets a watermark, then learns from all of it', async () => {
    // PostgreSQL samples arrive at once; the Odoo log backlog is still being read.
    for (let i = 0; i < 20; i++) {
      await db.pool.query(
        'INSERT INTO pg_tenant_minute (tenant_id, minute, active_seconds, max_backends, lock_wait_caused_seconds, blks_read, temp_bytes) VALUES ($1, $2, 5, 2, 0, 100, 0)',
        ['t1', new Date(T0 + i * MIN)],
      );
    }
    const [waiting] = await runNoisyDetection(deps());
    expect(waiting?.minutes).toBe(0);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM noisy_detector_state')).rows[0].n).toBe(0);

    // The log's history lands (minutes 0-19 of the same window).
    for (let i = 0; i < 20; i++) {
      await db.pool.query(
        'INSERT INTO tenant_minute (tenant_id, minute, odoo_requests_2xx, odoo_sql_seconds, odoo_python_seconds, odoo_duration_counts, odoo_duration_sum) VALUES ($1, $2, 30, 2, 2, $3, 4)',
        ['t1', new Date(T0 + i * MIN), [30]],
      );
    }
    const [first] = await runNoisyDetection(deps());
    expect(first?.minutes).toBeGreaterThan(20);
    const { rows } = await db.pool.query(
      "SELECT count(*)::int AS n FROM tenant_resource_minute WHERE tenant_id = 't1' AND resource = 'odoo_workers'",
    );
    expect(rows[0].n).toBe(20);
  });

  it('holds its watermark at the newest Odoo minute while the log reader takes a backlog, unless the reader stalled', async () => {
    // tenantscope was down from minute 28 to 60; the log reader is catching up, 10 minutes stored.
    clock.set(T0 + 62 * MIN);
    for (let i = 28; i < 38; i++) {
      await db.pool.query(
        'INSERT INTO tenant_minute (tenant_id, minute, odoo_requests_2xx, odoo_sql_seconds, odoo_python_seconds, odoo_duration_counts, odoo_duration_sum) VALUES ($1, $2, 30, 2, 2, $3, 4)',
        ['t1', new Date(T0 + i * MIN), [30]],
      );
    }
    const checkpoint =
      "INSERT INTO ingest_checkpoint VALUES ('odoo-log', '/nonexistent/odoo.log', '1:2', 4096, $1, $2) ON CONFLICT (collector, target) DO UPDATE SET updated_at = $1, behind = $2";
    await db.pool.query(checkpoint, [new Date(clock.now()), true]);
    const watermark = async (): Promise<number> =>
      (await db.pool.query("SELECT watermark FROM noisy_detector_state WHERE cluster_id = 'c1'")).rows[0].watermark.getTime();
    await runNoisyDetection(deps());
    // Minute 37 may still be partial: the job stops before it.
    expect((await watermark()) - T0).toBe(37 * MIN);

    // Caught up: on to the closed minutes.
    await db.pool.query(checkpoint, [new Date(clock.now()), false]);
    await runNoisyDetection(deps());
    expect((await watermark()) - T0).toBe(60 * MIN);

    // A reader still flagged behind but silent for longer than the stall limit holds nothing.
    clock.set(T0 + 80 * MIN);
    await db.pool.query(checkpoint, [new Date(clock.now() - 11 * MIN), true]);
    await runNoisyDetection(deps());
    expect((await watermark()) - T0).toBe(78 * MIN);
  });
});
