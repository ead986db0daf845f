import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import type { Fleet } from '../config/fleet-types';
import { createToken } from '../auth/token-store';
import { createLogger } from '../core/logger';
import { redact } from '../core/redact';
import { withPassword } from '../core/secret';
import type { Pool } from '../storage/db';
import { forgetCheckpoints } from '../../collectors/lib/checkpoint-store';
import { newestOdooMinute } from '../../collectors/lib/tenant-minute-store';
import { migrate } from '../storage/migrate';
import { parseFlags } from './args';
import { openContext } from '../root/context';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'tenantscope.js');
const DEFAULT_FLEET = join(ROOT, 'examples', 'fleet.yaml');
const DEMO_HISTORY_MINUTES = 90;

export async function run(args: string[]): Promise<number> {
  const { values } = parseFlags('demo', args, { scenario: { type: 'string', default: 'normal' }, fleet: { type: 'string' } });
  const fleetFile = values.fleet ?? DEFAULT_FLEET;
  // The pool connects on its first query, after the database exists.
  const { settings, fleet, pool, log, clock, close } = openContext({
    name: 'demo',
    log: createLogger('warn'),
    fleet: { command: 'demo', file: fleetFile },
  });
  const startedAt = new Date(clock.now());
  let token: string;
  let history: number;
  try {
    await ensureDatabase(withPassword(settings.databaseUrl, settings.databasePassword));
    await migrate(pool, log);
    history = await historyToPlay(pool, fleet, startedAt.getTime());
    // A read-only token of this run, for the report URLs below (the database keeps only its hash).
    const name = `demo-${startedAt.toISOString().replace(/\D/g, '').slice(0, 14)}-${randomBytes(2).toString('hex')}`;
    token = (await createToken(pool, { name, role: 'read-only' }, startedAt)).token;
  } finally {
    await close();
  }

  const env = {
    ...process.env,
    TENANTSCOPE_LOG_LEVEL: process.env.TENANTSCOPE_LOG_LEVEL ?? 'warn',
    TENANTSCOPE_SIGNING_KEY_FILE: process.env.TENANTSCOPE_SIGNING_KEY_FILE ?? demoSigningKey(),
  };
  // The simulator first plays the history into the Odoo logs (the noisy-neighbour baselines need
  // an hour), and tenantscope starts once it listens, so its first read of the logs finds it whole.
  const simulate = [
    'simulate',
    '--fleet',
    fleetFile,
    '--scenario',
    values.scenario as string,
    ...(history > 0 ? ['--history', String(history)] : []),
  ];
  const simulator = spawnChild('simulator', simulate, env);
  // without credentials: this only waits for the simulator to listen (and fetch refuses them)
  const probeUrl = Object.values(fleet.clusters).find((c) => c.probe)?.probe?.url;
  const ingress = probeUrl === undefined ? undefined : redact(probeUrl);
  if (ingress && !(await listening(ingress, simulator, 60_000))) {
    simulator.kill('SIGTERM');
    say(`the simulator did not answer on ${ingress} within 60 s; see its output above`);
    return 1;
  }
  const children = [simulator, spawnChild('tenantscope', ['start', '--fleet', fleetFile], env)];
  const base = `http://${settings.listen.host}:${settings.listen.port}`;
  say(
    `tenantscope demo: ${fleet.tenants.length} simulated tenants on ${Object.keys(fleet.clusters).join(', ')}, scenario ${values.scenario}`,
  );
  say(`  metrics   ${base}/metrics`);
  say(`  health    ${base}/healthz   ${base}/readyz`);
  for (const cluster of Object.values(fleet.clusters)) {
    say(
      `  ${cluster.id}: ingress ${cluster.probe?.url ?? '-'}   traefik ${cluster.traefik?.metricsUrl ?? '-'}   log ${cluster.odoo?.logFiles[0] ?? '-'}`,
    );
  }
  const month = new Date(clock.now()).toISOString().slice(0, 7);
  say(`  reports   curl -H 'Authorization: Bearer ${token}' ${base}/api/v1/reports/${month}?format=csv`);
  say(`  pages     ${base}/ui/   (in a browser: sign in with the token above)`);
  say('Ctrl-C stops everything.');

  let stopping = false;
  const exited = Promise.all(children.map((c) => new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code)))));
  const stopAll = () => {
    if (stopping) return;
    stopping = true;
    say('stopping the simulator and tenantscope ...');
    for (const child of children) child.kill('SIGTERM');
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  for (const child of children) child.once('exit', () => stopAll());
  void watchTenants(
    base,
    fleet.tenants.map((t) => t.id),
    () => stopping,
  );
  const codes = await exited;
  return codes.every((c) => c === 0 || c === null) ? 0 : 1;
}

/**
 * Minutes of history the simulator plays before going live: 90, or only the gap since the Odoo
 * minutes an earlier demo run left in this database (replaying those would count them twice; the
 * detector kept its baselines). When history is played, the logs start afresh, so the earlier
 * run's checkpoints of them are forgotten (a reused inode would otherwise resume mid-file).
 */
export async function historyToPlay(pool: Pool, fleet: Fleet, now: number): Promise<number> {
  const last = (await newestOdooMinute(pool))?.getTime();
  const gap = last === undefined ? DEMO_HISTORY_MINUTES : Math.floor((now - last) / 60_000) - 1;
  const history = Math.max(0, Math.min(DEMO_HISTORY_MINUTES, gap));
  if (history > 0) {
    const logs = Object.values(fleet.clusters).flatMap((c) => c.odoo?.logFiles ?? []);
    await forgetCheckpoints(pool, 'odoo-log', logs);
  }
  return history;
}

/** The demo signs its reports with a key of its own, made once under var/demo/ (never committed). */
function demoSigningKey(): string {
  const file = join(ROOT, 'var', 'demo', 'signing.key');
  if (!existsSync(file)) {
    mkdirSync(join(ROOT, 'var', 'demo'), { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  }
  return file;
}

/** A line for the operator; fleet URLs in it are shown without their passwords. */
function say(line: string): void {
  process.stdout.write(`${redact(line)}\n`);
}

function spawnChild(label: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) => process.stdout.write(`[${label}] ${line}\n`));
  }
  return child;
}

/** Creates the demo database when it is missing; never drops or changes anything else. */
async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      say(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

/** Waits until `url` answers at all (any status), or the child exits, or the time is up. */
async function listening(url: string, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(1_000) });
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return false;
}

/** Tells the user when every tenant has per-tenant series in /metrics. */
async function watchTenants(base: string, tenants: string[], stopped: () => boolean): Promise<void> {
  const started = Date.now();
  while (!stopped()) {
    await new Promise((r) => setTimeout(r, 3_000));
    try {
      const text = await (await fetch(`${base}/metrics`)).text();
      const requests = tenants.filter((t) => text.includes(`tenantscope_odoo_requests_total{tenant="${t}"`));
      const probes = tenants.filter((t) => text.includes(`tenantscope_probe_success{tenant="${t}"`));
      if (requests.length === tenants.length && probes.length === tenants.length) {
        say(
          `all ${tenants.length} tenants have request and probe series in ${base}/metrics after ${Math.round((Date.now() - started) / 1000)} s`,
        );
        return;
      }
    } catch {
      // not listening yet
    }
  }
}
