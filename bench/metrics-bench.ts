import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Gauge, Registry } from 'prom-client';
import { adminSql } from './admin-sql';
import { benchRow, interleave, writeBenchRows, type BenchRow } from './lib/rows';
import { metricsFleetYaml, seedMetricsRows } from './lib/metrics-seed';
import { KeptConnections } from '../collectors/lib/connections';
import { ingestRedis, type RedisTarget } from '../collectors/redis/collector';
import { parseFleet } from '../services/config/fleet';
import { syncFleet } from '../services/config/fleet-store';
import { systemClock } from '../services/core/clock';
import { silentLogger } from '../services/core/logger';
import { createMetricsRegistry } from '../services/metrics/registry';
import { createPool, type Pool } from '../services/storage/db';
import { migrate } from '../services/storage/migrate';
import { PartitionKeeper } from '../services/storage/partitions';

/**
 * `npm run bench:metrics` (issue #15): (a) a whole /metrics render (the SQL reads included) at
 * 100, 1,000 and 10,000 tenants against prom-client rendering the same series from memory;
 * (b) one Redis collector run (read, attribute, store) with 200 named clients against one
 * redis_exporter scrape of the same server. Creates and drops its own databases. Environment:
 * BENCH_ADMIN_URL, BENCH_REDIS_URL (redis://127.0.0.1:6379), BENCH_ROUNDS (7),
 * BENCH_TENANT_COUNTS (100,1000,10000), BENCH_EXPORTER_PORT (23121).
 */
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const COUNTS = (process.env.BENCH_TENANT_COUNTS ?? '100,1000,10000').split(',').map(Number);
const EXPORTER_PORT = Number(process.env.BENCH_EXPORTER_PORT ?? 23121);
const REDIS_CLIENTS = 200;
// /metrics keeps a group's load for 250 ms after it ends (overlapping scrapes share it); real
// scrapes are seconds apart, so every measured render starts after that.
const SCRAPE_GAP_MS = 300;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function timedMs(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return performance.now() - t0;
}

async function withDatabase<T>(work: (pool: Pool) => Promise<T>): Promise<T> {
  const name = `h3met_bench_${randomBytes(4).toString('hex')}`;
  await adminSql(ADMIN_URL, `CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), 6, 'tenantscope-bench');
  try {
    await migrate(pool, silentLogger);
    return await work(pool);
  } finally {
    await pool.end();
    await adminSql(ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

/** The exposition's samples as prom-client gauges (one per sample name), for the peer. */
function peerRegistry(text: string): { registry: Registry; series: number } {
  const registry = new Registry();
  const gauges = new Map<string, Gauge>();
  let series = 0;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unreadable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    let gauge = gauges.get(m[1]!);
    if (!gauge) {
      gauge = new Gauge({ name: m[1]!, help: m[1]!, labelNames: Object.keys(labels), registers: [registry] });
      gauges.set(m[1]!, gauge);
    }
    gauge.set(labels, Number(m[3]));
    series += 1;
  }
  return { registry, series };
}

async function metricsRows(n: number): Promise<BenchRow> {
  return withDatabase(async (pool) => {
    const fleet = parseFleet(metricsFleetYaml(n), 'bench-fleet.yaml');
    const now = new Date();
    await syncFleet(pool, fleet, now);
    await seedMetricsRows(
      pool,
      fleet.tenants.map((t) => t.id),
      (id) => fleet.tenants.find((t) => t.id === id)!.cluster,
      now,
    );
    const ours = createMetricsRegistry(pool, { version: 'bench', revision: 'bench' }, silentLogger, systemClock);
    const body = await ours.metrics();
    if (!body.includes('tenantscope_metrics_store_up 1')) throw new Error('the seeded store could not be read');
    const peer = peerRegistry(body);
    await sleep(SCRAPE_GAP_MS);
    const runs = await interleave(
      ROUNDS,
      async () => {
        await sleep(SCRAPE_GAP_MS);
        return timedMs(() => ours.metrics());
      },
      () => timedMs(() => peer.registry.metrics()),
    );
    console.log(`/metrics ${n} tenants (${peer.series} series): ours`, runs.ours.map(Math.round), 'peer', runs.peer.map(Math.round));
    return benchRow({
      work: `/metrics, ${n.toLocaleString('en')} tenants, ${peer.series.toLocaleString('en')} series`,
      unit: 'ms',
      better: 'lower',
      ours: runs.ours,
      peer: { name: 'prom-client rendering the same series from memory', values: runs.peer },
      goal: n === 1000 ? '≤ 100 ms at 1,000 tenants' : 'linear in tenants',
      maxSlowdown: Infinity,
      notes: 'ours includes every SQL read of the scrape; the peer renders gauges already in memory',
    });
  });
}

async function startExporter(): Promise<ChildProcess> {
  const child = spawn(
    'prometheus-redis-exporter',
    ['-redis.addr', REDIS_URL, '-web.listen-address', `127.0.0.1:${EXPORTER_PORT}`, '-export-client-list'],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 50; i++) {
    await sleep(100);
    if (
      await fetch(`http://127.0.0.1:${EXPORTER_PORT}/metrics`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return child;
  }
  child.kill();
  throw new Error('prometheus-redis-exporter did not start');
}

async function redisRow(): Promise<BenchRow> {
  const prefix = `h3met-${randomBytes(3).toString('hex')}`;
  const clients: Redis[] = [];
  const exporter = await startExporter();
  const connections = new KeptConnections();
  try {
    const lines = ['clusters:', '  c1:', '    timezone: UTC', '    redis:', `      url: ${REDIS_URL}`, 'tenants:'];
    for (let i = 0; i < REDIS_CLIENTS; i++) {
      lines.push(`  - id: t${i}`, `    name: Tenant ${i}`, '    cluster: c1', '    tier: business', `    hosts: [t${i}.bench.test]`);
      lines.push('    monthlyFee: {amount: "1.00", currency: EUR}', `    redis: {clientPrefix: '${prefix}-t${i}:'}`);
    }
    const fleet = parseFleet(`${lines.join('\n')}\n`, 'bench-redis.yaml');
    for (let i = 0; i < REDIS_CLIENTS; i++) {
      const c = new Redis(REDIS_URL, { connectionName: `${prefix}-t${i}:web`, lazyConnect: true });
      await c.connect();
      await c.ping();
      clients.push(c);
    }
    return await withDatabase(async (pool) => {
      await syncFleet(pool, fleet, new Date());
      const deps = { pool, partitions: new PartitionKeeper(pool), fleet, clock: systemClock, log: silentLogger };
      const target: RedisTarget = {
        collector: 'redis',
        target: 'c1',
        cluster: 'c1',
        intervalSeconds: 15,
        url: REDIS_URL,
        timeoutSeconds: 5,
      };
      let run = 0;
      const once = () =>
        ingestRedis(deps, target, {
          scheduledAt: new Date(Date.UTC(2026, 0, 1) + 15_000 * run++),
          startedAt: Date.now(),
          worker: 'bench',
          signal: new AbortController().signal,
          connections,
        });
      const scrape = async () => {
        const res = await fetch(`http://127.0.0.1:${EXPORTER_PORT}/metrics`);
        await res.text();
      };
      await once();
      await scrape();
      const runs = await interleave(
        ROUNDS,
        () => timedMs(once),
        () => timedMs(scrape),
      );
      console.log('redis collector: ours', runs.ours.map(Math.round), 'peer', runs.peer.map(Math.round));
      return benchRow({
        work: `Redis collector run, ${REDIS_CLIENTS} named clients`,
        unit: 'ms',
        better: 'lower',
        ours: runs.ours,
        peer: { name: 'redis_exporter 1.45 scrape (-export-client-list)', values: runs.peer },
        goal: '≤ 1.5× the peer',
        maxSlowdown: 1.5,
        notes:
          'ours reads INFO and CLIENT LIST, attributes clients to tenants and commits to PostgreSQL; the peer renders per-client series',
      });
    });
  } finally {
    exporter.kill();
    await connections.closeAll();
    await Promise.all(clients.map((c) => c.quit()));
  }
}

async function main(): Promise<void> {
  const rows: BenchRow[] = [];
  for (const n of COUNTS) rows.push(await metricsRows(n));
  const [hundred, thousand, last] = [rows[0]!, rows.find((r) => r.work.includes(' 1,000 tenants')), rows[rows.length - 1]!];
  if (thousand) thousand.met = thousand.ours.median <= 100;
  // linear: per tenant at the largest count no worse than 1.5× that at the smallest
  const perTenant = (r: BenchRow, n: number) => r.ours.median / n;
  if (rows.length > 1) last.met = perTenant(last, COUNTS[COUNTS.length - 1]!) <= 1.5 * perTenant(hundred, COUNTS[0]!);
  if (process.env.BENCH_SKIP_REDIS !== '1') rows.push(await redisRow());
  console.log(`wrote ${writeBenchRows('metrics', rows)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
