import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_URL, REDIS_URL, createTestDatabase, removeQueues, type TestDatabase, uniquePrefix } from './helpers/database';
import { busyPort } from '../services/cli/demo-run';
import { freePort, runTenantscope, startTenantscope, waitFor } from './helpers/processes';
import { exampleFleetSpec, fleetYaml } from './helpers/fleet-builder';

/**
 * `tenantscope demo` end to end on the demo fleet, moved to free ports, a temporary folder and
 * fresh database names: within 60 s /metrics has request and probe series for all 12 tenants.
 */
const dbPrefix = `tsdemo${randomBytes(3).toString('hex')}_`;
const queuePrefix = uniquePrefix();
let db: TestDatabase | undefined;
// Each demo run is `<database of the URL>_<port base>`: its database and its queue prefix.
const runs: string[] = [];
const demoDir = mkdtempSync(join(tmpdir(), 'demo-runs-'));

afterAll(async () => {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = ANY($2)', [
    `${dbPrefix}%`,
    runs,
  ]);
  for (const row of rows) await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
  await admin.end();
  await db?.drop();
  await removeQueues(queuePrefix);
  for (const run of runs) await removeQueues(run);
});

/** The demo fleet on free ports, with tenant databases of this test's own. */
async function demoFleet(dir: string): Promise<string> {
  const spec = exampleFleetSpec(dir);
  for (const cluster of Object.values(spec.clusters) as { probe: { url: string }; traefik: { metricsUrl: string; apiUrl: string } }[]) {
    cluster.probe.url = `http://127.0.0.1:${await freePort()}`;
    const traefik = `http://127.0.0.1:${await freePort()}`;
    cluster.traefik = { ...cluster.traefik, metricsUrl: `${traefik}/metrics`, apiUrl: traefik };
  }
  for (const tenant of spec.tenants) tenant.database = String(tenant.database).replace(/^tsdemo_/, dbPrefix);
  const fleetFile = join(dir, 'fleet.yaml');
  writeFileSync(fleetFile, fleetYaml(spec));
  return fleetFile;
}

describe('npm run demo', () => {
  it('shows request and probe series for all 12 tenants within 60 s, every collector succeeding, and stops on Ctrl-C', async () => {
    db = await createTestDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'demo-'));
    // The demo fleet on free ports, with databases of this test's own.
    const spec = exampleFleetSpec(dir);
    for (const cluster of Object.values(spec.clusters) as { probe: { url: string }; traefik: { metricsUrl: string; apiUrl: string } }[]) {
      cluster.probe.url = `http://127.0.0.1:${await freePort()}`;
      const traefik = `http://127.0.0.1:${await freePort()}`;
      cluster.traefik = { ...cluster.traefik, metricsUrl: `${traefik}/metrics`, apiUrl: traefik };
    }
    for (const tenant of spec.tenants) tenant.database = String(tenant.database).replace(/^tsdemo_/, dbPrefix);
    const fleetFile = join(dir, 'fleet.yaml');
    writeFileSync(fleetFile, fleetYaml(spec));
    const listen = `127.0.0.1:${await freePort()}`;
    runs.push(`${db.name}_${listen.split(':')[1]}`);

    const demo = startTenantscope(['demo', '--fleet', fleetFile], {
      TENANTSCOPE_DEMO_DIR: demoDir,
      TENANTSCOPE_DATABASE_URL: db.url,
      TENANTSCOPE_REDIS_URL: REDIS_URL,
      TENANTSCOPE_QUEUE_PREFIX: queuePrefix,
      TENANTSCOPE_LISTEN: listen,
    });
    // within a minute of start, or waitFor fails the test
    await waitFor('all 12 tenants in /metrics', () => demo.output().includes('all 12 tenants have request and probe series'), 60_000);

    // every collector reports success on every target (the slow ones: sizes every 5 min, backups every minute, run at start)
    const collectors = ['odoo-log', 'odoo-probe', 'postgres', 'redis', 'traefik', 'backups'];
    let health: string[] = [];
    await waitFor(
      'every collector succeeding',
      async () => {
        const scrape = await (await fetch(`http://${listen}/metrics`)).text();
        health = scrape.split('\n').filter((l) => l.startsWith('tenantscope_collector_success{'));
        return collectors.every((c) => health.some((l) => l.includes(`collector="${c}"`))) && health.every((l) => l.endsWith(' 1'));
      },
      30_000,
    ).catch(() => expect(health).toEqual([]));
    // per-tenant series from each source (Traefik's first scrape is only a baseline: 15 s more)
    const perSource = [
      'odoo_requests_total',
      'probe_success',
      'ingress_requests_total',
      'pg_transactions_total',
      'redis_tenant_clients',
      'tenant_backup_age_seconds',
    ];
    let text = '';
    const missing = () =>
      ['acme', 'granite'].flatMap((tenant) =>
        perSource.filter((m) => !new RegExp(`^tenantscope_${m}\\{tenant="${tenant}"`, 'm').test(text)).map((m) => `${m} ${tenant}`),
      );
    await waitFor(
      'per-tenant series from every source',
      async () => {
        text = await (await fetch(`http://${listen}/metrics`)).text();
        return missing().length === 0;
      },
      45_000,
    ).catch(() => expect(missing()).toEqual([]));
    const tenants = spec.tenants.map((t) => String(t.id));
    expect(tenants).toHaveLength(12);
    for (const tenant of tenants) {
      expect(text).toMatch(
        new RegExp(`^tenantscope_odoo_requests_total\\{tenant="${tenant}",cluster="(eu1|us1)",code_class="2xx"\\} [1-9]`, 'm'),
      );
      expect(text).toMatch(new RegExp(`^tenantscope_probe_success\\{tenant="${tenant}",cluster="(eu1|us1)"\\} 1$`, 'm'));
    }
    expect(text).toMatch(/^tenantscope_collector_success\{collector="odoo-log",target="[^"]+eu1\/odoo.log"\} 1$/m);

    const interrupted = Date.now();
    demo.child.kill('SIGINT');
    const exit = await demo.exited;
    expect(exit.code, demo.output().slice(-2_000)).toBe(0);
    expect(exit.at - interrupted).toBeLessThan(12_000);
  }, 150_000);
});

describe('demo runs by port base', () => {
  it('two runs with different port bases at once never mix; a busy base exits 2; the token is reused; --fresh starts clean', async () => {
    db ??= await createTestDatabase();
    const fleetFile = await demoFleet(mkdtempSync(join(tmpdir(), 'demo-bases-')));
    // Port bases with three free ports each (the API, then the simulator's ingress and Traefik per cluster: 5).
    const bases: number[] = [];
    // below the kernel's ephemeral range (32768 and up), where other tests' client sockets never land
    while (bases.length < 2) {
      const p = 20_000 + Math.floor(Math.random() * 12_000);
      if (bases.some((b) => Math.abs(b - p) < 10)) continue;
      if ((await busyPort('127.0.0.1', [p, p + 1, p + 2, p + 3, p + 4])) === undefined) bases.push(p);
    }
    const env = { TENANTSCOPE_DATABASE_URL: db.url, TENANTSCOPE_REDIS_URL: REDIS_URL, TENANTSCOPE_DEMO_DIR: demoDir };
    for (const base of bases) runs.push(`${db.name}_${base}`);
    const firstScreen = (d: ReturnType<typeof startTenantscope>) =>
      waitFor('the first screen', () => d.output().includes('Ctrl-C stops everything'), 90_000).catch(() => {
        throw new Error(d.output().slice(-3_000));
      });
    const start = (base: number, ...more: string[]) =>
      startTenantscope(['demo', '--fleet', fleetFile, '--port-base', String(base), '--scenario', 'tenant-outage', ...more], env);
    const stop = async (d: ReturnType<typeof startTenantscope>) => {
      d.child.kill('SIGINT');
      expect((await d.exited).code, d.output().slice(-2_000)).toBe(0);
    };

    const [a, b] = [start(bases[0]!), start(bases[1]!)];
    await Promise.all([firstScreen(a), firstScreen(b)]);
    const token = (base: number) => readFileSync(join(demoDir, String(base), 'token'), 'utf8').trim();
    try {
      for (const [d, base] of [
        [a, bases[0]!],
        [b, bases[1]!],
      ] as const) {
        const out = d.output();
        expect(out).toMatch(
          new RegExp(`scenario  tenant-outage: [a-z-]+'s Odoo stops answering at \\d\\d:\\d\\d:\\d\\d UTC for 15 minutes`),
        );
        expect(out).toContain(`browser   http://127.0.0.1:${base}/ui/`);
        expect(out).toMatch(new RegExp(`api       curl .*http://127.0.0.1:${base}/api/v1/reports/`));
        expect(out).toContain(`cli       TENANTSCOPE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/${db.name}_${base} `);
        expect(statSync(join(demoDir, String(base), 'token')).mode & 0o777).toBe(0o600);
        expect(readFileSync(join(demoDir, String(base), 'fleet.yaml'), 'utf8')).toContain(`${dbPrefix}acme_${base}`);
      }
      expect(token(bases[0]!)).not.toBe(token(bases[1]!));

      // Each run has its own database with its own token only.
      for (const base of bases) {
        const client = new pg.Client({ connectionString: db.url.replace(/\/[^/]+$/, `/${db.name}_${base}`) });
        await client.connect();
        const { rows } = await client.query<{ name: string }>('SELECT name FROM api_token');
        await client.end();
        expect(rows.map((r) => r.name)).toEqual([expect.stringMatching(new RegExp(`^demo-${base}-`))]);
      }

      const busy = await runTenantscope(['demo', '--fleet', fleetFile, '--port-base', String(bases[0])], env, { timeoutMs: 60_000 });
      expect(busy.code).toBe(2);
      expect(busy.stderr).toMatch(new RegExp(`port ${bases[0]}|port \\d+ on 127.0.0.1 is busy`));
    } finally {
      await Promise.all([stop(a), stop(b)]);
    }

    const before = token(bases[0]!);
    const again = start(bases[0]!);
    await firstScreen(again);
    await stop(again);
    expect(token(bases[0]!)).toBe(before);

    const fresh = start(bases[0]!, '--fresh');
    await firstScreen(fresh);
    await stop(fresh);
    expect(fresh.output()).toContain(`--fresh: dropped database ${db.name}_${bases[0]}`);
    expect(existsSync(join(demoDir, String(bases[0]), 'token'))).toBe(true);
    expect(token(bases[0]!)).not.toBe(before);
  }, 400_000);
});
