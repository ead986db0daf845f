import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFleet } from './helpers/fleet-builder';
import { testFleetSpec } from './helpers/fleets';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';
import { ManualClock } from '../services/core/clock';
import type { Fleet } from '../services/config/fleet-types';
import { usageReport } from '../services/noisy/usage-report';
import { PartitionKeeper } from '../services/storage/partitions';

const GIB = 2 ** 30;
const DAY = 86_400_000;
// Asked on 21 March 2026, 12:00 UTC: the month so far is 20.5 days; February had 28.
const NOW = Date.UTC(2026, 2, 21, 12, 0, 0);

let db: MigratedDatabase;
let fleet: Fleet;
beforeAll(async () => {
  const spec = testFleetSpec({ tenants: 3 });
  spec.clusters.c1!.timezone = 'UTC';
  spec.clusters.c1!.capacity = { diskGiB: 100 };
  spec.tenants[0]!.storageQuotaGiB = 50;
  spec.tenants[1]!.storageQuotaGiB = 50;
  fleet = buildFleet(spec, { source: 'usage-growth.yaml' });
  db = await migratedDatabase(fleet);
  const today = Math.floor((NOW - 1) / DAY);
  // t1: 10 GiB growing 1 GiB a day for 30 days, ±0.1 GiB; t2: flat 5 GiB; t3: two days only
  for (let d = today - 29; d <= today; d++) {
    const day = new Date(d * DAY).toISOString().slice(0, 10);
    const t1 = (10 + (d - (today - 29)) + (d % 2 === 0 ? 0.1 : -0.1)) * GIB;
    await db.pool.query(`INSERT INTO tenant_storage_day (tenant_id, day, size_bytes) VALUES ('t1', $1, $2), ('t2', $1, $3)`, [
      day,
      t1,
      5 * GIB,
    ]);
  }
  for (const d of [today - 1, today])
    await db.pool.query(`INSERT INTO tenant_storage_day VALUES ('t3', $1, $2)`, [new Date(d * DAY).toISOString().slice(0, 10), GIB]);
  // worker seconds: t1 280 in February (10 a day), 410 so far in March (20 a day); t2 none before
  const minutes: [number, number] = [Date.UTC(2026, 1, 10, 9, 0), Date.UTC(2026, 2, 10, 9, 0)];
  await new PartitionKeeper(db.pool).ensure('tenant_resource_minute', minutes);
  await new PartitionKeeper(db.pool).ensure('cluster_resource_minute', minutes);
  const usage = [
    [minutes[0], 't1', 280],
    [minutes[1], 't1', 410],
    [minutes[1], 't2', 41],
  ] as const;
  for (const [minute, tenant, seconds] of usage)
    await db.pool.query(`INSERT INTO tenant_resource_minute VALUES ($1, $2, 'odoo_workers', 'c1', $3, NULL)`, [
      tenant,
      new Date(minute),
      seconds,
    ]);
  for (const minute of minutes)
    await db.pool.query(`INSERT INTO cluster_resource_minute VALUES ('c1', $1, 'odoo_workers', 500, NULL, NULL, NULL, true)`, [
      new Date(minute),
    ]);
});
afterAll(() => db.close());

describe('growth in the usage report', () => {
  it('fits each tenant database size over 7 and 30 days with its spread, and the days to its quota with a range', async () => {
    const report = await usageReport(db.pool, fleet, '2026-03', new ManualClock(NOW));
    const [t1, t2, t3] = report.tenants.map((t) => t.growth);
    const w30 = t1!.storage.windows.find((w) => w.days === 30)!;
    expect(w30.samples).toBe(30);
    expect(w30.bytesPerDay! / GIB).toBeCloseTo(1, 2);
    expect(w30.residualBytes! / GIB).toBeGreaterThan(0.05);
    expect(w30.residualBytes! / GIB).toBeLessThan(0.15);
    expect(t1!.storage.latestDay).toBe('2026-03-21');
    // 39 GiB today, 50 allowed: about 11 days at 1 GiB a day, the range around it
    const quota = t1!.storage.quota!;
    expect(quota.windowDays).toBe(30);
    expect(quota.days.estimate!).toBeCloseTo(11, 0);
    expect(quota.days.earliest!).toBeLessThan(quota.days.estimate!);
    expect(quota.days.latest!).toBeGreaterThan(quota.days.estimate!);
    expect(t1!.storage.method).toMatch(/least squares/);
    // flat: never at this rate; two days: no fit, said as nulls
    expect(t2!.storage.quota!.days.estimate).toBeNull();
    expect(t3!.storage.windows.map((w) => [w.samples, w.bytesPerDay])).toEqual([
      [2, null],
      [2, null],
    ]);
    expect(t3!.storage.quota).toBeNull();
    // the disk: 39 + 5 GiB of 100 growing 1 GiB a day, but t3 has no fit: no cluster forecast
    expect(report.clusters[0]!.disk).toBeNull();
  });

  it('compares each resource per day with the month before', async () => {
    const report = await usageReport(db.pool, fleet, '2026-03', new ManualClock(NOW));
    const [t1, t2] = report.tenants.map((t) => t.growth.resources.odoo_workers);
    expect(t1).toEqual({ unit: 'worker-seconds', perDay: 20, previousPerDay: 10, change: 1 });
    expect(t2).toEqual({ unit: 'worker-seconds', perDay: 2, previousPerDay: null, change: null });
  });

  it('forecasts the cluster disk from the summed rates once every tenant has a fit', async () => {
    const withoutT3 = buildFleet({ ...testFleetSpec({ tenants: 2 }), clusters: { c1: { timezone: 'UTC', capacity: { diskGiB: 100 } } } });
    const report = await usageReport(db.pool, withoutT3, '2026-03', new ManualClock(NOW));
    const disk = report.clusters[0]!.disk!;
    expect(disk.limitBytes).toBe(100 * GIB);
    // 44 GiB used, 56 to go at 1 GiB a day
    expect(disk.days.estimate!).toBeCloseTo(56, 0);
  });

  it('reports the first month the engine takes, which has no month before it to compare with', async () => {
    const report = await usageReport(db.pool, fleet, '1970-01', new ManualClock(NOW));
    expect(report.tenants.map((t) => t.growth.resources)).toEqual([{}, {}, {}]);
  });
});
