import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import pg from 'pg';
import { adminSql } from './admin-sql';
import { benchRow, interleave, writeBenchRows } from './lib/rows';
import { systemClock } from '../services/core/clock';
import { parseFleet } from '../services/config/fleet';
import { silentLogger } from '../services/core/logger';
import { syncFleet } from '../services/config/fleet-store';
import { createPool } from '../services/storage/db';
import { migrate } from '../services/storage/migrate';
import { PartitionKeeper } from '../services/storage/partitions';
import { KeptConnections } from '../collectors/lib/connections';
import { ingestPostgres, postgresTargets, type PostgresTarget } from '../collectors/postgres/collector';
import { postgresMetrics } from '../services/metrics/postgres-metrics';
import { SIZE_ROTATION } from '../collectors/postgres/sizes';

/**
 * `npm run bench:postgres`: one postgres collector cycle (activity, stats and sizes runs, each
 * read and stored) on a server with BENCH_DATABASES (500) small tenant databases, against one
 * scrape of postgres_exporter (Debian prometheus-postgres-exporter, --auto-discover-databases,
 * limited to the same databases), interleaved round by round. Also counts the series per
 * database each side publishes.
 *
 * The monitored server is a private PostgreSQL started for the run (port BENCH_PG_PORT, 25432,
 * max_connections 700, pg_stat_statements loaded): postgres_exporter keeps one connection per
 * discovered database open, 500 of them, which the shared server (max_connections 100) cannot
 * give without starving everyone else. Our own store stays on BENCH_ADMIN_URL (database
 * h5pg_bench_*_store). Everything is dropped at the end.
 * Environment: BENCH_ADMIN_URL, BENCH_DATABASES, BENCH_ROUNDS (5), BENCH_EXPORTER_PORT (25187),
 * BENCH_PG_BIN (/usr/lib/postgresql/15/bin).
 */
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASES = Number(process.env.BENCH_DATABASES ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PORT = Number(process.env.BENCH_EXPORTER_PORT ?? 25187);
const EXPORTER = process.env.BENCH_EXPORTER ?? '/usr/bin/prometheus-postgres-exporter';
const PG_BIN = process.env.BENCH_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const PG_PORT = Number(process.env.BENCH_PG_PORT ?? 25432);
const MONITORED_URL = `postgres://postgres@127.0.0.1:${PG_PORT}/postgres`;

const tag = randomBytes(3).toString('hex');
const dbName = (i: number) => `h5pg_bench_${tag}_${i}`;

function fleetYaml(n: number): string {
  const lines = [
    'clusters:',
    '  c1:',
    '    timezone: UTC',
    '    postgres:',
    `      url: ${MONITORED_URL}`,
    '      intervalSeconds: 15',
    '      activityIntervalSeconds: 1',
    '      sizeIntervalSeconds: 60',
    'tenants:',
  ];
  for (let i = 0; i < n; i++)
    lines.push(
      `  - id: t${i}`,
      `    name: Tenant ${i}`,
      '    cluster: c1',
      '    tier: business',
      `    hosts: [t${i}.bench.test]`,
      `    database: ${dbName(i)}`,
      '    monthlyFee: {amount: "1.00", currency: EUR}',
    );
  return `${lines.join('\n')}\n`;
}

/** Runs `work` over `items`, `width` at a time. */
async function inBatches<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(work));
}

/** A throwaway PostgreSQL, run as the postgres user (initdb refuses root). */
function startPrivateServer(dir: string): void {
  const asPostgres = (args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: ['ignore', 'ignore', 'pipe'], cwd: '/tmp' });
  mkdirSync(dir, { recursive: true });
  const { uid, gid } = {
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString()),
  };
  chownSync(dir, uid, gid);
  asPostgres([`${PG_BIN}/initdb`, '-D', `${dir}/data`, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const options = [
    `-p ${PG_PORT}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c max_connections=700',
    '-c fsync=off',
    '-c shared_preload_libraries=pg_stat_statements',
  ].join(' ');
  asPostgres([`${PG_BIN}/pg_ctl`, '-D', `${dir}/data`, '-o', options, '-l', `${dir}/log`, '-w', 'start']);
}

function stopPrivateServer(dir: string): void {
  if (existsSync(`${dir}/data/postmaster.pid`))
    execFileSync('runuser', ['-u', 'postgres', '--', `${PG_BIN}/pg_ctl`, '-D', `${dir}/data`, '-m', 'immediate', 'stop'], {
      stdio: 'ignore',
      cwd: '/tmp',
    });
  rmSync(dir, { recursive: true, force: true });
}

async function onMonitored(database: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: MONITORED_URL.replace(/\/postgres$/, `/${database}`) });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function startExporter(databases: readonly string[]): Promise<ChildProcess> {
  const admin = new URL(MONITORED_URL);
  // postgres_exporter 0.11 parses only postgresql:// with a password when it rewrites the DSN for
  // the databases it discovers (trust authentication ignores the password)
  const dsn = `postgresql://${admin.username || 'postgres'}:${admin.password || 'unused'}@${admin.host}${admin.pathname}?sslmode=disable`;
  const child = spawn(
    EXPORTER,
    [
      `--web.listen-address=127.0.0.1:${PORT}`,
      '--auto-discover-databases',
      `--include-databases=${[admin.pathname.slice(1), ...databases].join(',')}`,
    ],
    { env: { ...process.env, DATA_SOURCE_NAME: dsn }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`postgres_exporter exited: ${stderr}`);
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/`)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`postgres_exporter did not listen on ${PORT}: ${stderr}`);
}

async function scrape(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${PORT}/metrics`);
  if (!res.ok) throw new Error(`postgres_exporter /metrics answered ${res.status}`);
  return res.text();
}

/** Series of the exporter naming one of our databases, per database. */
function exporterSeriesPerDatabase(text: string): number {
  const ours = new RegExp(`datname="h5pg_bench_${tag}_\\d+"`);
  return text.split('\n').filter((line) => !line.startsWith('#') && ours.test(line)).length / DATABASES;
}

async function main(): Promise<void> {
  const names = Array.from({ length: DATABASES }, (_, i) => dbName(i));
  const storeName = `h5pg_bench_${tag}_store`;
  await adminSql(ADMIN_URL, `CREATE DATABASE ${storeName}`);
  const storeUrl = new URL(ADMIN_URL);
  storeUrl.pathname = `/${storeName}`;
  const pool = createPool(storeUrl.toString(), 6, 'tenantscope-bench');
  const connections = new KeptConnections();
  const serverDir = `/tmp/h5pg_bench_${tag}_server`;
  let exporter: ChildProcess | undefined;
  try {
    startPrivateServer(serverDir);
    const t0 = performance.now();
    await onMonitored('postgres', 'CREATE EXTENSION pg_stat_statements');
    // a statement in each database: pg_stat_database and pg_stat_statements have something to say
    await inBatches(names, 8, async (name) => {
      await onMonitored('postgres', `CREATE DATABASE ${name}`);
      await onMonitored(name, 'SELECT count(*) FROM pg_class');
    });
    console.log(`created ${DATABASES} databases in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await migrate(pool, silentLogger);
    const fleet = parseFleet(fleetYaml(DATABASES), 'bench-fleet.yaml');
    await syncFleet(pool, fleet, new Date());
    const deps = { pool, partitions: new PartitionKeeper(pool), fleet, clock: systemClock, log: silentLogger };
    const targets = postgresTargets(fleet);
    const run = (kind: PostgresTarget['kind'], scheduledAt = new Date()) =>
      ingestPostgres(
        deps,
        targets.find((t) => t.kind === kind)!,
        {
          scheduledAt,
          startedAt: Date.now(),
          worker: 'bench',
          signal: new AbortController().signal,
          connections,
        },
      );
    const sizesMs: number[] = [];
    const cycle = async () => {
      const start = performance.now();
      await run('activity');
      await run('stats');
      const sizesStart = performance.now();
      await run('sizes');
      const end = performance.now();
      sizesMs.push(end - sizesStart);
      return end - start;
    };
    exporter = await startExporter(names);
    // a first cycle and scrape: our counter baselines, the exporter's connections
    await cycle();
    const firstScrape = await scrape();
    sizesMs.length = 0;
    const result = await interleave(ROUNDS, cycle, async () => {
      const start = performance.now();
      await scrape();
      return performance.now() - start;
    });
    // the series a scrape sees in steady state: sizes runs a whole rotation apart (each sizes a slice)
    const sizes = targets.find((t) => t.kind === 'sizes')!;
    for (let i = 0; i < SIZE_ROTATION; i++) await run('sizes', new Date(Date.now() + i * sizes.intervalSeconds * 1000));
    const values = await postgresMetrics.load(pool, systemClock);
    const oursSeries = postgresMetrics.metrics.flatMap((m) => m.values(values)).filter((v) => v.labels.tenant !== undefined).length;
    const oursPerDb = oursSeries / DATABASES;
    const peerPerDb = exporterSeriesPerDatabase(await scrape());
    const sizesSorted = [...sizesMs].sort((a, b) => a - b);
    const notes =
      `${DATABASES} empty databases on a private PostgreSQL 15 (pg_stat_statements loaded), 2 cores shared. Ours: activity + stats + sizes runs, read and committed. ` +
      `Series per database: ours ${oursPerDb.toFixed(1)}, postgres_exporter ${peerPerDb.toFixed(1)} ` +
      `(first scrape ${exporterSeriesPerDatabase(firstScrape).toFixed(1)}). Sizes run median ${sizesSorted[Math.floor(sizesSorted.length / 2)]!.toFixed(0)} ms.`;
    const row = benchRow({
      work: `PostgreSQL collector cycle, ${DATABASES} databases`,
      unit: 'ms',
      better: 'lower',
      ours: result.ours,
      peer: { name: 'postgres_exporter 0.11 scrape (--auto-discover-databases)', values: result.peer },
      goal: '≤ 0.5× the peer, with at least its series per database',
      maxSlowdown: 0.5,
      notes,
    });
    row.met = row.met && oursPerDb >= peerPerDb;
    const file = writeBenchRows('postgres', [row], { seriesPerDatabase: { ours: oursPerDb, peer: peerPerDb }, sizesMs });
    console.log(JSON.stringify(row, null, 2));
    console.log(`wrote ${file}`);
  } finally {
    exporter?.kill('SIGTERM');
    await connections.closeAll();
    await pool.end();
    stopPrivateServer(serverDir);
    await adminSql(ADMIN_URL, `DROP DATABASE IF EXISTS ${storeName} WITH (FORCE)`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
