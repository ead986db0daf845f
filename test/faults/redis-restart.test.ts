import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OdooLogTruth, storedRequests } from './odoo-log-truth';
import { ThrowawayRedis } from './servers';
import { testFleet, testFleetYaml } from '../helpers/fleets';
import { startTenantscope, waitFor } from '../helpers/processes';
import { migratedDatabase, type MigratedDatabase } from '../helpers/service';

/**
 * Fault 2 (issue #13): the Redis that carries tenantscope's job queues is killed mid-run and
 * comes back empty (no persistence, as after a crash), while the Odoo log keeps growing. The
 * schedules must come back by themselves and every line be stored exactly once.
 */
let redis: ThrowawayRedis;
let db: MigratedDatabase;
let dir: string;

beforeAll(async () => {
  redis = await ThrowawayRedis.start();
  dir = mkdtempSync(join(tmpdir(), 'ts-fault-redis-'));
  db = await migratedDatabase(testFleet({ logFile: join(dir, 'odoo.log'), logIntervalSeconds: 1 }));
}, 60_000);

afterAll(async () => {
  await redis?.close();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('fault: Redis restarted mid-run, empty', () => {
  it('loses no line and counts none twice, and recovers by itself', async () => {
    const logFile = join(dir, 'odoo.log');
    writeFileSync(logFile, '');
    const fleetFile = join(dir, 'fleet.yaml');
    writeFileSync(fleetFile, testFleetYaml({ logFile, logIntervalSeconds: 1 }));
    const env = {
      TENANTSCOPE_DATABASE_URL: db.url,
      TENANTSCOPE_REDIS_URL: redis.url,
      TENANTSCOPE_QUEUE_PREFIX: 'tsfault',
      TENANTSCOPE_LISTEN: '127.0.0.1:0',
    };
    const storedTotal = () => storedRequests(db.pool);
    const truth = OdooLogTruth.yesterday();
    const process = startTenantscope(['start', '--fleet', fleetFile], env);
    try {
      truth.write(logFile, 3_000);
      await waitFor('the first lines stored', async () => (await storedTotal()) > 0, 30_000);

      await redis.down();
      for (let i = 0; i < 4; i++) {
        truth.write(logFile, 1_000);
        await new Promise((r) => setTimeout(r, 750));
      }
      await redis.up();
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
      await new Promise((r) => setTimeout(r, 2_500));
      const result = await truth.compare(db.pool, (name) => name.replace(/^db_/, ''));
      expect(result).toEqual({ truth: truth.written, stored: truth.written, lost: 0, doubled: 0 });
      expect(process.child.exitCode, `the process stayed up:\n${process.output().slice(-2000)}`).toBeNull();
      console.log(`fault redis-restart: ${JSON.stringify({ ...result, recoverySeconds })}`);
    } finally {
      process.child.kill('SIGTERM');
      await process.exited;
    }
  }, 120_000);
});
