import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OdooLogTruth, storedRequests } from './odoo-log-truth';
import { REDIS_URL, removeQueues, uniquePrefix } from '../helpers/database';
import { testFleet, testFleetYaml } from '../helpers/fleets';
import { startTenantscope, waitFor, type Started } from '../helpers/processes';
import { migratedDatabase, type MigratedDatabase } from '../helpers/service';

/**
 * Faults 3 and 5 (issue #13): two worker processes started at once take the same Odoo log tail
 * from one scheduler; one is killed with SIGKILL while the log grows (holding the tail's job or
 * about to), the log rotates, a third worker starts. Every line is stored exactly once, minute by
 * minute, and the survivors carry on without a person.
 */
let db: MigratedDatabase;
let dir: string;
const prefix = uniquePrefix();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ts-fault-workers-'));
  db = await migratedDatabase(testFleet({ logFile: join(dir, 'odoo.log'), logIntervalSeconds: 1 }));
}, 60_000);

afterAll(async () => {
  await removeQueues(prefix);
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('fault: two workers on one tail, one killed', () => {
  it('loses no line and counts none twice', async () => {
    const logFile = join(dir, 'odoo.log');
    writeFileSync(logFile, '');
    const fleetFile = join(dir, 'fleet.yaml');
    writeFileSync(fleetFile, testFleetYaml({ logFile, logIntervalSeconds: 1 }));
    const env = { TENANTSCOPE_DATABASE_URL: db.url, TENANTSCOPE_REDIS_URL: REDIS_URL, TENANTSCOPE_QUEUE_PREFIX: prefix };
    const storedTotal = () => storedRequests(db.pool);
    const truth = OdooLogTruth.yesterday();
    const started: Started[] = [];
    const start = (role: string) => {
      const p = startTenantscope(['start', '--role', role, '--fleet', fleetFile], env);
      started.push(p);
      return p;
    };
    try {
      start('scheduler');
      const [first, second] = [start('worker'), start('worker')];
      truth.write(logFile, 3_000);
      await waitFor('the first lines stored', async () => (await storedTotal()) > 0, 30_000);
      for (let burst = 0; burst < 10; burst++) {
        truth.write(logFile, 800);
        await new Promise((r) => setTimeout(r, 150));
      }
      // kill the worker that read the tail last: the one holding it, or about to
      const last = await db.pool.query(`SELECT worker FROM collector_run WHERE collector = 'odoo-log' ORDER BY finished_at DESC LIMIT 1`);
      const lastPid = Number(String(last.rows[0].worker).split(':').pop());
      const [killed, survivor] = first.child.pid === lastPid ? [first, second] : [second, first];
      killed.child.kill('SIGKILL');
      await killed.exited;
      truth.write(logFile, 2_000);
      renameSync(logFile, `${logFile}.1`);
      writeFileSync(logFile, '');
      truth.write(logFile, 1_500);
      const c = start('worker');

      await waitFor('every line stored', async () => (await storedTotal()) >= truth.written, 45_000).catch(async (err) => {
        throw new Error(`${(err as Error).message}: ${await storedTotal()} of ${truth.written} stored`);
      });
      await new Promise((r) => setTimeout(r, 2_500));
      const result = await truth.compare(db.pool, (name) => name.replace(/^db_/, ''));
      expect(result).toEqual({ truth: truth.written, stored: truth.written, lost: 0, doubled: 0 });
      expect([survivor.child.exitCode, c.child.exitCode]).toEqual([null, null]);
      const runs = await db.pool.query(`SELECT count(DISTINCT worker)::int AS workers FROM collector_run WHERE collector = 'odoo-log'`);
      expect(runs.rows[0].workers, 'more than one worker took the tail').toBeGreaterThan(1);
      console.log(`fault two-workers: ${JSON.stringify(result)}`);
    } finally {
      for (const p of started) if (p.child.exitCode === null) p.child.kill('SIGTERM');
      await Promise.all(started.map((p) => p.exited));
    }
  }, 120_000);
});
