import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../services/core/clock';
import type { RunContext } from '../collectors/lib/collector';
import type { Fleet } from '../services/config/fleet-types';
import { ingestPostgres, postgresTargets, type PostgresTarget } from '../collectors/postgres/collector';
import { LOCK_MODES } from '../collectors/postgres/queries';
import { silentLogger } from '../services/core/logger';
import { postgresMetrics } from '../services/metrics/postgres-metrics';
import { PartitionKeeper } from '../services/storage/partitions';
import { ADMIN_URL, createTestDatabase, type TestDatabase } from './helpers/database';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';
import { KeptConnections } from '../collectors/lib/connections';
import { buildFleet, tenantSpec } from './helpers/fleet-builder';

// connections to the monitored servers, kept between runs as the runner keeps them
const connections = new KeptConnections();

/**
 * The postgres collector on the local server: two tenant databases of our own, activity and a
 * lock wait in each direction, pg_stat_database deltas, a pg_stat_reset() between two runs.
 */
let dbA: TestDatabase;
let dbB: TestDatabase;
let store: MigratedDatabase;
let fleet: Fleet;
const open: pg.Client[] = [];

beforeAll(async () => {
  dbA = await createTestDatabase('ts_pga');
  dbB = await createTestDatabase('ts_pgb');
  fleet = buildFleet(
    {
      clusters: {
        c1: { timezone: 'UTC', postgres: { url: ADMIN_URL, intervalSeconds: 15, activityIntervalSeconds: 1, sizeIntervalSeconds: 60 } },
      },
      tenants: [tenantSpec('a', 'c1', { database: dbA.name }), tenantSpec('b', 'c1', { database: dbB.name })],
    },
    { source: 'pg-fleet.yaml' },
  );
  store = await migratedDatabase(fleet);
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.end().catch(() => undefined)));
  await connections.closeAll();
  await store?.close();
  await dbA?.drop();
  await dbB?.drop();
});

async function connect(db: TestDatabase): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: db.url, application_name: 'ts-pg-test' });
  await client.connect();
  open.push(client);
  return client;
}

let scheduled = Date.now();
function runOf(kind: PostgresTarget['kind']) {
  const target = postgresTargets(fleet).find((t) => t.kind === kind)!;
  scheduled += 1000;
  const context: RunContext = {
    scheduledAt: new Date(scheduled),
    startedAt: Date.now(),
    worker: 'test',
    signal: new AbortController().signal,
    connections,
  };
  return ingestPostgres(
    { pool: store.pool, partitions: new PartitionKeeper(store.pool), fleet, clock: systemClock, log: silentLogger },
    target,
    context,
  );
}

async function totals(tenant: string) {
  const { rows } = await store.pool.query('SELECT * FROM pg_tenant_total WHERE tenant_id = $1', [tenant]);
  return rows[0] ?? {};
}

/** Some committed and rolled-back work with a sort that spills to a temporary file, flushed to the statistics. */
async function work(db: TestDatabase, commits: number): Promise<void> {
  const c = await connect(db);
  await c.query('CREATE TABLE IF NOT EXISTS w (id int, pad text)');
  for (let i = 0; i < commits; i++) await c.query(`INSERT INTO w VALUES (${i}, 'x')`);
  await c.query('BEGIN');
  await c.query('INSERT INTO w VALUES (-1, null)');
  await c.query('ROLLBACK');
  await c.query("SET work_mem = '64kB'");
  await c.query('SELECT g FROM generate_series(1, 50000) g ORDER BY g DESC');
  await c.query('SELECT pg_stat_force_next_flush()');
  await c.query('SELECT 1');
}

const metric = async (name: string) =>
  postgresMetrics.metrics.find((m) => m.name === name)!.values(await postgresMetrics.load(store.pool, systemClock));

describe('postgres collector on the local server', () => {
  it('blames lock waits on the tenant holding the lock and rolls activity up per tenant', async () => {
    await work(dbA, 3);
    await work(dbB, 1);
    // B holds a shared catalog lock that a statement of A needs: a cross-tenant wait
    const holderB = await connect(dbB);
    await holderB.query('BEGIN');
    await holderB.query('LOCK TABLE pg_catalog.pg_shdescription IN ACCESS EXCLUSIVE MODE');
    // A holds a lock on its own table that another statement of A needs
    const holderA = await connect(dbA);
    await holderA.query('BEGIN');
    await holderA.query('LOCK TABLE w IN ACCESS EXCLUSIVE MODE');
    const waiterCross = await connect(dbA);
    const waiterSelf = await connect(dbA);
    const waits = [waiterCross.query('SELECT count(*) FROM pg_catalog.pg_shdescription'), waiterSelf.query('SELECT count(*) FROM w')];
    await new Promise((r) => setTimeout(r, 300));

    for (let i = 0; i < 3; i++) expect(await runOf('activity')).toMatchObject({ duplicate: false, rejected: 0 });
    await holderB.query('ROLLBACK');
    await holderA.query('ROLLBACK');
    await Promise.all(waits);

    const a = await totals('a');
    const b = await totals('b');
    expect(a.activity_samples).toBe(3);
    // two of A's statements waited in each of 3 one-second samples: 6 s; A caused 3, B caused 3
    expect(a.lock_wait_suffered_seconds).toBe(6);
    expect(a.lock_wait_caused_seconds).toBe(3);
    // other backends of the shared server that needed pg_shdescription meanwhile are B's doing too
    expect(b.lock_wait_caused_seconds).toBeGreaterThanOrEqual(3);
    expect(b.lock_wait_suffered_seconds).toBe(0);
    // B's holder sat idle in transaction for every sample
    expect(b.idle_in_transaction_seconds).toBe(3);
    const { rows } = await store.pool.query(
      "SELECT lock_wait_blockers, wait_seconds, idle_in_transaction_oldest_seconds FROM pg_tenant_minute WHERE tenant_id = 'a' AND activity_samples > 0",
    );
    const blockers = rows.reduce((acc, r) => ({ a: acc.a + (r.lock_wait_blockers?.a ?? 0), b: acc.b + (r.lock_wait_blockers?.b ?? 0) }), {
      a: 0,
      b: 0,
    });
    expect(blockers).toEqual({ a: 3, b: 3 });
    expect(rows.reduce((s, r) => s + (r.wait_seconds?.Lock ?? 0), 0)).toBe(6);

    const caused = await metric('tenantscope_pg_lock_wait_caused_seconds_total');
    expect(caused.find((v) => v.labels.tenant === 'b')!.value).toBe(b.lock_wait_caused_seconds);
    expect(caused.find((v) => v.labels.tenant === 'a')!.value).toBe(3);
    const backends = await metric('tenantscope_pg_backends');
    expect(backends.filter((v) => v.labels.tenant === 'a').length).toBeGreaterThan(0);
    const connections = await metric('tenantscope_pg_connections');
    const max = await metric('tenantscope_pg_max_connections');
    expect(connections[0]!.value).toBeGreaterThanOrEqual(5);
    expect(max[0]!.value).toBeGreaterThan(connections[0]!.value);
    expect(await metric('tenantscope_pg_wait_seconds_total')).toEqual(
      expect.arrayContaining([{ value: 6, labels: { tenant: 'a', cluster: 'c1', wait_event_type: 'Lock' } }]),
    );
  });

  it('turns pg_stat_database into deltas and drops the interval of a pg_stat_reset()', async () => {
    expect(await runOf('stats')).toMatchObject({ duplicate: false }); // baseline (or a delta of the test above)
    const before = await totals('a');
    await work(dbA, 5);
    await work(dbB, 2);
    await runOf('stats');
    const afterWork = await totals('a');
    const commits = Number(afterWork.xact_commit ?? 0) - Number(before.xact_commit ?? 0);
    // 5 inserts, the CREATE, the SETs and SELECTs each commit: at least 5 of them
    expect(commits).toBeGreaterThanOrEqual(5);
    expect(Number(afterWork.xact_rollback) - Number(before.xact_rollback ?? 0)).toBeGreaterThanOrEqual(1);
    expect(Number(afterWork.temp_bytes) - Number(before.temp_bytes ?? 0)).toBeGreaterThan(0);
    expect(Number(afterWork.temp_files) - Number(before.temp_files ?? 0)).toBeGreaterThanOrEqual(1);
    expect(afterWork.active_time_seconds).not.toBeNull(); // PostgreSQL 15 has the 14+ columns

    // reset A's statistics, work again: that interval is dropped for A, never negative
    const resetter = await connect(dbA);
    await resetter.query('SELECT pg_stat_reset()');
    await work(dbA, 2);
    const bBefore = await totals('b');
    await work(dbB, 2);
    await runOf('stats');
    const afterReset = await totals('a');
    for (const col of ['xact_commit', 'xact_rollback', 'blks_hit', 'tup_inserted', 'temp_bytes'])
      expect(afterReset[col]).toBe(afterWork[col]);
    // B was not reset: its interval counts
    expect(Number((await totals('b')).xact_commit)).toBeGreaterThan(Number(bBefore.xact_commit));

    // the next interval counts again, from the new baseline
    await work(dbA, 4);
    await runOf('stats');
    const resumed = await totals('a');
    expect(Number(resumed.xact_commit) - Number(afterReset.xact_commit)).toBeGreaterThanOrEqual(4);
    const { rows } = await store.pool.query(
      'SELECT count(*)::int AS n FROM pg_tenant_minute WHERE xact_commit < 0 OR temp_bytes < 0 OR blks_read < 0',
    );
    expect(rows[0].n).toBe(0);

    const tx = await metric('tenantscope_pg_transactions_total');
    expect(tx.find((v) => v.labels.tenant === 'a' && v.labels.result === 'commit')!.value).toBe(Number(resumed.xact_commit));
    expect((await metric('tenantscope_pg_checkpoints_total')).map((v) => v.labels.kind).sort()).toEqual(['requested', 'timed']);
  });

  it('publishes locks by mode, recovery conflicts by cause and stats_reset per tenant database', async () => {
    const holder = await connect(dbA);
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE w IN SHARE MODE');
    await runOf('stats');
    await holder.query('ROLLBACK');
    const locks = await metric('tenantscope_pg_locks');
    const ofA = Object.fromEntries(locks.filter((v) => v.labels.tenant === 'a').map((v) => [v.labels.mode, v.value]));
    // every mode is published, the ones nobody held as 0
    expect(Object.keys(ofA).sort()).toEqual([...LOCK_MODES].sort());
    expect(ofA.ShareLock).toBeGreaterThanOrEqual(1);
    expect(ofA.AccessExclusiveLock).toBe(0);
    expect(locks.filter((v) => v.labels.tenant === 'b' && v.value > 0)).toEqual([]);

    const conflicts = await metric('tenantscope_pg_recovery_conflicts_total');
    // a primary has no recovery conflicts: a true 0 for each cause, counted since the baseline
    expect(conflicts.filter((v) => v.labels.tenant === 'a').map((v) => [v.labels.cause, v.value])).toEqual([
      ['tablespace', 0],
      ['lock', 0],
      ['snapshot', 0],
      ['bufferpin', 0],
      ['deadlock', 0],
    ]);
    // data checksums are off on the test server (initdb default): no made-up 0
    const checksums = (await store.pool.query("SELECT checksum_failures FROM pg_tenant_total WHERE tenant_id = 'a'")).rows[0];
    const checksumsOn = (await connect(dbA).then((c) => c.query('SHOW data_checksums'))).rows[0].data_checksums === 'on';
    expect(checksums.checksum_failures === null).toBe(!checksumsOn);

    // A's statistics were reset in the test above
    const reset = (await metric('tenantscope_pg_stats_reset_timestamp_seconds')).find((v) => v.labels.tenant === 'a')!;
    expect(Math.abs(reset.value - Date.now() / 1000)).toBeLessThan(600);
    // pg_stat_statements is not loaded on the test server: no statement series, and the run did not fail
    expect(await metric('tenantscope_pg_statement_calls_total')).toEqual([]);
  });

  it('sizes the tenant databases on their own target', async () => {
    await runOf('sizes');
    const sizes = await metric('tenantscope_pg_database_size_bytes');
    expect(sizes.map((v) => v.labels.tenant).sort()).toEqual(['a', 'b']);
    for (const s of sizes) expect(s.value).toBeGreaterThan(1_000_000);
    // each size says how old it is: this run's, so young
    const ages = await metric('tenantscope_pg_database_size_age_seconds');
    expect(ages.map((v) => v.labels.tenant).sort()).toEqual(['a', 'b']);
    for (const a of ages) expect(a.value).toBeLessThan(60);
    // a day later without new samples the gauges are gone; the counters stay
    const later = await postgresMetrics.load(store.pool, new ManualClock(Date.now() + 86_400_000));
    const values = (name: string) => postgresMetrics.metrics.find((m) => m.name === name)!.values(later);
    expect(values('tenantscope_pg_database_size_bytes')).toEqual([]);
    expect(values('tenantscope_pg_database_size_age_seconds')).toEqual([]);
    expect(values('tenantscope_pg_locks')).toEqual([]);
    expect(values('tenantscope_pg_backends')).toEqual([]);
    expect(values('tenantscope_pg_connections')).toEqual([]);
    expect(values('tenantscope_pg_transactions_total').length).toBeGreaterThan(0);
  });

  it('a duplicated run writes nothing twice', async () => {
    const target = postgresTargets(fleet).find((t) => t.kind === 'activity')!;
    const context: RunContext = {
      scheduledAt: new Date(scheduled + 500),
      startedAt: Date.now(),
      worker: 'test',
      signal: new AbortController().signal,
      connections,
    };
    const deps = { pool: store.pool, partitions: new PartitionKeeper(store.pool), fleet, clock: systemClock, log: silentLogger };
    expect((await ingestPostgres(deps, target, context)).duplicate).toBe(false);
    const samples = (await totals('a')).activity_samples;
    expect((await ingestPostgres(deps, target, context)).duplicate).toBe(true);
    expect((await totals('a')).activity_samples).toBe(samples);
  });
});
