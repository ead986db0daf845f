import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { adminSql } from './admin-sql';
import { benchRow, interleave, writeBenchRows, type BenchRow } from './lib/rows';
import { naiveReadOdooLog } from './naive-odoo-reader';
import { runBatchSimulation } from '../simulator';
import { parseFleet } from '../services/config/fleet';
import { syncFleet } from '../services/config/fleet-store';
import { ManualClock } from '../services/core/clock';
import { silentLogger } from '../services/core/logger';
import { createPool } from '../services/storage/db';
import { migrate } from '../services/storage/migrate';
import { PartitionKeeper } from '../services/storage/partitions';
import { ingestOdooLog, type LogTarget } from '../collectors/odoo-log/collector';
import { KeptConnections } from '../collectors/lib/connections';

/**
 * `npm run bench:ingest` (issue #15): the Odoo log, ours against a naive Node reader (readline,
 * one regex, per-database sums: bench/naive-odoo-reader.ts) on the same file, interleaved.
 *  (a) ingest: the tail collector's run (read, parse, roll up, commit to PostgreSQL) on a fresh
 *      database per round, repeated until the file is read, against the naive read of that file;
 *  (b) `tenantscope parse odoo-log <file>` (NDJSON to /dev/null) against the naive reader run as a
 *      process of its own; `wc -l` on the same file is printed as a reference.
 * The log is written by the simulator's batch mode (20 tenants on one cluster, real Odoo 17 format).
 * Environment: BENCH_ADMIN_URL, BENCH_ROUNDS (5), BENCH_PARSE_MINUTES (700 simulated minutes, about
 * 160 MB), BENCH_INGEST_LINES (188000), BENCH_DB_PREFIX (tsbench_ingest), BENCH_DIR (keep and reuse
 * the generated files there), BENCH_ONLY (ingest | parse).
 */
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PARSE_MINUTES = Number(process.env.BENCH_PARSE_MINUTES ?? 700);
const INGEST_LINES = Number(process.env.BENCH_INGEST_LINES ?? 188_000);
const DB_PREFIX = process.env.BENCH_DB_PREFIX ?? 'tsbench_ingest';
const ONLY = process.env.BENCH_ONLY;
const BIN = join(__dirname, '..', 'bin', 'tenantscope.js');
const TSX = require.resolve('tsx/cjs');
const TENANTS = 20;
const FROM = '2026-11-02T00:00:00Z';
const ZONE = 'Europe/Berlin';
const run = promisify(execFile);

async function main(): Promise<void> {
  const dir = process.env.BENCH_DIR ?? join(tmpdir(), `tsbench-ingest-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const parseFile = join(dir, 'odoo.log');
    const fleetText = fleetYaml(parseFile);
    if (!existsSync(parseFile)) {
      const fleet = parseFleet(fleetText, join(dir, 'fleet.yaml'), dir);
      await runBatchSimulation({
        fleet,
        from: FROM,
        minutes: PARSE_MINUTES,
        outDir: join(dir, 'sim'),
        rotateBytes: 2 ** 40,
        scenario: 'normal',
        seed: 1,
      });
    }
    const ingestFile = join(dir, 'ingest.log');
    if (!existsSync(ingestFile)) writeFirstLines(parseFile, ingestFile, INGEST_LINES);
    const rows: BenchRow[] = [];
    const extra: Record<string, unknown> = {};
    if (ONLY !== 'parse') rows.push(await ingestRow(ingestFile, fleetText.replace(parseFile, ingestFile), dir));
    if (ONLY !== 'ingest') {
      rows.push(await parseRow(parseFile));
      extra.wcL = await wcReference(parseFile);
    }
    for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
    if (extra.wcL) process.stdout.write(`wc -l: ${JSON.stringify(extra.wcL)}\n`);
    if (!ONLY) process.stdout.write(`wrote ${writeBenchRows('ingest', rows, extra)}\n`);
  } finally {
    if (!process.env.BENCH_DIR) rmSync(dir, { recursive: true, force: true });
  }
}

async function ingestRow(file: string, fleetText: string, dir: string): Promise<BenchRow> {
  const size = statSync(file).size;
  const fleet = parseFleet(fleetText, join(dir, 'fleet.yaml'), dir);
  // just after the simulated period: every line falls in the accepted range
  const now = Date.parse(FROM) + (PARSE_MINUTES + 10) * 60_000;
  let stored = 0;
  const { ours, peer } = await interleave(
    ROUNDS,
    async (round) => {
      const database = `${DB_PREFIX}_${process.pid}_${round}`;
      await adminSql(ADMIN_URL, `CREATE DATABASE ${database}`);
      const pool = createPool(ADMIN_URL.replace(/\/[^/]*$/, `/${database}`), 4);
      try {
        await migrate(pool, silentLogger);
        await syncFleet(pool, fleet, new Date(now));
        const deps = { pool, partitions: new PartitionKeeper(pool), fleet, clock: new ManualClock(now), log: silentLogger };
        const target: LogTarget = { collector: 'odoo-log', target: file, intervalSeconds: 5, cluster: 'c1', file, zone: ZONE };
        const connections = new KeptConnections();
        const started = performance.now();
        for (let i = 0; ; i++) {
          const context = {
            scheduledAt: new Date(now + i * 1000),
            startedAt: now,
            worker: 'bench',
            signal: new AbortController().signal,
            connections,
          };
          const outcome = await ingestOdooLog(deps, target, context);
          if (outcome.duplicate) throw new Error('an ingest run found its checkpoint moved');
          if (outcome.records === 0) break;
        }
        const seconds = (performance.now() - started) / 1000;
        const { rows } = await pool.query(
          'SELECT coalesce(sum(odoo_requests_2xx + odoo_requests_3xx + odoo_requests_4xx + odoo_requests_5xx + odoo_requests_other), 0)::int8 AS n FROM tenant_total',
        );
        stored = Number(rows[0].n);
        if (!(stored > 0)) throw new Error('the ingest stored no request');
        return size / 1e6 / seconds;
      } finally {
        await pool.end();
        await adminSql(ADMIN_URL, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      }
    },
    async () => {
      const started = performance.now();
      const sums = await naiveReadOdooLog(file);
      if (sums.requests === 0) throw new Error('the naive reader found no request');
      return size / 1e6 / ((performance.now() - started) / 1000);
    },
  );
  const lines = (await naiveReadOdooLog(file)).lines;
  return benchRow({
    work: `Odoo log ingest, ${Math.round(lines / 1000)}k lines (${(size / 1e6).toFixed(1)} MB): read, parse, roll up, commit`,
    unit: 'MB/s',
    better: 'higher',
    ours: ours,
    peer: { name: 'naive Node reader (readline + one regex + per-db sums, no database)', values: peer },
    goal: '≥ 3× the naive reader (slowdown ≤ 0.333)',
    maxSlowdown: 1 / 3,
    notes: `ours: collector runs (16 MiB each) into a fresh migrated database per round, ${stored} requests stored; the peer keeps its sums in memory`,
  });
}

async function parseRow(file: string): Promise<BenchRow> {
  const size = statSync(file).size;
  const { ours, peer } = await interleave(
    ROUNDS,
    async () => size / 1e6 / (await timeProcess(process.execPath, [BIN, 'parse', 'odoo-log', file, '--zone', ZONE])),
    async () => size / 1e6 / (await timeProcess(process.execPath, ['-r', TSX, join(__dirname, 'naive-odoo-reader.ts'), file])),
  );
  return benchRow({
    work: `tenantscope parse odoo-log, ${(size / 1e6).toFixed(0)} MB`,
    unit: 'MB/s',
    better: 'higher',
    ours,
    peer: { name: 'naive Node reader as a process (readline + one regex + per-db sums)', values: peer },
    goal: 'at least as fast as the naive reader (slowdown ≤ 1)',
    maxSlowdown: 1,
    notes: 'both as processes, from start to exit (Node and tsx start included); ours prints NDJSON to /dev/null',
  });
}

/** Seconds from spawn to exit, stdout to /dev/null. */
async function timeProcess(command: string, args: string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}: ${stderr}`);
  return (performance.now() - started) / 1000;
}

async function wcReference(file: string): Promise<{ mbPerSecond: number; lines: number }> {
  const started = performance.now();
  const { stdout } = await run('wc', ['-l', file]);
  const seconds = (performance.now() - started) / 1000;
  return { mbPerSecond: Math.round(statSync(file).size / 1e6 / seconds), lines: Number(stdout.trim().split(' ')[0]) };
}

/** The first `count` lines of `from` (a prefix of the simulated log: the ingest row's file). */
function writeFirstLines(from: string, to: string, count: number): void {
  const input = openSync(from, 'r');
  const output = openSync(to, 'w');
  const buffer = Buffer.alloc(1 << 20);
  let left = count;
  try {
    for (let read; left > 0 && (read = readSync(input, buffer, 0, buffer.length, null)) > 0;) {
      let end = 0;
      while (left > 0 && end < read) {
        const newline = buffer.indexOf(0x0a, end);
        if (newline < 0 || newline >= read) {
          end = read;
          break;
        }
        end = newline + 1;
        left -= 1;
      }
      writeSync(output, buffer, 0, end);
    }
  } finally {
    closeSync(input);
    closeSync(output);
  }
}

function fleetYaml(logFile: string): string {
  const lines = [
    'clusters:',
    '  c1:',
    `    timezone: ${ZONE}`,
    '    odoo:',
    `      logFiles: [${logFile}]`,
    `      logTimezone: ${ZONE}`,
    '      logIntervalSeconds: 5',
    'tenants:',
  ];
  for (let i = 1; i <= TENANTS; i++) {
    lines.push(`  - id: t${i}`, `    name: Tenant ${i}`, '    cluster: c1', '    tier: standard', `    database: db_t${i}`);
    lines.push(`    hosts: [t${i}.bench.test]`, '    monthlyFee: {amount: "100.00", currency: EUR}');
  }
  return `${lines.join('\n')}\n`;
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
