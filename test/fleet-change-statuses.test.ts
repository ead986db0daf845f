import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, removeQueues, uniquePrefix } from './helpers/database';
import { testFleet, testFleetYaml } from './helpers/fleets';
import { freePort, startTenantscope, waitFor } from './helpers/processes';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

// A target that leaves the fleet file (a log path after a move, a cluster removed) must leave
// /metrics too: its last outcome stayed in collector_status, and TenantscopeCollectorDown fired for
// good on a log nobody read any more.
const dir = mkdtempSync(join(tmpdir(), 'fleet-change-'));
const kept = join(dir, 'odoo.log');
const gone = join(dir, 'old', 'odoo.log');
const prefix = uniquePrefix();
let db: MigratedDatabase;

beforeAll(async () => {
  writeFileSync(kept, '');
  db = await migratedDatabase(testFleet({ logFile: kept }));
  for (const target of [kept, gone])
    await db.pool.query(
      `INSERT INTO collector_status (collector, target, success, duration_seconds, finished_at) VALUES ('odoo-log', $1, false, 0.1, now())`,
      [target],
    );
});
afterAll(async () => {
  await removeQueues(prefix);
  await db?.close();
});

const statuses = async () =>
  (await db.pool.query<{ target: string }>(`SELECT target FROM collector_status WHERE collector = 'odoo-log' ORDER BY target`)).rows.map(
    (r) => r.target,
  );

describe('a target that left the fleet file', () => {
  it('loses its collector status when the scheduler starts with the new fleet', async () => {
    const fleetFile = join(dir, 'fleet.yaml');
    writeFileSync(fleetFile, testFleetYaml({ logFile: kept }));
    expect(await statuses()).toEqual([kept, gone].sort());
    const scheduler = startTenantscope(['start', '--role', 'scheduler', '--fleet', fleetFile], {
      TENANTSCOPE_DATABASE_URL: db.url,
      TENANTSCOPE_REDIS_URL: REDIS_URL,
      TENANTSCOPE_QUEUE_PREFIX: prefix,
      TENANTSCOPE_LISTEN: `127.0.0.1:${await freePort()}`,
    });
    try {
      await waitFor('the scheduler to start', () => scheduler.output().includes('tenantscope started'), 30_000);
      expect(await statuses()).toEqual([kept]);
      expect(scheduler.output()).toContain('collector status removed: target left the fleet file');
    } finally {
      scheduler.child.kill('SIGTERM');
      await scheduler.exited;
    }
  }, 60_000);
});
