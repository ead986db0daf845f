import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import type { Fleet } from '../config/fleet-types';
import { loadSettings, type Settings } from '../config/env';
import { loadFleetFile } from '../config/fleet';
import { ConfigError } from '../core/errors';
import { planScenario, SCENARIOS, STORM_CONNECTIONS, type ScenarioName, type ScenarioPlan } from '../../simulator/scenarios';
import { busyPort, demoRun, demoToken, dropRun, writeFleetCopy } from './demo-run';
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
  const { values } = parseFlags('demo', args, {
    scenario: { type: 'string', default: 'normal' },
    fleet: { type: 'string' },
    'port-base': { type: 'string' },
    fresh: { type: 'boolean', default: false },
  });
  const scenario = values.scenario as ScenarioName;
  if (!SCENARIOS.includes(scenario))
    throw new ConfigError([`tenantscope demo: --scenario expected one of ${SCENARIOS.join(', ')}, got ${JSON.stringify(values.scenario)}`]);
  const envSettings = loadSettings();
  const portText = values['port-base'];
  const portBase = portText === undefined ? envSettings.listen.port : Number(portText);
  if (!Number.isInteger(portBase) || portBase < 1024 || portBase > 65000)
    throw new ConfigError([`tenantscope demo: --port-base expected a port from 1024 to 65000, got ${JSON.stringify(portText)}`]);
  const sourceFleet = values.fleet ?? DEFAULT_FLEET;
  const demoRoot = process.env.TENANTSCOPE_DEMO_DIR ?? join(ROOT, 'var', 'demo');
  const run = demoRun({
    portBase,
    explicitBase: portText !== undefined,
    databaseUrl: envSettings.databaseUrl,
    urlGiven: process.env.TENANTSCOPE_DATABASE_URL !== undefined,
    demoRoot,
    sourceFleet,
  });
  const host = envSettings.listen.host;
  // Ports first: a second run on busy ports must not touch the first run's data (--fresh included).
  const listenerPorts = listenerPortsOf(loadFleetFile(sourceFleet), portText !== undefined ? portBase : undefined);
  const busy = await busyPort(host, [portBase, ...listenerPorts]);
  if (busy !== undefined) {
    process.stderr.write(
      `tenantscope demo: port ${busy} on ${host} is busy (another demo on port base ${portBase}?); pick another --port-base\n`,
    );
    return 2;
  }
  if (values.fresh) {
    const tenants = loadFleetFile(sourceFleet).tenants.map((t) => `${t.database}_${portBase}`);
    for (const what of await dropRun(run, tenants, withPassword(envSettings.redisUrl, envSettings.redisPassword)))
      say(`--fresh: dropped ${what}`);
  }
  writeFleetCopy(run, sourceFleet, portText !== undefined);
  const settings: Settings = {
    ...envSettings,
    databaseUrl: run.databaseUrl,
    queuePrefix: run.name,
    listen: { host, port: portBase },
  };
  // The pool connects on its first query, after the database exists.
  const { fleet, pool, log, clock, close } = openContext({
    name: 'demo',
    settings,
    log: createLogger('warn'),
    fleet: { command: 'demo', file: run.fleetFile },
  });
  const startedAt = new Date(clock.now());
  let token: string;
  let history: number;
  try {
    await ensureDatabase(withPassword(run.databaseUrl, settings.databasePassword));
    await migrate(pool, log);
    history = await historyToPlay(pool, fleet, startedAt.getTime());
    token = (await demoToken(pool, run, startedAt)).token;
  } finally {
    await close();
  }
  // The scenario's tenant and window, fixed here and handed to the simulator, so what is printed is what happens.
  const plan = planScenario(fleet, { scenario }, startedAt.getTime());

  const env = {
    ...process.env,
    TENANTSCOPE_DATABASE_URL: run.databaseUrl,
    TENANTSCOPE_QUEUE_PREFIX: run.name,
    TENANTSCOPE_LISTEN: `${host}:${portBase}`,
    TENANTSCOPE_LOG_LEVEL: process.env.TENANTSCOPE_LOG_LEVEL ?? 'warn',
    TENANTSCOPE_SIGNING_KEY_FILE: process.env.TENANTSCOPE_SIGNING_KEY_FILE ?? demoSigningKey(demoRoot),
  };
  // The simulator first plays the history into the Odoo logs (the noisy-neighbour baselines need
  // an hour), and tenantscope starts once it listens, so its first read of the logs finds it whole.
  const simulate = [
    'simulate',
    '--fleet',
    run.fleetFile,
    '--scenario',
    scenario,
    ...(plan.tenant ? ['--tenant', plan.tenant.id, '--start-at', new Date(plan.startMs).toISOString()] : []),
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
  const children = [simulator, spawnChild('tenantscope', ['start', '--fleet', run.fleetFile], env)];
  const base = `http://${host}:${portBase}`;
  const month = startedAt.toISOString().slice(0, 7);
  const shown = (path: string) => (relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path));
  const tokenPath = shown(run.tokenFile);
  // The user is kept (trust authentication needs it), the password never printed.
  const cliUrl = new URL(run.databaseUrl);
  cliUrl.password = '';
  say(`tenantscope demo ${run.name}: ${fleet.tenants.length} simulated tenants on ${Object.keys(fleet.clusters).join(', ')}`);
  say(`  scenario  ${scenarioLine(plan)}`);
  say(`  browser   ${base}/ui/   (sign in with the token in ${tokenPath})`);
  say(`  api       curl -H "Authorization: Bearer $(cat ${tokenPath})" ${base}/api/v1/reports/${month}?format=csv`);
  process.stdout.write(`  cli       TENANTSCOPE_DATABASE_URL=${cliUrl.toString()} npx tenantscope report --month ${month} --format csv\n`);
  say(`  metrics   ${base}/metrics   health ${base}/healthz`);
  say(`  data      database ${run.name}, queue prefix ${run.name}, folder ${shown(run.dir)}`);
  say(`token ${token.slice(0, 8)}… (read-only; reused by the next run on port base ${portBase}). Ctrl-C stops everything.`);

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

/** The simulator's listener ports as the fleet names them, or N+1, N+2, ... with a port base. */
function listenerPortsOf(fleet: Fleet, portBase: number | undefined): number[] {
  const ports = new Set<number>();
  for (const c of Object.values(fleet.clusters)) {
    for (const url of [c.probe?.url, c.traefik?.metricsUrl, c.traefik?.apiUrl]) {
      if (url === undefined) continue;
      const u = new URL(url);
      ports.add(Number(u.port || (u.protocol === 'https:' ? 443 : 80)));
    }
  }
  return portBase === undefined ? [...ports] : [...ports].map((_, i) => portBase + i + 1);
}

/** What the scenario does, to whom, and when (UTC), in one line. */
export function scenarioLine(plan: ScenarioPlan): string {
  const at = new Date(plan.startMs).toISOString().slice(11, 19);
  const minutes = Math.round((plan.endMs - plan.startMs) / 60_000);
  const t = plan.tenant?.id;
  const what: Record<ScenarioName, string> = {
    normal: 'no incident: every tenant serves its usual traffic',
    'tenant-outage': `${t}'s Odoo stops answering at ${at} UTC for ${minutes} minutes`,
    'noisy-tenant': `${t} runs heavy reports at twice its traffic from ${at} UTC for ${minutes} minutes`,
    'connection-storm': `${t} holds ${STORM_CONNECTIONS} idle PostgreSQL connections from ${at} UTC for ${minutes} minutes`,
    'failed-backup': `${t}'s backups fail from ${at} UTC for ${minutes} minutes`,
  };
  return `${plan.name}: ${what[plan.name]}`;
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
function demoSigningKey(demoRoot: string): string {
  const file = join(demoRoot, 'signing.key');
  if (!existsSync(file)) {
    mkdirSync(demoRoot, { recursive: true });
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
