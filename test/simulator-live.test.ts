import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../services/core/logger';
import { startLiveSimulator } from '../simulator/index';
import { testFleet } from './helpers/test-fleet';
import { freePorts } from './helpers/processes';

const POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = 'redis://127.0.0.1:6379';
const HEADER =
  /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (\d+) (DEBUG|INFO|WARNING|ERROR|CRITICAL)(?: uid:\S+)? (\S+)(?: rid:\S+)? ([\w.-]+): (.*)$/;

const created: string[] = [];

afterAll(async () => {
  const admin = new pg.Client({ connectionString: POSTGRES });
  await admin.connect();
  for (const db of created) await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  await admin.end();
});

const suffix = randomBytes(4).toString('hex');

function databases(): { alpha: string; bravo: string; charlie: string } {
  const run = `${suffix}${created.length}`;
  const names = { alpha: `tssim_${run}_alpha`, bravo: `tssim_${run}_bravo`, charlie: `tssim_${run}_charlie` };
  created.push(...Object.values(names));
  return names;
}

/** GET with an explicit Host header (fetch may not set Host). */
function get(port: number, path: string, host = '127.0.0.1'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function until<T>(what: string, probe: () => Promise<T | false | undefined> | T | false | undefined, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: POSTGRES });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('live simulator', () => {
  it('with history, first plays the minutes before now into a fresh Odoo log, in time order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tssim-history-'));
    const [ingressPort, traefikPort] = (await freePorts(2)) as [number, number];
    const fleet = testFleet(dir, { ingressPort, traefikPort, oneCluster: true });
    const started = Date.now();
    const sim = await startLiveSimulator({
      fleet,
      logger: silentLogger,
      scenario: 'normal',
      seed: 3,
      historyMinutes: 20,
      load: { postgres: false, redis: false },
    });
    try {
      const times = readFileSync(join(dir, 'c1', 'odoo.log'), 'utf8')
        .split('\n')
        .map((l) => HEADER.exec(l)?.[1])
        .filter((t): t is string => t !== undefined)
        .map((t) => Date.parse(`${t.replace(' ', 'T').replace(',', '.')}Z`));
      // The log's zone is the cluster's; compare spans and order, which no offset changes.
      expect(times.length).toBeGreaterThan(1000);
      expect(times.every((t, i) => i === 0 || t >= (times[i - 1] as number))).toBe(true);
      const span = ((times.at(-1) as number) - (times[0] as number)) / 60_000;
      expect(span).toBeGreaterThan(19);
      expect(span).toBeLessThan(21 + (Date.now() - started) / 60_000);
    } finally {
      await sim.stop();
    }
  });

  it('answers probes by Host, serves Traefik metrics and routers, writes logs and backups, loads PostgreSQL and Redis', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tssim-live-'));
    const [ingressPort, traefikPort] = (await freePorts(2)) as [number, number];
    const names = databases();
    const fleet = testFleet(dir, {
      ingressPort,
      traefikPort,
      postgresUrl: POSTGRES,
      redisUrl: REDIS,
      databases: names,
      oneCluster: true,
      redisPrefix: `tssim${suffix}-`,
    });
    const sim = await startLiveSimulator({
      fleet,
      logger: silentLogger,
      scenario: 'tenant-outage',
      scenarioTenant: 'bravo',
      scenarioStartSeconds: 0,
      seed: 3,
    });
    const redis = new Redis(REDIS);
    try {
      expect(sim.urls).toEqual([`http://127.0.0.1:${ingressPort}`, `http://127.0.0.1:${traefikPort}`]);

      const login = await get(ingressPort, '/web/login', 'alpha.erp.test');
      expect([login.status, login.type]).toEqual([200, 'text/html; charset=utf-8']);
      expect(login.body).toContain('oe_login_form');
      expect(await get(ingressPort, '/web/health', 'ALPHA.erp.test:443')).toMatchObject({ status: 200, body: '{"status": "pass"}' });
      expect(await get(ingressPort, '/web/login', 'bravo.erp.test')).toMatchObject({ status: 502, body: 'Bad Gateway' });
      expect(await get(ingressPort, '/web/login', 'nobody.erp.test')).toMatchObject({ status: 404, body: '404 page not found\n' });

      // The probes reach Traefik's counters and Odoo's log once their second has been played.
      const metrics = await until('probe counters', async () => {
        const text = (await get(traefikPort, '/metrics')).body;
        return text.includes('code="502",method="GET",protocol="http",router="bravo-web@docker"') && text;
      });
      expect(metrics).toContain('# TYPE traefik_router_request_duration_seconds histogram');
      expect(metrics).toMatch(
        /traefik_router_requests_total\{code="200",method="GET",protocol="http",router="alpha-web@docker",service="alpha-odoo@docker"\} \d+/,
      );
      expect(metrics).toMatch(/traefik_entrypoint_requests_total\{code="404",entrypoint="websecure",method="GET",protocol="http"\} 1\n/);

      const routers = JSON.parse((await get(traefikPort, '/api/http/routers')).body) as { name: string; rule: string }[];
      expect(routers.map((r) => [r.name, r.rule])).toEqual([
        ['alpha-web@docker', 'Host(`alpha.erp.test`)'],
        ['bravo-web@docker', 'Host(`bravo.erp.test`)'],
        ['charlie-web@docker', 'Host(`charlie.erp.test`)'],
      ]);

      const log = await until('probe lines in the Odoo log', () => {
        const text = readFileSync(join(dir, 'c1', 'odoo.log'), 'utf8');
        return text.includes('"GET /web/health HTTP/1.1" 200') && text;
      });
      const lines = log.trimEnd().split('\n');
      expect(lines.every((l) => HEADER.test(l) || !/^\d{4}-/.test(l))).toBe(true);
      expect(lines.find((l) => l.includes('/web/health'))).toMatch(
        / INFO \? werkzeug: 127\.0\.0\.1 - - \[.*\] "GET \/web\/health HTTP\/1\.1" 200 - 0 0\.000 \d+\.\d{3}$/,
      );
      expect(lines.find((l) => l.includes('"GET /web/login HTTP/1.1" 200') && l.includes(names.alpha))).toBeDefined();
      expect(existsSync(join(dir, 'c1', 'pgbackrest-info.json'))).toBe(true);
      expect(readFileSync(join(dir, 'c1', 'backup-jobs.ndjson'), 'utf8')).toContain('"tenant":"alpha","kind":"backup","status":"ok"');

      // Real databases and Odoo-named connections; none for the tenant whose Odoo is down.
      const dbs = await query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1::text[]) ORDER BY 1', [
        Object.values(names),
      ]);
      expect(dbs.map((r) => r.datname)).toEqual([names.alpha, names.bravo, names.charlie]);
      const apps = await until('simulated Odoo connections', async () => {
        const rows = await query<{ datname: string; application_name: string }>(
          'SELECT datname, application_name FROM pg_stat_activity WHERE datname = $1',
          [names.alpha],
        );
        return rows.length > 0 && rows;
      });
      expect(apps.every((r) => /^odoo-\d+$/.test(r.application_name))).toBe(true);
      // Bounded: a pool of at most two per tenant.
      const ours = await query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = ANY($1::text[])', [
        Object.values(names),
      ]);
      expect(Number(ours[0]!.n)).toBeLessThanOrEqual(3 * 2);

      const clients = await until('named Redis clients', async () => {
        const list = String(await redis.client('LIST'));
        return list.includes(`name=tssim${suffix}-alpha:web`) && list;
      });
      expect(clients).toContain(`name=tssim${suffix}-charlie:web`);
      expect((await redis.keys(`tssim${suffix}-alpha:session:*`)).length).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
      await sim.stop();
    }
    // stop() closed the servers and every connection it held.
    await expect(get(ingressPort, '/web/login', 'alpha.erp.test')).rejects.toThrow(/ECONNREFUSED/);
    // a backend ends a moment after its client closed: give a loaded machine a few seconds
    let left: unknown[] = [];
    for (let i = 0; i < 50; i++) {
      left = await query('SELECT 1 FROM pg_stat_activity WHERE datname = ANY($1::text[])', [Object.values(names)]);
      if (left.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(left).toHaveLength(0);
  });

  it('connection-storm holds at most 25 idle connections on the tenant database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tssim-storm-'));
    const [ingressPort, traefikPort] = (await freePorts(2)) as [number, number];
    const names = databases();
    const fleet = testFleet(dir, { ingressPort, traefikPort, postgresUrl: POSTGRES, databases: names, oneCluster: true });
    const sim = await startLiveSimulator({
      fleet,
      logger: silentLogger,
      scenario: 'connection-storm',
      scenarioTenant: 'charlie',
      scenarioStartSeconds: 0,
      load: { redis: false },
    });
    try {
      const count = async (db: string) =>
        Number((await query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [db]))[0]!.n);
      const storm = await until('the storm', async () => {
        const n = await count(names.charlie);
        return n >= 25 && n;
      });
      expect(storm).toBeLessThanOrEqual(25 + 2); // the storm plus the tenant's own pool
      expect(await count(names.alpha)).toBeLessThanOrEqual(2);
    } finally {
      await sim.stop();
    }
  });

  it('noisy-tenant runs bounded CPU-heavy queries on the tenant database only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tssim-noisy-'));
    const [ingressPort, traefikPort] = (await freePorts(2)) as [number, number];
    const names = databases();
    const fleet = testFleet(dir, { ingressPort, traefikPort, postgresUrl: POSTGRES, databases: names, oneCluster: true });
    const sim = await startLiveSimulator({
      fleet,
      logger: silentLogger,
      scenario: 'noisy-tenant',
      scenarioTenant: 'alpha',
      scenarioStartSeconds: 0,
      load: { redis: false },
    });
    try {
      const heavy = await until('a heavy query', async () => {
        const rows = await query<{ datname: string; application_name: string }>(
          "SELECT datname, application_name FROM pg_stat_activity WHERE query LIKE '%generate_series(1, 2500000)%' AND state = 'active' AND datname LIKE 'tssim_%'",
        );
        return rows.length > 0 && rows;
      });
      expect(heavy.map((r) => r.datname)).toEqual([names.alpha]);
      expect(heavy[0]!.application_name).toMatch(/^odoo-\d+$/);
    } finally {
      await sim.stop();
    }
  });
});
