import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OdooLogTruth, storedRequests } from './odoo-log-truth';
import { ThrowawayPostgres } from './servers';
import { REDIS_URL, removeQueues, uniquePrefix } from '../helpers/database';
import { testFleetYaml } from '../helpers/fleets';
import { runTenantscope, startTenantscope, waitFor } from '../helpers/processes';

/**
 * Fault 1 (issue #13): tenantscope's own PostgreSQL restarts while `tenantscope start` tails an
 * Odoo log that keeps growing. The process must ride it out without a person, and every line
 * written must be stored exactly once, minute by minute.
 */
let server: ThrowawayPostgres;
let store: pg.Pool;
let dir: string;
const prefix = uniquePrefix();

beforeAll(async () => {
  server = await ThrowawayPostgres.start();
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE tsfault');
  await admin.end();
  dir = mkdtempSync(join(tmpdir(), 'ts-fault-pgrestart-'));
}, 60_000);

afterAll(async () => {
  await store?.end();
  await removeQueues(prefix);
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('fault: PostgreSQL restarted mid-run', () => {
  it('loses no line and counts none twice, and recovers by itself', async () => {
    const logFile = join(dir, 'odoo.log');
    writeFileSync(logFile, '');
    const fleetFile = join(dir, 'fleet.yaml');
    writeFileSync(fleetFile, testFleetYaml({ logFile, logIntervalSeconds: 1 }));
    const env = {
      TENANTSCOPE_DATABASE_URL: server.urlOf('tsfault'),
      TENANTSCOPE_REDIS_URL: REDIS_URL,
      TENANTSCOPE_QUEUE_PREFIX: prefix,
      TENANTSCOPE_LISTEN: '127.0.0.1:0',
    };
    expect((await runTenantscope(['migrate'], env)).code).toBe(0);
    store = new pg.Pool({ connectionString: server.urlOf('tsfault'), max: 2 });
    store.on('error', () => undefined);
    const storedTotal = () => storedRequests(store).catch(() => -1);

    const truth = OdooLogTruth.yesterday();
    const process = startTenantscope(['start', '--fleet', fleetFile], env);
    try {
      truth.write(logFile, 3_000);
      await waitFor('the first lines stored', async () => (await storedTotal()) > 0, 30_000);

      await server.down();
      // the log keeps growing while the store is away
      for (let i = 0; i < 4; i++) {
        truth.write(logFile, 1_000);
        await new Promise((r) => setTimeout(r, 750));
      }
      await server.up();
      const upAt = Date.now();
      truth.write(logFile, 2_000);

      await waitFor('every line stored after the restart', async () => (await storedTotal()) >= truth.written, 45_000).catch(
        async (err) => {
          throw new Error(
            `${(err as Error).message}: ${await storedTotal()} of ${truth.written} stored; tenantscope said:\n${process.output().slice(-3000)}`,
          );
        },
      );
      const recoverySeconds = (Date.now() - upAt) / 1000;
      await new Promise((r) => setTimeout(r, 2_500)); // more runs: nothing may be added twice
      const result = await truth.compare(store, (db) => db.replace(/^db_/, ''));
      expect(result).toEqual({ truth: truth.written, stored: truth.written, lost: 0, doubled: 0 });
      expect(process.child.exitCode, `the process stayed up:\n${process.output().slice(-2000)}`).toBeNull();
      console.log(`fault postgres-restart: ${JSON.stringify({ ...result, recoverySeconds })}`);
    } finally {
      process.child.kill('SIGTERM');
      await process.exited;
    }
  }, 120_000);
});
