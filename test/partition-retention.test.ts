import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyRetention, planRetention, RETENTION_CLASSES } from '../services/storage/retention';
import { MONTHLY_TABLES } from '../services/storage/partitions';
import { evidenceKeptFromMs } from '../services/sla/freeze';
import { planPartitionRetention, runPartitionRetention } from '../services/queue/partition-retention';
import { silentLogger } from '../services/core/logger';
import { testFleet } from './helpers/fleets';
import { runTenantscope } from './helpers/processes';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

/**
 * Partition retention on a real PostgreSQL: at 2026-03-02 12:00 UTC with 72 h of grace, February
 * is closed but not yet frozen (in grace), January and earlier months back to the recheck period
 * are frozen and re-checked, older months are past everything.
 */
let db: MigratedDatabase;
const NOW = Date.parse('2026-03-02T12:00:00Z');
const KEEP = { 'raw-samples': 1, 'minute-rollups': 13, 'sla-minutes': 25, 'noisy-attribution': 13 };
const deps = () => ({ pool: db.pool, retentionMonths: KEEP, graceHours: 72 });
const MONTHS = ['2024-01', '2025-09', '2025-10', '2026-01', '2026-02', '2026-03'];

beforeAll(async () => {
  db = await migratedDatabase(testFleet());
});
afterAll(() => db?.close());

const partitionsOf = async (table: string) =>
  (
    await db.pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c WHERE c.relkind = 'r' AND c.relname ~ ('^' || $1 || '_y[0-9]{4}m[0-9]{2}$') ORDER BY 1`,
      [table],
    )
  ).rows.map((r) => r.name);

beforeEach(async () => {
  for (const t of ['pg_tenant_minute', 'tenant_minute']) for (const p of await partitionsOf(t)) await db.pool.query(`DROP TABLE ${p}`);
  for (const t of ['pg_tenant_minute', 'tenant_minute'])
    for (const m of MONTHS) await db.pool.query('SELECT tenantscope_ensure_month_partition($1, $2)', [t, `${m}-01T00:00:00Z`]);
  // a row, so sizes are those of a partition with data
  await db.pool.query(`INSERT INTO tenant_minute (tenant_id, minute, probes_ok) VALUES ('t1', '2024-01-05T00:00:00Z', 1)`);
});

describe('retention classes', () => {
  it('puts every monthly table in exactly one class', () => {
    const classed = Object.values(RETENTION_CLASSES).flat();
    expect([...classed].sort()).toEqual([...MONTHLY_TABLES].sort());
  });
});

describe('evidenceKeptFromMs', () => {
  it('keeps the months still to be frozen or re-checked, and the month before them', () => {
    // February in grace, January frozen 3 days ago: both read again; the oldest re-checked month
    // closes 92 days + grace before now (late November), so evidence is kept from October
    expect(new Date(evidenceKeptFromMs(NOW, 72)).toISOString()).toBe('2025-10-01T00:00:00.000Z');
    expect(evidenceKeptFromMs(NOW, 72)).toBeLessThan(Date.parse('2026-02-01T00:00:00Z'));
  });
});

describe('planRetention and applyRetention', () => {
  it('drops only partitions past retention and past the SLA floor, and says why the rest stay', async () => {
    const plan = await planPartitionRetention(deps(), NOW);
    const raw = plan.filter((f) => f.table === 'pg_tenant_minute');
    expect(raw.map((f) => [f.month, f.drop])).toEqual([
      ['2024-01', true],
      ['2025-09', true],
      ['2025-10', false], // past a month of retention, protected: evidence of re-checked months
      ['2026-01', false], // a frozen month still re-checked
      ['2026-02', false], // not frozen yet: in grace
      ['2026-03', false],
    ]);
    expect(raw.find((f) => f.month === '2026-01')!.reason).toMatch(/protected/);
    expect(raw.find((f) => f.month === '2026-02')!.reason).toMatch(/within retention/);
    // minute rollups keep 13 months: only 2024-01 goes
    expect(plan.filter((f) => f.table === 'tenant_minute' && f.drop).map((f) => f.partition)).toEqual(['tenant_minute_y2024m01']);
    expect(plan.find((f) => f.partition === 'tenant_minute_y2024m01')!.bytes).toBeGreaterThan(0);

    const { dropped } = await runPartitionRetention(deps(), NOW, silentLogger);
    expect(dropped.map((f) => f.partition).sort()).toEqual([
      'pg_tenant_minute_y2024m01',
      'pg_tenant_minute_y2025m09',
      'tenant_minute_y2024m01',
    ]);
    expect(await partitionsOf('pg_tenant_minute')).toEqual([
      'pg_tenant_minute_y2025m10',
      'pg_tenant_minute_y2026m01',
      'pg_tenant_minute_y2026m02',
      'pg_tenant_minute_y2026m03',
    ]);
    expect((await partitionsOf('tenant_minute')).length).toBe(5);
    // a re-run finds nothing more to do
    expect((await runPartitionRetention(deps(), NOW, silentLogger)).dropped).toEqual([]);
  });

  it('never drops an unfrozen month, however short the retention', async () => {
    const plan = await planRetention(db.pool, { ...KEEP, 'raw-samples': 1, 'minute-rollups': 1 }, NOW, evidenceKeptFromMs(NOW, 72));
    const going = plan.filter((f) => f.drop).map((f) => f.month);
    expect(going.every((m) => m < '2025-10')).toBe(true);
    expect(going).toContain('2024-01');
  });

  it('planning (the dry run) drops nothing', async () => {
    const before = [...(await partitionsOf('pg_tenant_minute')), ...(await partitionsOf('tenant_minute'))];
    const plan = await planPartitionRetention(deps(), NOW);
    expect(plan.some((f) => f.drop)).toBe(true);
    expect([...(await partitionsOf('pg_tenant_minute')), ...(await partitionsOf('tenant_minute'))]).toEqual(before);
  });

  it('finishes a run interrupted after the detach (a detached table) or during it (a pending detach)', async () => {
    // interrupted between detach and drop: the table is there, detached
    await db.pool.query('ALTER TABLE pg_tenant_minute DETACH PARTITION pg_tenant_minute_y2024m01');
    // interrupted while detaching concurrently: a reader's snapshot makes the detach wait, a timeout cancels it
    const reader = new pg.Client({ connectionString: db.url });
    const detacher = new pg.Client({ connectionString: db.url });
    await reader.connect();
    await detacher.connect();
    try {
      await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await reader.query('SELECT count(*) FROM pg_tenant_minute');
      await detacher.query("SET statement_timeout = '500ms'");
      await expect(detacher.query('ALTER TABLE pg_tenant_minute DETACH PARTITION pg_tenant_minute_y2025m09 CONCURRENTLY')).rejects.toThrow(
        /statement timeout/,
      );
      await reader.query('COMMIT');
    } finally {
      await reader.end();
      await detacher.end();
    }
    const plan = await planPartitionRetention(deps(), NOW);
    const fate = (p: string) => plan.find((f) => f.partition === p)!;
    expect([fate('pg_tenant_minute_y2024m01').state, fate('pg_tenant_minute_y2024m01').drop]).toEqual(['detached', true]);
    expect([fate('pg_tenant_minute_y2025m09').state, fate('pg_tenant_minute_y2025m09').drop]).toEqual(['detach-pending', true]);
    const dropped = await applyRetention(db.pool, plan);
    expect(dropped.map((f) => f.partition).sort()).toEqual([
      'pg_tenant_minute_y2024m01',
      'pg_tenant_minute_y2025m09',
      'tenant_minute_y2024m01',
    ]);
    expect(await partitionsOf('pg_tenant_minute')).toEqual([
      'pg_tenant_minute_y2025m10',
      'pg_tenant_minute_y2026m01',
      'pg_tenant_minute_y2026m02',
      'pg_tenant_minute_y2026m03',
    ]);
    // the parent still takes rows of the months it kept
    await db.pool.query(`INSERT INTO pg_tenant_minute (tenant_id, minute) VALUES ('t1', '2026-03-01T00:00:00Z')`);
  });
});

describe('tenantscope retention', () => {
  it('--dry-run names each partition and drops nothing; without it drops what is past retention', async () => {
    // the CLI runs on the real clock: a month long gone and the current month
    const current = new Date().toISOString().slice(0, 7);
    await db.pool.query('SELECT tenantscope_ensure_month_partition($1, $2)', ['redis_minute', '2020-01-01T00:00:00Z']);
    await db.pool.query('SELECT tenantscope_ensure_month_partition($1, $2)', ['redis_minute', `${current}-01T00:00:00Z`]);
    const currentName = `redis_minute_y${current.replace('-', 'm')}`;
    const env = { TENANTSCOPE_DATABASE_URL: db.url, TENANTSCOPE_LOG_LEVEL: 'silent' };
    const dry = await runTenantscope(['retention', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^raw-samples:$/m);
    expect(dry.stdout).toMatch(/DROP redis_minute_y2020m01 +2020-01/);
    expect(dry.stdout).toMatch(new RegExp(`keep ${currentName} .*within retention`));
    expect(dry.stdout).toMatch(/keep tenant_minute_y2026m03 /);
    expect(dry.stdout).toMatch(/^would drop \d+ partitions?/m);
    expect(await partitionsOf('redis_minute')).toEqual(['redis_minute_y2020m01', currentName]);

    const real = await runTenantscope(['retention'], env);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/^dropped \d+ partitions?/m);
    expect(await partitionsOf('redis_minute')).toEqual([currentName]);

    const bad = await runTenantscope(['retention', '--now'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/tenantscope retention/);
  }, 90_000);
});
