import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { adminSql } from './admin-sql';
import { formatOdooRecord } from '../simulator/odoo-log-writer';
import { werkzeugTimestamp } from '../simulator/time-format';

/**
 * `npm run bench:push`: twenty log shippers push 8 MiB each at the same moment to one API process
 * while a service manager keeps asking for a report. Measured per round: the API's resident memory
 * (sampled every 25 ms from /proc), the latency of a report asked for five times a second while the
 * pushes run, against the same process idle just before (the peer, interleaved round by round), the push answers (200, 429,
 * 503), and the time until every body was taken (a shipper honours Retry-After and tries again).
 * Targets (issue #10): RSS under 300 MB, report p99 under 1 s. Creates and drops its own database.
 * Environment: BENCH_ADMIN_URL, BENCH_REDIS_URL, BENCH_ROUNDS (3), BENCH_PUSHES (20), BENCH_PUSH_MIB (8),
 * BENCH_BIN (the tenantscope.js to measure; another checkout's gives a before figure).
 */
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PUSHES = Number(process.env.BENCH_PUSHES ?? 20);
const PUSH_BYTES = Number(process.env.BENCH_PUSH_MIB ?? 8) * 1024 * 1024 - 64 * 1024;
const BIN = process.env.BENCH_BIN ?? join(__dirname, '..', 'bin', 'tenantscope.js');
const TENANTS = 20;
const IDLE_MS = 4_000;
/** A report request every 200 ms: 300 a minute, under the per-token limit of 600. */
const REPORT_EVERY_MS = 200;
const RESULTS = join(__dirname, 'push-results.json');
const run = promisify(execFile);

interface Round {
  idle: Latency;
  pushing: Latency;
  rssBeforeMb: number;
  rssPeakMb: number;
  answers: Record<string, number>;
  allTakenMs: number;
  /** The API's own event-loop delay over the push phase (prom-client's, from /metrics): p99 and max. */
  eventLoopLagMs: { p99: number; max: number };
}
interface Latency {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

async function main(): Promise<void> {
  const database = `tsbench_push_${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'tsbench-push-'));
  const port = 20_000 + (process.pid % 20_000);
  const env = {
    ...process.env,
    TENANTSCOPE_DATABASE_URL: ADMIN_URL.replace(/\/[^/]*$/, `/${database}`),
    TENANTSCOPE_REDIS_URL: REDIS_URL,
    TENANTSCOPE_QUEUE_PREFIX: database,
    TENANTSCOPE_LISTEN: `127.0.0.1:${port}`,
    TENANTSCOPE_FLEET_FILE: join(dir, 'fleet.yaml'),
    TENANTSCOPE_LOG_LEVEL: 'warn',
  };
  writeFileSync(env.TENANTSCOPE_FLEET_FILE, fleetYaml());
  await admin(`CREATE DATABASE ${database}`);
  let api: ChildProcess | undefined;
  try {
    api = spawn(process.execPath, [BIN, 'start', '--role', 'api'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    // the API's log lines (warn and above) name what went wrong, a 500 among them
    api.stdout!.on('data', (d: Buffer) => process.stderr.write(d));
    const base = `http://127.0.0.1:${port}`;
    await until(async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.ok === true, 30_000);
    const reader = await token(env, ['--name', 'bench-reader', '--role', 'read-only']);
    // an older tenantscope has no ingest role: its push route then takes no token at all
    const shipper = await token(env, ['--name', 'bench-shipper', '--role', 'ingest', '--cluster', 'c1']).catch(() => undefined);
    const month = new Date().toISOString().slice(0, 7);
    const report = `${base}/api/v1/reports/${month}/t0`;
    const rounds: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const bodies = Array.from({ length: PUSHES }, (_, i) => logBody(r * PUSHES + i));
      const idle = await latencyWhile(report, reader, sleep(IDLE_MS));
      const rssBeforeMb = rssMb(api.pid!);
      await eventLoopLag(base); // the lag histogram restarts at each scrape
      const sampler = sampleRss(api.pid!);
      const answers: Record<string, number> = {};
      const started = performance.now();
      const pushing = latencyWhile(
        report,
        reader,
        Promise.all(bodies.map((body) => pushUntilTaken(`${base}/ingest/odoo-log/c1`, body, shipper, answers))),
      );
      const latency = await pushing;
      const allTakenMs = performance.now() - started;
      const rssPeakMb = sampler.stop();
      const lag = await eventLoopLag(base);
      rounds.push({ idle, pushing: latency, rssBeforeMb, rssPeakMb, answers, allTakenMs: Math.round(allTakenMs), eventLoopLagMs: lag });
      process.stdout.write(`round ${r + 1}: ${JSON.stringify(rounds.at(-1))}\n`);
    }
    const summary = {
      measured: BIN,
      pushes: PUSHES,
      pushMiB: Math.round(PUSH_BYTES / 1024 / 1024),
      rounds: rounds.length,
      rssPeakMb: spread(rounds.map((r) => r.rssPeakMb)),
      reportP99MsWhilePushing: spread(rounds.map((r) => r.pushing.p99Ms)),
      reportP99MsIdle: spread(rounds.map((r) => r.idle.p99Ms)),
      allTakenSeconds: spread(rounds.map((r) => r.allTakenMs / 1000)),
      perRound: rounds,
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    if (!process.env.BENCH_BIN) writeFileSync(RESULTS, `${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    api?.kill('SIGTERM');
    await new Promise((r) => (api && api.exitCode === null ? api.once('exit', r) : r(undefined)));
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
  }
}

function fleetYaml(): string {
  const lines = ['clusters:', '  c1:', '    timezone: UTC', 'tenants:'];
  for (let i = 0; i < TENANTS; i++) {
    lines.push(`  - id: t${i}`, `    name: Tenant ${i}`, '    cluster: c1', '    tier: standard', `    database: bench_t${i}`);
    lines.push(`    hosts: [t${i}.bench.test]`, '    monthlyFee: {amount: "500.00", currency: EUR}');
  }
  return `${lines.join('\n')}\n`;
}

/** About PUSH_BYTES of distinct werkzeug request lines from the last hour, one body per seed. */
function logBody(seed: number): Uint8Array<ArrayBuffer> {
  const now = Date.now();
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < PUSH_BYTES; i++) {
    const ms = now - 50 * 60_000 + ((i * 7 + seed * 13) % (45 * 60_000));
    const db = `bench_t${(i + seed) % TENANTS}`;
    const line = formatOdooRecord(
      {
        ms,
        pid: 1000 + (seed % 50),
        level: 'INFO',
        db,
        logger: 'werkzeug',
        message: `10.0.0.${i % 250} - - [${werkzeugTimestamp(ms, 'UTC')}] "POST /web/dataset/call_kw/res.partner/read/${seed}-${i} HTTP/1.1" 200 -`,
        perf: `${i % 40} 0.${String(i % 1000).padStart(3, '0')} 0.120`,
      },
      'UTC',
    );
    parts.push(line);
    size += Buffer.byteLength(line);
  }
  return new Uint8Array(Buffer.from(parts.join('')));
}

/** Pushes one body until it is taken, waiting as Retry-After says (1 s without one). */
async function pushUntilTaken(
  url: string,
  body: Uint8Array<ArrayBuffer>,
  token: string | undefined,
  answers: Record<string, number>,
): Promise<void> {
  for (;;) {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'text/plain', ...(token && { authorization: `Bearer ${token}` }) },
    }).catch((err: Error) => ({ status: `error ${err.message}`, headers: new Headers(), text: async () => '' }));
    await response.text();
    answers[response.status] = (answers[response.status] ?? 0) + 1;
    // any other answer loses the body: counted, not retried (a shipper would drop or dead-letter it)
    if (response.status !== 429 && response.status !== 503) return;
    await sleep(1000 * Number(response.headers.get('retry-after') ?? 1));
  }
}

/**
 * Report latency while `work` runs: a request every REPORT_EVERY_MS whether or not the one before
 * has answered (as a dashboard's refreshes come), so a stall shows as every request caught in it,
 * not as one slow sample. The requests are timed on a thread of their own: the pushers' uploads
 * on this thread would otherwise delay the clock that measures them.
 */
async function latencyWhile(url: string, token: string, work: Promise<unknown>): Promise<Latency> {
  const prober = new Worker(PROBER, { eval: true, workerData: { url, token, everyMs: REPORT_EVERY_MS } });
  const times = new Promise<number[]>((resolve, reject) => {
    prober.once('message', resolve);
    prober.once('error', reject);
  });
  try {
    await work;
  } finally {
    prober.postMessage('stop');
  }
  const sorted = (await times).sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  return { requests: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: Math.round(sorted.at(-1)!) };
}

const PROBER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, token, everyMs } = workerData;
const times = [];
let stopped = false;
parentPort.once('message', () => (stopped = true));
(async () => {
  while (!stopped) {
    const t = performance.now();
    times.push(
      fetch(url, { headers: { authorization: 'Bearer ' + token } }).then(async (response) => {
        await response.text();
        if (response.status !== 200) throw new Error('report answered ' + response.status);
        return performance.now() - t;
      }),
    );
    await new Promise((r) => setTimeout(r, everyMs));
  }
  parentPort.postMessage(await Promise.all(times));
})();
`;

async function eventLoopLag(base: string): Promise<{ p99: number; max: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const value = (name: string) => Math.round(1000 * Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN));
  return { p99: value('nodejs_eventloop_lag_p99_seconds'), max: value('nodejs_eventloop_lag_max_seconds') };
}

function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kb) / 1024);
}

function sampleRss(pid: number): { stop(): number } {
  let peak = rssMb(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 25);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMb(pid));
    },
  };
}

function spread(values: number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted.at(-1)! };
}

async function token(env: NodeJS.ProcessEnv, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, 'token', 'create', ...args], { env });
  return stdout.trim();
}

async function admin(sql: string): Promise<void> {
  await adminSql(ADMIN_URL, sql);
}

async function until(predicate: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('the API did not become ready');
    await sleep(200);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
