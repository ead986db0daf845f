import { appendFileSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, removeQueues, uniquePrefix } from './helpers/database';
import { testFleet, testFleetYaml } from './helpers/fleets';
import { startTenantscope, waitFor, type Started } from './helpers/processes';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

/**
 * A real `tenantscope start` tailing an Odoo log is killed with SIGKILL while lines are still
 * being written, the log rotates while it is down, and a new process takes over: every request
 * line written is stored exactly once (the checkpoint commits with the rollups).
 */
let db: MigratedDatabase;
let dir: string;
let logFile: string;
let fleetFile: string;
const prefix = uniquePrefix();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'odoo-restart-'));
  logFile = join(dir, 'odoo.log');
  writeFileSync(logFile, '');
  fleetFile = join(dir, 'fleet.yaml');
  writeFileSync(fleetFile, testFleetYaml({ logFile, logIntervalSeconds: 1 }));
  db = await migratedDatabase(testFleet({ logFile, logIntervalSeconds: 1 }));
});

afterAll(async () => {
  await removeQueues(prefix);
  await db.close();
});

// yesterday (UTC date), so the lines fall in the range a running tenantscope accepts (the month before now to now)
const DAY = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
let written = 0;
function writeLines(count: number): void {
  let text = '';
  for (let i = 0; i < count; i++, written++) {
    const minute = String(Math.floor(written / 500) % 60).padStart(2, '0');
    const tenant = `db_t${(written % 3) + 1}`;
    // a traceback now and then: continuation lines must not shift or drop anything
    const traceback =
      written % 97 === 0
        ? `${DAY} 10:${minute}:30,000 ${4000 + (written % 4)} ERROR ${tenant} odoo.http: boom \nTraceback (most recent call last):\nKeyError: 1\n`
        : '';
    text += `${traceback}${DAY} 10:${minute}:${String(written % 60).padStart(2, '0')},${String(written % 1000).padStart(3, '0')} ${4000 + (written % 4)} INFO ${tenant} werkzeug: 10.0.0.1 - - [01/Mar/2026 10:00:00] "POST /web/dataset/call_kw HTTP/1.1" 200 - 3 0.010 0.020\n`;
  }
  appendFileSync(logFile, text);
}

const stored = async () => Number((await db.pool.query('SELECT coalesce(sum(odoo_requests_2xx), 0) AS n FROM tenant_total')).rows[0].n);
const storedByMinute = async () =>
  Number((await db.pool.query('SELECT coalesce(sum(odoo_requests_2xx), 0) AS n FROM tenant_minute')).rows[0].n);

describe('odoo-log across SIGKILL and rotation', () => {
  it('loses nothing and counts nothing twice', async () => {
    const env = {
      TENANTSCOPE_DATABASE_URL: db.url,
      TENANTSCOPE_REDIS_URL: REDIS_URL,
      TENANTSCOPE_QUEUE_PREFIX: prefix,
      TENANTSCOPE_LISTEN: '127.0.0.1:0',
    };
    const start = (): Started => startTenantscope(['start', '--fleet', fleetFile], env);

    const first = start();
    writeLines(2_000);
    await waitFor('the first lines stored', async () => (await stored()) > 0, 25_000);
    // keep writing in bursts and kill the process right after the last one, unread
    for (let burst = 0; burst < 15; burst++) {
      await new Promise((r) => setTimeout(r, 60));
      writeLines(1_500);
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await stored();
    expect(atKill).toBeGreaterThan(0);
    expect(atKill, 'the kill came before the file was read to its end').toBeLessThan(written);

    // written while nobody reads, then rotated by rename, then more in the new file
    writeLines(3_000);
    renameSync(logFile, `${logFile}.1`);
    writeFileSync(logFile, '');
    writeLines(2_000);

    const second = start();
    try {
      await waitFor('every line stored', async () => (await stored()) >= written, 30_000);
      await new Promise((r) => setTimeout(r, 2_500)); // a few more runs: nothing may be added
      expect(await stored()).toBe(written);
      expect(await storedByMinute()).toBe(written);
      const { rows } = await db.pool.query('SELECT file_identity, file_offset FROM ingest_checkpoint WHERE collector = $1', ['odoo-log']);
      expect(rows).toHaveLength(1);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 90_000);
});
