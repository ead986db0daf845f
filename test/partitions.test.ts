import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testFleet } from './helpers/fleets';
import { waitFor } from './helpers/processes';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

let db: MigratedDatabase;
beforeAll(async () => {
  db = await migratedDatabase(testFleet());
}, 60_000);
afterAll(() => db?.close());

describe('tenantscope_ensure_month_partition', () => {
  it('succeeds when another session creates the same partition at the same moment', async () => {
    const a = await db.pool.connect();
    const b = await db.pool.connect();
    try {
      // a creates the partition and has not committed; b cannot see it yet, tries to create it
      // too, waits on a's catalog rows, and must not fail once a commits.
      await a.query('BEGIN');
      await a.query("SELECT tenantscope_ensure_month_partition('tenant_minute', '2031-01-15Z')");
      const bPid = (await b.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const second = b.query("SELECT tenantscope_ensure_month_partition('tenant_minute', '2031-01-15Z') AS name");
      // commit only once b is seen waiting on a lock a holds: the race this test is about
      await waitFor('the second session to wait on a lock', async () => {
        const { rows } = await db.pool.query('SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted', [bPid]);
        return rows.length > 0;
      });
      await a.query('COMMIT');
      expect((await second).rows[0].name).toBe('tenant_minute_y2031m01');
      const { rows } = await db.pool.query(
        "SELECT count(*)::int AS n FROM pg_inherits WHERE inhrelid = 'tenant_minute_y2031m01'::regclass",
      );
      expect(rows[0].n).toBe(1);
    } finally {
      a.release();
      b.release();
    }
  });
});
