import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { adminSql } from './admin-sql';
import { benchRow, writeBenchRows } from './lib/rows';
import { parseFleet } from '../services/config/fleet';
import { syncFleet } from '../services/config/fleet-store';
import { silentLogger } from '../services/core/logger';
import { NOISY_QUEUE, NOISY_SCHEDULE } from '../services/queue/noisy-queue';
import { createRedis } from '../services/queue/queues';
import { SLA_QUEUE } from '../services/queue/sla-queue';
import { createPool } from '../services/storage/db';
import { migrate } from '../services/storage/migrate';

/**
 * `npm run bench:workers` (issue #15): the same backlog — every tenant's closed minutes to count
 * (sla-minutes) and every cluster's noisy minutes to attribute and detect (noisy-minutes) — done
 * by 1, 2 and 4 worker processes taking the fanned-out jobs, and, as "before", by one process
 * looping over all tenants and clusters in one job as the scheduled jobs did. Each run starts from
 * the same seeded database (a copy of a template); the configurations take turns, in a rotated
 * order each round. The worker processes are started and connected before the clock starts; the
 * time runs from enqueuing the two scheduled jobs until every job they fanned out is complete.
 * Environment: BENCH_ADMIN_URL, BENCH_REDIS_URL, BENCH_TENANTS (200), BENCH_CLUSTERS (4),
 * BENCH_ROUNDS (5), BENCH_PREFIX (ts_bench: database names and queue prefix).
 */
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TENANTS = Number(process.env.BENCH_TENANTS ?? 200);
const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PREFIX = process.env.BENCH_PREFIX ?? 'ts_bench';
// A day of UTC March to count per tenant (closed until 00:00 with 5 minutes of lateness), and
// 6 hours of noisy minutes per cluster (a cluster's first run looks 6 hours back).
const NOW = Date.parse('2026-03-02T00:05:00Z');
const MINUTES_PER_TENANT = 1440;
const CHILD = join(__dirname, 'workers-child.ts');

function fleetYaml(): string {
  const lines = ['clusters:'];
  for (let c = 1; c <= CLUSTERS; c++) lines.push(`  c${c}:`, '    timezone: UTC');
  lines.push('tenants:');
  const tiers = ['standard', 'business', 'mission'];
  for (let i = 0; i < TENANTS; i++) {
    lines.push(
      `  - id: t${i}`,
      `    name: Tenant ${i}`,
      `    cluster: c${(i % CLUSTERS) + 1}`,
      `    tier: ${tiers[i % 3]}`,
      `    hosts: [t${i}.bench.test]`,
      '    monthlyFee: {amount: "100.00", currency: EUR}',
    );
  }
  return `${lines.join('\n')}\n`;
}

function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The template every run copies: migrated, the fleet synced, a day and a half of probes per tenant. */
async function seedTemplate(name: string, fleetText: string): Promise<void> {
  await adminSql(ADMIN_URL, `CREATE DATABASE ${name}`);
  const pool = createPool(databaseUrl(name), 2, 'tenantscope-bench');
  try {
    await migrate(pool, silentLogger);
    const fleet = parseFleet(fleetText, 'workers-bench.yaml');
    await syncFleet(pool, fleet, new Date('2026-02-01T00:00:00Z'));
    for (const table of ['tenant_minute', 'sla_minute', 'tenant_resource_minute', 'cluster_resource_minute'])
      for (const at of ['2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'])
        await pool.query('SELECT tenantscope_ensure_month_partition($1, $2)', [table, at]);
    // two probes a minute; a failing stretch of 5 to 15 minutes for some tenants
    await pool.query(
      `INSERT INTO tenant_minute (tenant_id, minute, probes_ok, probes_failed)
       SELECT t, m, CASE WHEN (abs(hashtext(t))::bigint + extract(epoch FROM m)::bigint / 60) % 1440 < 10 THEN 0 ELSE 2 END,
                    CASE WHEN (abs(hashtext(t))::bigint + extract(epoch FROM m)::bigint / 60) % 1440 < 10 THEN 2 ELSE 0 END
       FROM unnest($1::text[]) AS t, generate_series('2026-02-28T12:00:00Z'::timestamptz, '2026-03-02T00:04:00Z', interval '1 minute') AS m`,
      [fleet.tenants.map((t) => t.id)],
    );
    await pool.query('ANALYZE');
  } finally {
    await pool.end();
  }
}

function startChild(env: Record<string, string>): { child: ChildProcess; line: Promise<string> } {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', CHILD], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`bench worker exited with ${code} before answering`)));
  });
  return { child, line };
}

/** Checks a run did the whole backlog, so a faster figure never comes from less work. */
async function checkDone(name: string): Promise<void> {
  const pool = createPool(databaseUrl(name), 1, 'tenantscope-bench');
  try {
    const counted = await pool.query<{ n: string }>('SELECT sum(good + bad + nodata + excluded)::text AS n FROM sla_minute_total');
    const noisy = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM noisy_detector_state WHERE watermark = '2026-03-02T00:03:00Z'`,
    );
    if (Number(counted.rows[0]?.n) !== TENANTS * MINUTES_PER_TENANT || noisy.rows[0]?.n !== CLUSTERS)
      throw new Error(`${name}: counted ${counted.rows[0]?.n} minutes and ${noisy.rows[0]?.n} clusters, expected all`);
  } finally {
    await pool.end();
  }
}

/** One run: `workers` 0 is the single looping job of before; otherwise that many worker processes. */
async function runOnce(template: string, fleetFile: string, workers: number, round: number): Promise<number> {
  const name = `${template}_r${round}_w${workers}`;
  await adminSql(ADMIN_URL, `CREATE DATABASE ${name} TEMPLATE ${template}`);
  const env = { BENCH_FLEET: fleetFile, BENCH_DATABASE_URL: databaseUrl(name), BENCH_NOW: String(NOW), BENCH_REDIS_URL: REDIS_URL };
  try {
    if (workers === 0) {
      const { line } = startChild({ ...env, BENCH_MODE: 'loop' });
      const answer = await line;
      process.stdout.write(`  one looping job: ${answer}\n`);
      const seconds = Number(/^done ([\d.]+)/.exec(answer)?.[1]) / 1000;
      await checkDone(name);
      return seconds;
    }
    const prefix = `${PREFIX}-workers-${randomBytes(4).toString('hex')}`;
    const children = Array.from({ length: workers }, () => startChild({ ...env, BENCH_MODE: 'workers', BENCH_PREFIX: prefix }));
    const redis = createRedis(REDIS_URL);
    const sla = new Queue(SLA_QUEUE, { connection: redis, prefix });
    const noisy = new Queue(NOISY_QUEUE, { connection: redis, prefix });
    try {
      await Promise.all(children.map((c) => c.line));
      // one fan-out job each plus its children: a batch per 25 tenants of a cluster, a job per cluster
      const perCluster = Math.ceil(TENANTS / CLUSTERS / 25);
      const expected = { sla: 1 + CLUSTERS * perCluster, noisy: 1 + CLUSTERS };
      const t0 = performance.now();
      await sla.add('sla-minutes', {}, { timestamp: NOW });
      await noisy.add(NOISY_SCHEDULE.id, {}, { timestamp: NOW });
      for (;;) {
        const [s, n] = await Promise.all([sla.getJobCounts('completed', 'failed'), noisy.getJobCounts('completed', 'failed')]);
        if ((s.failed ?? 0) + (n.failed ?? 0) > 0) throw new Error(`${name}: a job failed`);
        if (s.completed === expected.sla && n.completed === expected.noisy) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const seconds = (performance.now() - t0) / 1000;
      await checkDone(name);
      return seconds;
    } finally {
      for (const c of children) c.child.kill('SIGTERM');
      await Promise.all(
        children.map((c) => new Promise((resolve) => (c.child.exitCode !== null ? resolve(null) : c.child.once('exit', resolve)))),
      );
      for (const q of [sla, noisy]) {
        await q.obliterate({ force: true });
        await q.close();
      }
      await redis.quit();
    }
  } finally {
    await adminSql(ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

async function main(): Promise<void> {
  const template = `${PREFIX}_workers_${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'ts-workers-bench-'));
  const fleetFile = join(dir, 'fleet.yaml');
  writeFileSync(fleetFile, fleetYaml());
  const configs = [0, 1, 2, 4];
  const times = new Map<number, number[]>(configs.map((w) => [w, []]));
  try {
    await seedTemplate(template, fleetYaml());
    for (let round = 0; round < ROUNDS; round++) {
      // rotated order: no configuration always runs first or last
      const order = configs.map((_, i) => configs[(i + round) % configs.length]!);
      for (const workers of order) {
        const seconds = await runOnce(template, fleetFile, workers, round);
        times.get(workers)!.push(seconds);
        process.stdout.write(`round ${round + 1}: ${workers === 0 ? 'one looping job' : `${workers} worker(s)`} ${seconds.toFixed(2)} s\n`);
      }
    }
  } finally {
    await adminSql(ADMIN_URL, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
  }
  const work = `${TENANTS} tenants × ${MINUTES_PER_TENANT} closed minutes counted and ${CLUSTERS} clusters × 363 noisy minutes`;
  const one = { name: '1 worker process (fan-out)', values: times.get(1)! };
  const notes =
    `${cpus().length} cores, shared with PostgreSQL and Redis: more processes than cores cannot go faster; ` +
    'each worker process runs 2 SLA and 2 noisy jobs at once; fan-out times include BullMQ handing the jobs out';
  const rows = [
    benchRow({
      work: `${work}: 1 worker process, fan-out, against the one looping job of before`,
      unit: 's',
      better: 'lower',
      ours: times.get(1)!,
      peer: { name: 'one job looping over every tenant and cluster (before)', values: times.get(0)! },
      goal: 'time falls: < 1× the looping job',
      maxSlowdown: 0.999,
      notes,
    }),
    ...[2, 4].map((w) =>
      benchRow({
        work: `${work}: ${w} worker processes`,
        unit: 's',
        better: 'lower',
        ours: times.get(w)!,
        peer: one,
        goal: 'time falls: < 1× the 1-worker time',
        maxSlowdown: 0.999,
        notes,
      }),
    ),
  ];
  const file = writeBenchRows('workers', rows);
  process.stdout.write(`${JSON.stringify(rows, null, 2)}\nwritten to ${file}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
