import { readFileSync } from 'node:fs';
import { ManualClock } from '../services/core/clock';
import { parseFleet } from '../services/config/fleet';
import { silentLogger } from '../services/core/logger';
import { defaultDetectorFactory } from '../services/noisy/detector-port';
import { runNoisyDetection } from '../services/noisy/live-run';
import { noisyWorker } from '../services/queue/noisy-queue';
import { createRedis } from '../services/queue/queues';
import { slaWorker } from '../services/queue/sla-queue';
import { countClosedMinutes } from '../services/sla/store/minute-counter';
import { createPool } from '../services/storage/db';
import { PartitionKeeper } from '../services/storage/partitions';

/**
 * One worker process of bench/workers-bench.ts, on a fixed clock. BENCH_MODE=workers: the SLA and
 * noisy job workers a `--role worker` process runs (services/queue), until SIGTERM; prints
 * "ready" once they listen. BENCH_MODE=loop: what one job did before the fan-out (every tenant's
 * minutes, then every cluster's noisy run, in one loop); prints "done <ms>".
 */
async function main(): Promise<void> {
  const env = (key: string) => {
    const value = process.env[key];
    if (value === undefined) throw new Error(`${key} is not set`);
    return value;
  };
  const fleet = parseFleet(readFileSync(env('BENCH_FLEET'), 'utf8'), env('BENCH_FLEET'));
  const pool = createPool(env('BENCH_DATABASE_URL'), 4, 'tenantscope-bench-worker');
  const clock = new ManualClock(Number(env('BENCH_NOW')));
  const partitions = new PartitionKeeper(pool);
  const sla = { pool, fleet, clock, partitions, signingKey: null, graceHours: 72 };
  const noisy = { pool, fleet, clock, partitions, detector: defaultDetectorFactory };
  if (env('BENCH_MODE') === 'loop') {
    const t0 = performance.now();
    await countClosedMinutes(sla);
    const t1 = performance.now();
    await runNoisyDetection(noisy);
    const t2 = performance.now();
    const cpu = process.cpuUsage();
    process.stdout.write(`done ${t2 - t0} sla ${t1 - t0} noisy ${t2 - t1} cpu ${(cpu.user + cpu.system) / 1000}\n`);
    await pool.end();
    return;
  }
  const prefix = env('BENCH_PREFIX');
  const redis = [createRedis(env('BENCH_REDIS_URL')), createRedis(env('BENCH_REDIS_URL'))];
  const workers = [slaWorker(redis[0]!, prefix, sla, silentLogger), noisyWorker(redis[1]!, prefix, noisy, silentLogger)];
  process.once('SIGTERM', () => {
    void (async () => {
      await Promise.all(workers.map((w) => w.close(2_000)));
      await Promise.all(redis.map((r) => r.quit()));
      await pool.end();
      process.exit(0);
    })();
  });
  await Promise.all(workers.map((w) => w.ready()));
  process.stdout.write('ready\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
