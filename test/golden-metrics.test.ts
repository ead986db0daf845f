import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../services/core/clock';
import { CollectorRunner } from '../collectors/runner';
import { listTargets } from '../collectors/targets';
import { buildFleet, exampleFleetSpec } from './helpers/fleet-builder';
import type { Fleet } from '../services/config/fleet-types';
import { silentLogger } from '../services/core/logger';
import { createMetricsRegistry } from '../services/metrics/registry';
import { runBatchSimulation } from '../simulator';
import { routersJson } from '../simulator/traefik-routers';
import { PartitionKeeper } from '../services/storage/partitions';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

/**
 * The golden /metrics (node_exporter's end-to-end test, in our terms): a fixed batch-mode
 * simulator scenario goes through the file and HTTP collectors, and /metrics must equal the
 * committed file series for series. Live-server collectors (PostgreSQL, Redis, probes) and
 * wall-clock series (durations, run timestamps, process metrics) are left out: they cannot be
 * fixed. `UPDATE_GOLDEN=1 npx vitest run test/golden-metrics.test.ts` rewrites the file.
 */
const GOLDEN = join(__dirname, 'fixtures', 'golden-metrics.prom');
const FROM = Date.parse('2026-03-02T07:30:00Z');
const MINUTES = 30;

let traefik: Server;
let exposition = '';
let fleet: Fleet;
let db: MigratedDatabase;
let scrapes = 0;
let dir = '';
let base = '';

beforeAll(async () => {
  traefik = createServer((req, res) => {
    const [, cluster, ...rest] = (req.url ?? '').split('?')[0]!.split('/');
    const tenants = fleet.tenants.filter((t) => t.cluster === cluster);
    if (rest.join('/') === 'api/http/routers') return res.writeHead(200, { 'content-type': 'application/json' }).end(routersJson(tenants));
    scrapes += 1;
    // The first scrape of a target only sets the baseline: Traefik just started, nothing counted yet.
    const routers = new Set(tenants.map((t) => `${t.id}-web@docker`));
    const lines = exposition.split('\n').filter((line) => {
      const router = /router="([^"]+)"/.exec(line)?.[1];
      return router === undefined ? !/^traefik_router_/.test(line) : routers.has(router);
    });
    const body =
      scrapes <= 2 ? lines.filter((l) => l.startsWith('#') || !/_total|_bucket|_sum|_count/.test(l)).join('\n') : lines.join('\n');
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${body}\n`);
  });
  await new Promise<void>((resolve) => traefik.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(traefik.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'golden-'));
  // The demo fleet without live PostgreSQL and Redis, its Traefik served by the fake above.
  const spec = exampleFleetSpec(dir);
  for (const [id, cluster] of Object.entries(spec.clusters)) {
    delete cluster.postgres;
    delete cluster.redis;
    cluster.traefik = { ...(cluster.traefik as object), metricsUrl: `${base}/${id}/metrics`, apiUrl: `${base}/${id}` };
  }
  fleet = buildFleet(spec, { source: 'golden-fleet.yaml', baseDir: dir });
  const result = await runBatchSimulation({
    fleet,
    scenario: 'tenant-outage',
    scenarioTenant: 'acme',
    seed: 7,
    from: new Date(FROM).toISOString(),
    minutes: MINUTES,
    scenarioStartSeconds: 600,
    scenarioMinutes: 10,
    outDir: join(dir, 'out'),
  });
  exposition = readFileSync(result.traefikMetricsFile, 'utf8');
  db = await migratedDatabase(fleet);
}, 120_000);

afterAll(async () => {
  traefik.closeAllConnections();
  traefik.close();
  await db?.close();
});

/** Drops what depends on the wall clock or the machine, keeps everything the scenario decides. */
function stable(text: string): string {
  return text
    .split('\n')
    .filter((line) => line.startsWith('tenantscope_') || /^# (HELP|TYPE) tenantscope_/.test(line))
    .filter(
      (line) => !/^(# (HELP|TYPE) )?tenantscope_(build_info|collector_duration_seconds|collector_last_run_timestamp_seconds)\b/.test(line),
    )
    .join('\n')
    .concat('\n')
    .replaceAll(dir, '<dir>')
    .replaceAll(base, '<traefik>');
}

describe('golden /metrics', () => {
  it('equals the committed output for a fixed tenant-outage batch scenario, and passes promtool', async () => {
    const clock = new ManualClock(FROM + MINUTES * 60_000 + 30_000);
    const runner = new CollectorRunner({
      pool: db.pool,
      partitions: new PartitionKeeper(db.pool),
      fleet,
      clock,
      log: silentLogger,
      timeoutSeconds: 20,
    });
    const targets = listTargets(fleet).filter((t) => ['odoo-log', 'traefik', 'backups'].includes(t.collector));
    expect(new Set(targets.map((t) => t.collector))).toEqual(new Set(['odoo-log', 'traefik', 'backups']));
    for (let round = 0; round < 2; round++) {
      for (const t of targets) {
        const outcome = await runner.run({ collector: t.collector, target: t.target, scheduledAt: new Date(clock.now()) });
        expect(outcome, `${t.collector} ${t.target}`).toBeDefined();
      }
      clock.advance(15_000);
    }
    await runner.close();
    const text = stable(await createMetricsRegistry(db.pool, { version: 'golden', revision: 'golden' }, silentLogger, clock).metrics());
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, text);
    const golden = readFileSync(GOLDEN, 'utf8');
    expect(text.split('\n')).toEqual(golden.split('\n'));
    // The outage is in it: acme's ingress answered 5xx, its neighbours did not.
    expect(golden).toMatch(/^tenantscope_ingress_requests_total\{tenant="acme",cluster="eu1",code_class="5xx"\} [1-9]/m);
    expect(golden).not.toMatch(/^tenantscope_ingress_requests_total\{tenant="bergmann",cluster="eu1",code_class="5xx"\} [1-9]\d{2}/m);
    const out = execFileSync('sh', ['-c', `promtool check metrics < ${GOLDEN} 2>&1; echo "exit=$?"`])
      .toString()
      .trim();
    expect(out).toBe('exit=0');
  }, 120_000);
});
