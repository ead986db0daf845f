import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, REDIS_URL, removeQueues, uniquePrefix, type TestDatabase } from './helpers/database';
import { fleetYaml, tenantSpec, type FleetSpec } from './helpers/fleet-builder';
import { freePorts, runTenantscope, startTenantscope, waitFor, type Started } from './helpers/processes';

/**
 * Secrets never leave: one distinctive password is put in every fleet URL and every
 * environment URL, inline (cluster c1) and by reference (cluster c2: passwordFile, passwordEnv,
 * TENANTSCOPE_*_PASSWORD_FILE). Real processes run until every collector has run and failed:
 * PostgreSQL under a user that does not exist, Redis with credentials it refuses, Traefik and the
 * probe against a local fake that answers 401; and a worker, a scheduler and an API whose own
 * Redis refuses their credentials. Then every surface is searched for the password: process
 * output, /metrics, /readyz, HTTP error bodies, check-config output (valid and refused), every
 * row of every table of the test's database, every Redis key under the test's queue prefix and
 * its value.
 */
const SECRET = `S3cr3t-${randomBytes(6).toString('hex')}`;
const PROBE_ENV = `TS_TEST_PROBE_PASSWORD_${randomBytes(3).toString('hex')}`;
const TRAEFIK_API_ENV = `TS_TEST_TRAEFIK_API_PASSWORD_${randomBytes(3).toString('hex')}`;

let fake: Server;
/** Basic credentials the fake saw, decoded: proof the password reached the server it belongs to. */
const seenAuth = new Set<string>();
let db: TestDatabase;
let prefix: string;
let dir: string;
let fleetFile: string;
let fakeUrl: string;
const processes: Started[] = [];

function withUser(url: string, username: string, password?: string): string {
  const u = new URL(url);
  u.username = username;
  if (password !== undefined) u.password = password;
  return u.toString();
}

function fleetSpec(base: string, overrides: { c1Traefik?: Record<string, unknown> } = {}): FleetSpec {
  const fakeHost = new URL(base).host;
  const nobody = `nobody_${randomBytes(3).toString('hex')}`;
  return {
    clusters: {
      c1: {
        timezone: 'UTC',
        probe: { url: `http://probe:${SECRET}@${fakeHost}/`, intervalSeconds: 1, timeoutSeconds: 2 },
        traefik: overrides.c1Traefik ?? {
          metricsUrl: `http://traefik:${SECRET}@${fakeHost}/c1/metrics?password=${SECRET}`,
          apiUrl: `http://traefik:${SECRET}@${fakeHost}/c1/api?token=${SECRET}`,
          intervalSeconds: 1,
        },
        postgres: {
          url: `postgres://${nobody}:${SECRET}@127.0.0.1:5432/postgres?sslmode=disable`,
          intervalSeconds: 1,
          activityIntervalSeconds: 1,
          sizeIntervalSeconds: 10,
        },
        redis: { url: withUser(REDIS_URL, 'baduser', SECRET), intervalSeconds: 1, timeoutSeconds: 1 },
      },
      c2: {
        timezone: 'UTC',
        probe: { url: `http://probe@${fakeHost}/`, passwordEnv: PROBE_ENV, intervalSeconds: 1, timeoutSeconds: 2 },
        traefik: {
          metricsUrl: `http://traefik@${fakeHost}/c2/metrics`,
          metricsPasswordFile: 'secrets/traefik-metrics',
          apiUrl: `http://traefik@${fakeHost}/c2/api`,
          apiPasswordEnv: TRAEFIK_API_ENV,
          intervalSeconds: 1,
        },
        // trust authentication: the password is sent and ignored, so these runs succeed
        postgres: {
          url: 'postgres://postgres@127.0.0.1:5432/postgres',
          passwordFile: 'secrets/postgres',
          intervalSeconds: 1,
          activityIntervalSeconds: 1,
          sizeIntervalSeconds: 10,
        },
        redis: { url: withUser(REDIS_URL, 'baduser'), passwordFile: 'secrets/redis', intervalSeconds: 1, timeoutSeconds: 1 },
      },
    },
    tenants: [tenantSpec('t1', 'c1'), tenantSpec('t2', 'c2')],
  };
}

/** Each place the password was found: the surface and the text around it. */
const hits: { surface: string; excerpt: string }[] = [];
const scanned = new Map<string, number>();

function scan(surface: string, text: string): void {
  scanned.set(surface, (scanned.get(surface) ?? 0) + text.length);
  for (let at = text.indexOf(SECRET); at >= 0; at = text.indexOf(SECRET, at + 1)) {
    hits.push({ surface, excerpt: text.slice(Math.max(0, at - 100), at + SECRET.length + 40).replaceAll(SECRET, '<SECRET>') });
  }
}

beforeAll(async () => {
  fake = createServer((req, res) => {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) seenAuth.add(Buffer.from(auth.slice(6), 'base64').toString());
    req.resume();
    res.writeHead(401, { 'www-authenticate': 'Basic realm="traefik"', 'content-type': 'text/plain' }).end('401 Unauthorized\n');
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'redaction-'));
  mkdirSync(join(dir, 'secrets'));
  for (const name of ['traefik-metrics', 'postgres', 'redis', 'database', 'queue-redis'])
    writeFileSync(join(dir, 'secrets', name), `${SECRET}\n`);
  fleetFile = join(dir, 'fleet.yaml');
  writeFileSync(fleetFile, fleetYaml(fleetSpec(fakeUrl)));
  db = await createTestDatabase('ts_redact');
  prefix = uniquePrefix();
});

afterAll(async () => {
  for (const p of processes) p.child.kill('SIGKILL');
  fake?.closeAllConnections();
  fake?.close();
  await removeQueues(prefix);
  await db?.drop();
});

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.text() };
}

describe('secrets never leave', () => {
  it('no surface shows the password of any fleet or environment URL', async () => {
    const [goodPort, badPort] = await freePorts(2);
    const good = {
      TENANTSCOPE_DATABASE_URL: withUser(db.url, 'postgres', SECRET),
      TENANTSCOPE_REDIS_URL: withUser(REDIS_URL, 'default', SECRET),
      TENANTSCOPE_QUEUE_PREFIX: prefix,
      TENANTSCOPE_LISTEN: `127.0.0.1:${goodPort}`,
      TENANTSCOPE_COLLECTOR_TIMEOUT_SECONDS: '5',
      [PROBE_ENV]: SECRET,
      [TRAEFIK_API_ENV]: SECRET,
    };
    // the database password by reference; the Redis password inline, which Redis refuses
    const badRedis = {
      ...good,
      TENANTSCOPE_DATABASE_URL: withUser(db.url, 'postgres'),
      TENANTSCOPE_DATABASE_PASSWORD_FILE: join(dir, 'secrets', 'database'),
      TENANTSCOPE_REDIS_URL: withUser(REDIS_URL, 'baduser', SECRET),
    };
    const all = startTenantscope(['start', '--role', 'all', '--fleet', fleetFile], good);
    processes.push(all);
    await waitFor('the all-roles process to start', () => all.output().includes('tenantscope started'), 60_000);
    const bad: [string, Started][] = [
      ['worker', startTenantscope(['start', '--role', 'worker', '--fleet', fleetFile], badRedis)],
      // the Redis password by reference this time
      [
        'scheduler',
        startTenantscope(['start', '--role', 'scheduler', '--fleet', fleetFile], {
          ...badRedis,
          TENANTSCOPE_REDIS_URL: withUser(REDIS_URL, 'baduser'),
          TENANTSCOPE_REDIS_PASSWORD_FILE: join(dir, 'secrets', 'queue-redis'),
        }),
      ],
      [
        'api',
        startTenantscope(['start', '--role', 'api', '--fleet', fleetFile], { ...badRedis, TENANTSCOPE_LISTEN: `127.0.0.1:${badPort}` }),
      ],
    ];
    processes.push(...bad.map(([, p]) => p));

    // every collector target has run; those of c1 have failed
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    pool.on('error', () => undefined);
    const statuses = async () =>
      (await pool.query<{ collector: string; target: string; success: boolean }>('SELECT collector, target, success FROM collector_status'))
        .rows;
    await waitFor(
      'every collector of both clusters to run',
      async () => {
        const rows = await statuses().catch(() => []);
        return ['odoo-probe', 'traefik', 'postgres', 'redis'].every((c) => rows.filter((r) => r.collector === c).length >= 2);
      },
      60_000,
    );
    await waitFor(
      'the API with the refused Redis to answer',
      async () => (await get(`http://127.0.0.1:${badPort}/healthz`).catch(() => ({ status: 0 }))).status === 200,
      30_000,
    );
    // a few seconds of the refused processes retrying their Redis
    await new Promise((r) => setTimeout(r, 4_000));
    const rows = await statuses();

    for (const [name, base] of [
      ['api', `http://127.0.0.1:${goodPort}`],
      ['api with refused redis', `http://127.0.0.1:${badPort}`],
    ] as const) {
      const metrics = await get(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      scan(`${name} /metrics`, metrics.body);
      scan(`${name} /readyz`, (await get(`${base}/readyz`)).body);
      for (const path of [`/no-such-route?password=${SECRET}`, '/api/v1/tenants', `/api/v1/tenants?token=${SECRET}`, '/ingest/odoo-log/c1'])
        scan(`${name} GET ${path.split('?')[0]}`, (await get(`${base}${path}`, { authorization: `Bearer ${SECRET}` })).body);
    }
    const badReadiness = (await get(`http://127.0.0.1:${badPort}/readyz`)).status;

    const checkEnv = { [PROBE_ENV]: SECRET, [TRAEFIK_API_ENV]: SECRET };
    const valid = await runTenantscope(['check-config', '--fleet', fleetFile], checkEnv);
    scan('check-config (valid) stdout', valid.stdout);
    scan('check-config (valid) stderr', valid.stderr);
    const refusedFile = join(dir, 'refused.yaml');
    writeFileSync(
      refusedFile,
      fleetYaml(fleetSpec(fakeUrl, { c1Traefik: { metricsUrl: `ftp://traefik:${SECRET}@127.0.0.1/metrics?password=${SECRET}` } })),
    );
    const refused = await runTenantscope(['check-config', '--fleet', refusedFile], checkEnv);
    scan('check-config (refused) stdout', refused.stdout);
    scan('check-config (refused) stderr', refused.stderr);

    for (const p of processes) p.child.kill('SIGTERM');
    await Promise.all(processes.map((p) => Promise.race([p.exited, new Promise((r) => setTimeout(r, 12_000))])));
    scan('role all stdout+stderr', all.output());
    for (const [role, p] of bad) scan(`role ${role} (refused redis) stdout+stderr`, p.output());

    // every row of every table, as text
    const tables = await pool.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
    let rowsScanned = 0;
    for (const { name } of tables.rows) {
      const found = await pool.query<{ row: string }>(`SELECT t::text AS row FROM public."${name}" t`);
      rowsScanned += found.rowCount ?? 0;
      for (const r of found.rows) scan(`table ${name}`, r.row);
    }
    await pool.end();

    // every Redis key under the prefix, and its value
    const redis = new Redis(REDIS_URL);
    let keys = 0;
    for (let cursor = '0'; ;) {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      for (const key of batch) {
        keys += 1;
        scan('redis key names', key);
        scan('redis values', JSON.stringify(await redisValue(redis, key)));
      }
      cursor = next;
      if (cursor === '0') break;
    }
    await redis.quit();

    const summary = [...scanned.keys()].map((s) => `${s}: ${hits.filter((h) => h.surface === s).length}`).join('\n');
    expect(hits, `password found:\n${summary}\n\n${hits.map((h) => `${h.surface}: ${h.excerpt}`).join('\n')}`).toEqual([]);

    // and the scan looked at something: the runs failed where they should, the surfaces were there
    const failed = (collector: string) => rows.filter((r) => r.collector === collector && !r.success).map((r) => r.target).length;
    expect(failed('traefik')).toBe(2);
    expect(failed('redis')).toBe(2);
    expect(failed('postgres')).toBeGreaterThanOrEqual(2);
    expect(badReadiness).toBe(503);
    expect(valid.code, valid.stderr).toBe(0);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('clusters.c1.traefik.metricsUrl');
    // the worker and the scheduler did meet the refusal (the API's Redis shows only in /readyz)
    for (const [role, p] of bad.filter(([r]) => r !== 'api')) expect(p.output(), role).toMatch(/redis connection error/);
    expect(rowsScanned).toBeGreaterThan(10);
    expect(keys).toBeGreaterThan(5);
    // the passwords given by reference did reach the servers they belong to
    expect(seenAuth).toContain(`traefik:${SECRET}`);
    expect(seenAuth).toContain(`probe:${SECRET}`);
  }, 180_000);
});

async function redisValue(redis: Redis, key: string): Promise<unknown> {
  const type = await redis.type(key);
  if (type === 'string') return redis.get(key);
  if (type === 'hash') return redis.hgetall(key);
  if (type === 'list') return redis.lrange(key, 0, -1);
  if (type === 'set') return redis.smembers(key);
  if (type === 'zset') return redis.zrange(key, '0', '-1', 'WITHSCORES');
  if (type === 'stream') return redis.xrange(key, '-', '+');
  return type;
}
