import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_URL, REDIS_URL, createTestDatabase, removeQueues, type TestDatabase, uniquePrefix } from './helpers/database';
import { freePort, startTenantscope, waitFor } from './helpers/processes';
import { exampleFleetSpec, fleetYaml } from './helpers/fleet-builder';

/**
 * `tenantscope demo` end to end on the demo fleet, moved to free ports, a temporary folder and
 * fresh database names: within 60 s /metrics has request and probe series for all 12 tenants.
 */
const dbPrefix = `tsdemo${randomBytes(3).toString('hex')}_`;
const queuePrefix = uniquePrefix();
let db: TestDatabase | undefined;

afterAll(async () => {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${dbPrefix}%`]);
  for (const row of rows) await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
  await admin.end();
  await db?.drop();
  await removeQueues(queuePrefix);
});

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

    const demo = startTenantscope(['demo', '--fleet', fleetFile], {
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
