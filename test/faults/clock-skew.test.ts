import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OdooLogTruth, storedRequests } from './odoo-log-truth';
import { REDIS_URL, removeQueues, uniquePrefix } from '../helpers/database';
import { testFleet, testFleetYaml } from '../helpers/fleets';
import { startTenantscope, waitFor } from '../helpers/processes';
import { migratedDatabase, type MigratedDatabase } from '../helpers/service';

/**
 * Fault 8 (issue #13): the Odoo servers' clocks disagree with tenantscope's. A server three
 * minutes ahead, and one forty minutes behind: their lines land in the minutes they are stamped
 * with (event time wins, never the time they were read). A server far ahead (two hours) writes
 * lines that are not evidence of now: rejected and counted, nothing else lost.
 */
let db: MigratedDatabase;
let dir: string;
const prefix = uniquePrefix();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ts-fault-clock-'));
  db = await migratedDatabase(testFleet({ logFile: join(dir, 'odoo.log'), logIntervalSeconds: 1 }));
}, 60_000);

afterAll(async () => {
  await removeQueues(prefix);
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('fault: clocks that disagree', () => {
  it('stores lines by their own time, and rejects and counts lines from far ahead', async () => {
    const logFile = join(dir, 'odoo.log');
    writeFileSync(logFile, '');
    const fleetFile = join(dir, 'fleet.yaml');
    writeFileSync(fleetFile, testFleetYaml({ logFile, logIntervalSeconds: 1 }));
    const env = {
      TENANTSCOPE_DATABASE_URL: db.url,
      TENANTSCOPE_REDIS_URL: REDIS_URL,
      TENANTSCOPE_QUEUE_PREFIX: prefix,
      TENANTSCOPE_LISTEN: '127.0.0.1:0',
    };
    const minute = (ms: number) => Math.floor(ms / 60_000) * 60_000;
    const now = Date.now();
    // 400 lines a minute: each writer's lines stay in one or two minutes of its own clock
    const ahead = new OdooLogTruth('', ['db_t1'], 'Europe/Berlin', minute(now + 3 * 60_000));
    const behind = new OdooLogTruth('', ['db_t2'], 'Europe/Berlin', minute(now - 40 * 60_000));
    const farAhead = new OdooLogTruth('', ['db_t3'], 'Europe/Berlin', minute(now + 2 * 3_600_000));
    const process = startTenantscope(['start', '--fleet', fleetFile], env);
    const stored = () => storedRequests(db.pool);
    try {
      ahead.write(logFile, 300);
      behind.write(logFile, 500);
      farAhead.write(logFile, 120);
      ahead.write(logFile, 200);
      await waitFor('the lines of both servers stored', async () => (await stored()) >= ahead.written + behind.written, 30_000);
      await new Promise((r) => setTimeout(r, 2_000));
      const t1 = await ahead.compare(db.pool, (name) => name.replace(/^db_/, ''));
      expect(t1).toMatchObject({ lost: 0 });
      const byTenant = await db.pool.query(
        `SELECT tenant_id, sum(odoo_requests_2xx)::int AS n, min(minute) AS first FROM tenant_minute GROUP BY tenant_id ORDER BY tenant_id`,
      );
      expect(byTenant.rows.map((r) => [r.tenant_id, r.n])).toEqual([
        ['t1', 500],
        ['t2', 500],
      ]);
      // each in the minutes its own clock said, three ahead and forty behind the reading
      expect(byTenant.rows[0].first.getTime()).toBe(minute(now + 3 * 60_000));
      expect(byTenant.rows[1].first.getTime()).toBe(minute(now - 40 * 60_000));
      const rejected = await db.pool.query(
        `SELECT reason, records::int FROM collector_rejection WHERE collector = 'odoo-log' ORDER BY reason`,
      );
      // the far-ahead lines and their traceback's record, counted once each, nothing else
      expect(rejected.rows).toEqual([{ reason: 'outside_accepted_range', records: farAhead.written + 2 }]);
      expect(process.child.exitCode).toBeNull();
    } finally {
      process.child.kill('SIGTERM');
      await process.exited;
    }
  }, 90_000);
});
