import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collect,
  parseBackendRow,
  parseCheckpointRow,
  parseDatabaseStatsRow,
  parseLocksRow,
  parseSlotRow,
} from '../collectors/postgres/read';
import { LOCKS, activityQuery, checkpointQuery, databaseStatsQuery, slotsQuery } from '../collectors/postgres/queries';
import { ADMIN_URL, createTestDatabase } from './helpers/database';

// Each server version gets its own variant of a statistics query. The variants for versions up to
// the local server's must run on it and give rows the parsers accept; the local server's own
// variant must read its newer columns, and a newer version's variant must not run here.
let client: Client;
let local: number;
beforeAll(async () => {
  client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  local = Number((await client.query('SHOW server_version_num')).rows[0].server_version_num);
});
afterAll(() => client?.end());

const VERSIONS = [130014, 140011, 150008, 160004, 170002];

describe('PostgreSQL query variants on the local server', () => {
  it('reads activity, database stats, checkpoints and slots with every variant up to the local version', async () => {
    const runnable = VERSIONS.filter((v) => v <= local);
    expect(runnable.length).toBeGreaterThan(0);
    for (const v of runnable) {
      const activity = await client.query(activityQuery(v));
      expect(activity.rows.length, `activity ${v}`).toBeGreaterThan(0);
      expect(
        activity.rows.map((r) => parseBackendRow(r)).filter((r) => r === undefined),
        `activity ${v}`,
      ).toEqual([]);
      const stats = await client.query(databaseStatsQuery(v));
      const parsed = stats.rows.map((r) => parseDatabaseStatsRow(r, false));
      expect(
        parsed.filter((r) => r === undefined),
        `database stats ${v}`,
      ).toEqual([]);
      // every database has its pg_stat_database_conflicts row (zeros on a primary)
      expect(
        parsed.every((r) => r?.counters.confl_lock !== undefined && r.counters.confl_snapshot !== undefined),
        `conflicts ${v}`,
      ).toBe(true);
      // the session counters exist from 14 on, and are read only by the variants that know them
      expect(
        parsed.some((r) => r?.counters.sessions !== undefined),
        `sessions ${v}`,
      ).toBe(v >= 140000);
      const checkpoints = await client.query(checkpointQuery(v));
      expect(parseCheckpointRow(checkpoints.rows[0]), `checkpoints ${v}`).toBeDefined();
      const slots = await client.query(slotsQuery(v));
      expect(
        slots.rows.map((r) => parseSlotRow(r)).filter((r) => r === undefined),
        `slots ${v}`,
      ).toEqual([]);
    }
  });

  it('reads locks by database and mode', async () => {
    // this very query holds AccessShareLock on pg_locks' relations of its database
    const rows = (await client.query(LOCKS)).rows.map((r) => parseLocksRow(r));
    expect(rows).not.toContain(undefined);
    expect(rows.some((r) => r?.datname === new URL(ADMIN_URL).pathname.slice(1) && r.mode === 'AccessShareLock')).toBe(true);
  });

  it('pg_stat_statements: read when installed and loaded, skipped cleanly otherwise', async () => {
    const db = await createTestDatabase('ts_pgss');
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const loaded = String((await c.query('SHOW shared_preload_libraries')).rows[0].shared_preload_libraries).includes(
        'pg_stat_statements',
      );
      const before = await collect({ db: c, kind: 'stats', now: () => 0 });
      expect(before.statementsRead, 'not installed').toBe(false);
      await c.query('CREATE EXTENSION pg_stat_statements');
      const after = await collect({ db: c, kind: 'stats', now: () => 0 });
      // installed but not in shared_preload_libraries the view refuses to be read: nothing to read, no error
      expect(after.statementsRead, `installed, loaded: ${loaded}`).toBe(loaded);
      expect(after.rejected).toBe(0);
    } finally {
      await c.end();
      await db.drop();
    }
  });

  it('a newer version variant does not run on an older server', async () => {
    const newer = VERSIONS.filter((v) => v > local);
    for (const v of newer) {
      // pg_stat_checkpointer (17) or other columns the local server lacks
      const results = await Promise.allSettled([client.query(checkpointQuery(v))]);
      if (Math.floor(v / 10000) >= 17 && local < 170000) expect(results[0]!.status, `checkpoints ${v}`).toBe('rejected');
    }
  });
});
