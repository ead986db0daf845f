import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { stringify } from 'yaml';
import { readFleetYaml } from '../config/fleet-yaml';
import { principalOf, createToken } from '../auth/token-store';
import type { Queryable } from '../storage/db';

/**
 * One demo run, isolated by its port base N: the database and queue prefix `<name>_N` (name:
 * the database of TENANTSCOPE_DATABASE_URL when it is set, else `tsdemo`), the folder
 * `var/demo/N/` (fleet copy, logs, backup files, token), tenant databases `<database>_N` and
 * Redis client prefixes `N-<prefix>`, so two runs with different port bases never mix data.
 */
export interface DemoRun {
  readonly portBase: number;
  readonly name: string;
  readonly dir: string;
  readonly databaseUrl: string;
  readonly fleetFile: string;
  readonly tokenFile: string;
  /** Every port the run listens on: the API's first. */
  readonly ports: number[];
}

export function demoRun(options: {
  portBase: number;
  explicitBase: boolean;
  databaseUrl: string;
  urlGiven: boolean;
  demoRoot: string;
  sourceFleet: string;
}): DemoRun {
  const { portBase } = options;
  const url = new URL(options.databaseUrl);
  const base = options.urlGiven ? decodeURIComponent(url.pathname.slice(1)) : 'tsdemo';
  const name = `${base}_${portBase}`;
  url.pathname = `/${encodeURIComponent(name)}`;
  const dir = join(options.demoRoot, String(portBase));
  return {
    portBase,
    name,
    dir,
    databaseUrl: url.toString(),
    fleetFile: join(dir, 'fleet.yaml'),
    tokenFile: join(dir, 'token'),
    ports: [portBase],
  };
}

type Spec = { clusters?: Record<string, Record<string, Record<string, unknown>>>; tenants?: Record<string, unknown>[] };

/**
 * Writes the run's copy of the fleet file: files under the run's folder, tenant databases and
 * Redis prefixes of the run, and with an explicit port base the simulator's listeners moved to
 * N+1, N+2, ... (in the order the file first names them). Returns the ports it listens on.
 */
export function writeFleetCopy(run: DemoRun, sourceFleet: string, movePorts: boolean): number[] {
  const spec = readFleetYaml(readFileSync(sourceFleet, 'utf8'), sourceFleet) as Spec;
  const from = dirname(resolve(sourceFleet));
  const moved = new Map<string, string>();
  const port = (text: unknown): string => {
    const u = new URL(String(text));
    const key = u.port || (u.protocol === 'https:' ? '443' : '80');
    if (!moved.has(key)) moved.set(key, movePorts ? String(run.portBase + moved.size + 1) : key);
    u.port = moved.get(key)!;
    return String(text).endsWith('/') || u.pathname !== '/' ? u.toString() : u.toString().replace(/\/$/, '');
  };
  for (const [id, cluster] of Object.entries(spec.clusters ?? {})) {
    if (cluster.probe?.url) cluster.probe.url = port(cluster.probe.url);
    if (cluster.traefik?.metricsUrl) cluster.traefik.metricsUrl = port(cluster.traefik.metricsUrl);
    if (cluster.traefik?.apiUrl) cluster.traefik.apiUrl = port(cluster.traefik.apiUrl);
    const own = (file: unknown) => join(run.dir, id, String(file).split(/[\\/]/).pop() as string);
    if (Array.isArray(cluster.odoo?.logFiles)) cluster.odoo.logFiles = cluster.odoo.logFiles.map(own);
    for (const [key, value] of Object.entries(cluster.backups ?? {}))
      if (key !== 'stanza' && typeof value === 'string') cluster.backups![key] = own(value);
    for (const block of Object.values(cluster))
      for (const [key, value] of Object.entries(block ?? {}))
        if (/File$/.test(key) && typeof value === 'string' && !isAbsolute(value) && !String(value).startsWith(run.dir))
          block[key] = resolve(from, value);
  }
  for (const tenant of spec.tenants ?? []) {
    tenant.database = `${String(tenant.database)}_${run.portBase}`;
    const redis = tenant.redis as { clientPrefix?: string } | undefined;
    if (redis?.clientPrefix) redis.clientPrefix = `${run.portBase}-${redis.clientPrefix}`;
  }
  mkdirSync(run.dir, { recursive: true });
  writeFileSync(
    run.fleetFile,
    `# The demo's copy of ${sourceFleet} for port base ${run.portBase} (written by tenantscope demo).\n${stringify(spec)}`,
  );
  return [...moved.values()].map(Number);
}

/** The first port of `ports` someone listens on already, or undefined. */
export async function busyPort(host: string, ports: readonly number[]): Promise<number | undefined> {
  for (const p of ports) {
    const free = await new Promise<boolean>((done) => {
      const server = createServer();
      server.once('error', () => done(false));
      server.listen(p, host, () => server.close(() => done(true)));
    });
    if (!free) return p;
  }
  return undefined;
}

/** --fresh: drops the run's database, its tenant databases, its queue keys in Redis and its folder. */
export async function dropRun(run: DemoRun, tenantDatabases: readonly string[], redisUrl: string): Promise<string[]> {
  const admin = new URL(run.databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  const dropped: string[] = [];
  try {
    for (const db of [run.name, ...tenantDatabases]) {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
      if (rowCount) {
        await client.query(`DROP DATABASE "${db.replace(/"/g, '""')}" WITH (FORCE)`);
        dropped.push(`database ${db}`);
      }
    }
  } finally {
    await client.end();
  }
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    let keys = 0;
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${run.name}:*`, 'COUNT', 500);
      cursor = next;
      if (found.length > 0) keys += await redis.del(...found);
    } while (cursor !== '0');
    dropped.push(`${keys} Redis keys ${run.name}:*`);
  } finally {
    redis.disconnect();
  }
  if (existsSync(run.dir)) {
    rmSync(run.dir, { recursive: true, force: true });
    dropped.push(`folder ${run.dir}`);
  }
  return dropped;
}

/**
 * The run's read-only token: the one stored in its folder while it still verifies, else a new
 * one (stored with mode 0600). Never revokes anything.
 */
export async function demoToken(db: Queryable, run: DemoRun, now: Date): Promise<{ token: string; reused: boolean }> {
  if (existsSync(run.tokenFile)) {
    const stored = readFileSync(run.tokenFile, 'utf8').trim();
    if (stored && (await principalOf(db, stored))) return { token: stored, reused: true };
  }
  const name = `demo-${run.portBase}-${now.toISOString().replace(/\D/g, '').slice(0, 14)}`;
  const { token } = await createToken(db, { name, role: 'read-only' }, now);
  mkdirSync(run.dir, { recursive: true });
  writeFileSync(run.tokenFile, `${token}\n`, { mode: 0o600 });
  chmodSync(run.tokenFile, 0o600);
  return { token, reused: false };
}
