import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../services/api/app';
import { createToken } from '../services/auth/token-store';
import { ManualClock } from '../services/core/clock';
import { silentLogger } from '../services/core/logger';
import { noisyMetrics } from '../services/metrics/noisy-metrics';
import type { NoisySnapshot } from '../services/noisy/metrics-store';
import type { Detector, DetectorFactory } from '../services/noisy/detector-port';
import { defaultDetectorFactory } from '../services/noisy/detector-port';
import type { ClusterMinute, DetectorStep, NoisyIncident } from '../services/noisy/detector-types';
import { runNoisyDetection, type LiveDeps } from '../services/noisy/live-run';
import { PartitionKeeper } from '../services/storage/partitions';
import { testFleetSpec } from './helpers/fleets';
import { buildFleet, fleetYaml } from './helpers/fleet-builder';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

const MIN = 60_000;
const T0 = Date.parse('2026-03-10T10:00:00Z');
// c1 has 1 vCPU and 2 Odoo workers: 60 cpu-seconds and 120 worker-seconds per minute.
const SPEC = testFleetSpec();
SPEC.clusters.c1!.capacity = { pgVcpu: 1, odooWorkers: 2, placementHours: 0.05 };
const fleet = buildFleet(SPEC, { source: 'noisy-fleet.yaml' });

/**
 * A stand-in with the detector's interface for the storage path: it names the tenant with the
 * largest pg_cpu share while pg_cpu saturation is ≥ 0.7 (confirmed at once) and closes when it
 * falls. The real detector needs hours of baseline; it is run over the same minutes below.
 */
const doubleFactory: DetectorFactory = (cluster, state): Detector => {
  let open: NoisyIncident | null = (state as { open: NoisyIncident | null } | null)?.open ?? null;
  return {
    step(input: ClusterMinute): DetectorStep {
      const sat = input.saturation.pg_cpu ?? 0;
      const usage = Object.entries(input.tenants).map(([t, m]) => [t, m.usage.pg_cpu ?? 0] as const);
      const total = usage.reduce((a, [, u]) => a + u, 0);
      const [top, topUsage] = [...usage].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
      if (sat >= 0.7 && !open) {
        const share = topUsage / total;
        open = {
          id: `${cluster}-pg_cpu-${input.minute}`,
          cluster,
          resource: 'pg_cpu',
          kind: 'neighbour',
          start: input.minute,
          confirmedAt: input.minute,
          end: null,
          antagonists: [{ tenant: top, blame: share, peakShare: share }],
          victims: usage.filter(([t]) => t !== top).map(([t]) => t),
          peakShare: share,
          score: share,
          evidence: [{ minute: input.minute, shares: { [top]: share }, victimZ: {} }],
        };
        return { minute: input.minute, open: [open], closed: [] };
      }
      if (sat < 0.7 && open) {
        const closed = { ...open, end: input.minute };
        open = null;
        return { minute: input.minute, open: [], closed: [closed] };
      }
      return { minute: input.minute, open: open ? [open] : [], closed: [] };
    },
    snapshot: () => ({ open }),
  };
};

let db: MigratedDatabase;
const clock = new ManualClock(T0 + 12 * MIN);
const deps = (detector: DetectorFactory): LiveDeps => ({ pool: db.pool, fleet, clock, partitions: new PartitionKeeper(db.pool), detector });

beforeAll(async () => {
  db = await migratedDatabase(fleet);
  for (const t of ['pg_tenant_minute', 'tenant_minute'])
    await db.pool.query('SELECT tenantscope_ensure_month_partition($1, $2)', [t, new Date(T0)]);
  await db.pool.query("INSERT INTO pg_cluster_state VALUES ('c1', $1, $1, 150000, false, 30, 100)", [new Date(T0)]);
  // Ten minutes: t1 burns 50 cpu-seconds from 10:03 to 10:06 (saturation 55/60), else 5; t2 5;
  // t3 sends no PostgreSQL row at all. At 10:05 t2's stats interval was dropped (a reset).
  for (let i = 0; i < 10; i++) {
    const m = new Date(T0 + i * MIN);
    const hot = i >= 3 && i <= 6;
    await db.pool.query(
      'INSERT INTO pg_tenant_minute (tenant_id, minute, active_seconds, max_backends, lock_wait_caused_seconds, blks_read, temp_bytes) VALUES ($1, $2, $3, 4, 0, 100, 8192)',
      ['t1', m, hot ? 50 : 5],
    );
    await db.pool.query(
      'INSERT INTO pg_tenant_minute (tenant_id, minute, active_seconds, max_backends, lock_wait_caused_seconds, blks_read, temp_bytes) VALUES ($1, $2, 5, 2, 0, $3, $4)',
      ['t2', m, i === 5 ? null : 300, i === 5 ? null : 0],
    );
    await db.pool.query(
      'INSERT INTO tenant_minute (tenant_id, minute, odoo_requests_2xx, odoo_requests_5xx, odoo_sql_seconds, odoo_python_seconds, odoo_duration_counts, odoo_duration_sum) VALUES ($1, $2, 20, 0, 3, 3, $3, 6)',
      ['t2', m, [20]],
    );
  }
}, 60_000);
afterAll(() => db?.close());

describe('attribution and the live job', () => {
  it('runs concurrently once, stores attribution and the incident with the watermark', async () => {
    const [a, b] = await Promise.all([runNoisyDetection(deps(doubleFactory)), runNoisyDetection(deps(doubleFactory))]);
    // One run took the minutes, the other found the watermark moved.
    expect([a[0]!.minutes, b[0]!.minutes].sort((x, y) => x - y)).toEqual([0, 360]);
    const { rows: state } = await db.pool.query('SELECT watermark FROM noisy_detector_state');
    expect(state[0].watermark.toISOString()).toBe('2026-03-10T10:10:00.000Z');
    const { rows: incidents } = await db.pool.query('SELECT * FROM noisy_incident');
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ resource: 'pg_cpu', antagonist_ids: ['t1'], victims: ['t2'] });
    expect(incidents[0].start_at.toISOString()).toBe('2026-03-10T10:03:00.000Z');
    expect(incidents[0].end_at.toISOString()).toBe('2026-03-10T10:07:00.000Z');
    // Nothing counted twice: t1's pg_cpu total is the sum of its ten minutes.
    const { rows: total } = await db.pool.query("SELECT usage FROM tenant_resource_total WHERE tenant_id = 't1' AND resource = 'pg_cpu'");
    expect(total[0].usage).toBe(4 * 50 + 6 * 5);
  });

  it('shares sum to 1, absent minutes stay absent, a dropped interval gives no usage and no shares', async () => {
    const { rows: sums } = await db.pool.query(
      `SELECT minute, resource, sum(share) AS s FROM tenant_resource_minute WHERE share IS NOT NULL GROUP BY 1, 2`,
    );
    for (const r of sums) expect(r.s).toBeCloseTo(1, 12);
    const { rows: t3 } = await db.pool.query("SELECT count(*)::int AS n FROM tenant_resource_minute WHERE tenant_id = 't3'");
    expect(t3[0].n).toBe(0);
    const { rows: before } = await db.pool.query(
      "SELECT count(*)::int AS n FROM tenant_resource_minute WHERE minute < '2026-03-10T10:00:00Z'",
    );
    expect(before[0].n).toBe(0);
    const io = await db.pool.query(
      "SELECT tenant_id, usage, share FROM tenant_resource_minute WHERE resource = 'pg_io' AND minute = '2026-03-10T10:05:00Z'",
    );
    expect(io.rows).toEqual([{ tenant_id: 't1', usage: 101, share: null }]);
    const c = await db.pool.query(
      "SELECT shares_valid, saturation, capacity_source FROM cluster_resource_minute WHERE minute = '2026-03-10T10:04:00Z' AND resource IN ('pg_cpu', 'pg_io') ORDER BY resource",
    );
    expect(c.rows).toEqual([
      { shares_valid: true, saturation: 55 / 60, capacity_source: 'fleet' },
      { shares_valid: true, saturation: null, capacity_source: null },
    ]);
  });

  it('publishes the active incident, last-minute shares and usage counters in base units', async () => {
    await db.pool.query('UPDATE noisy_incident SET end_at = NULL');
    const snap = (await noisyMetrics.load(db.pool, clock)) as NoisySnapshot;
    const lines = noisyMetrics.metrics.flatMap((m) =>
      m.values(snap).map(
        (v) =>
          `${m.name}{${Object.entries(v.labels)
            .map(([k, x]) => `${k}=${x}`)
            .join(',')}} ${v.value}`,
      ),
    );
    expect(lines).toContain('tenantscope_noisy_neighbour_active{tenant=t1,cluster=c1,resource=pg_cpu,role=antagonist} 1');
    expect(lines).toContain('tenantscope_noisy_neighbour_active{tenant=t2,cluster=c1,resource=pg_cpu,role=victim} 1');
    expect(lines).toContain('tenantscope_tenant_resource_share{tenant=t1,cluster=c1,resource=pg_cpu} 0.5');
    expect(lines).toContain('tenantscope_tenant_resource_usage_total{tenant=t1,cluster=c1,resource=pg_conn} 2400');
    await db.pool.query("UPDATE noisy_incident SET end_at = '2026-03-10T10:07:00Z'");
  });

  it('steps the real detector over stored minutes and persists its snapshot', async () => {
    await db.pool.query('DELETE FROM noisy_detector_state');
    const runs = await runNoisyDetection(deps(defaultDetectorFactory));
    expect(runs[0]!.minutes).toBe(360);
    const { rows } = await db.pool.query('SELECT detector FROM noisy_detector_state');
    expect(rows[0].detector).toMatchObject({ version: 1, cluster: 'c1' });
    // Ten minutes of data give the real detector no baseline to call anyone a victim.
    expect(runs[0]!.incidents).toEqual([]);
  });
});

describe('API, CLI and the usage report', () => {
  let app: FastifyInstance;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    app = await buildApi({
      log: silentLogger,
      metrics: new Registry(),
      readiness: [],
      api: { pool: db.pool, reports: { db: db.pool, fleet, clock, signingKey: null, graceHours: 72 } },
    });
    for (const [name, role, tenant] of [
      ['admin', 'admin'],
      ['t1', 'tenant', 't1'],
      ['t2', 'tenant', 't2'],
      ['t3', 'tenant', 't3'],
    ] as const) {
      tokens[name] = (await createToken(db.pool, { name: `${name}-token`, role, ...(tenant && { tenant }) }, new Date(T0))).token;
    }
  });
  afterAll(() => app?.close());
  const get = (url: string, who: string) => app.inject({ url, headers: { authorization: `Bearer ${tokens[who]}` } });

  it('lists incidents: admin sees names, a victim sees its role without the antagonist, others nothing', async () => {
    const admin = (await get('/api/v1/noisy/incidents?from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z', 'admin')).json();
    expect(admin.incidents[0]).toMatchObject({ resource: 'pg_cpu', state: 'closed', antagonists: [{ tenant: 't1' }], victims: ['t2'] });
    const victim = (await get('/api/v1/noisy/incidents', 't2')).json();
    expect(victim.incidents[0]).toMatchObject({ role: 'victim', antagonists: [{ tenant: null }], victims: ['t2'], otherVictims: 0 });
    expect(JSON.stringify(victim)).not.toContain('t1');
    expect((await get('/api/v1/noisy/incidents', 't1')).json().incidents[0].role).toBe('antagonist');
    expect((await get('/api/v1/noisy/incidents', 't3')).json().incidents).toEqual([]);
    expect((await get('/api/v1/noisy/incidents?tenant=t1', 't2')).statusCode).toBe(404);
    expect((await get('/api/v1/noisy/incidents?from=2026-03-11T00:00:00Z', 'admin')).json().incidents).toEqual([]);
    expect((await get('/api/v1/noisy/incidents?from=yesterday', 'admin')).statusCode).toBe(400);
  });

  it('reports usage with idle capacity spread by usage and placement advice, as JSON and CSV', async () => {
    const report = (await get('/api/v1/usage/2026-03', 'admin')).json();
    const cpu = report.clusters[0].resources.pg_cpu;
    // Capacity counts over the minutes attribution measured (ten), not over minutes nobody saw.
    expect(cpu.capacity).toBe(10 * 60);
    expect(cpu.idle).toBe(10 * 60 - (230 + 50));
    const t1 = report.tenants.find((t: { tenant: string }) => t.tenant === 't1');
    expect(t1.resources.pg_cpu.share).toBeCloseTo(230 / 280, 12);
    expect(t1.resources.pg_cpu.allocated).toBeCloseTo(230 + cpu.idle * (230 / 280), 6);
    expect(t1.placementCandidate).toBe(true);
    expect(report.placement).toEqual([
      expect.objectContaining({ tenant: 't1', antagonistHours: 4 / 60, incidents: [expect.objectContaining({ resource: 'pg_cpu' })] }),
    ]);
    const mine = (await get('/api/v1/usage/2026-03', 't2')).json();
    expect(mine.tenants.map((t: { tenant: string }) => t.tenant)).toEqual(['t2']);
    expect(mine.placement).toEqual([]);
    const csv = (await get('/api/v1/usage/2026-03?format=csv', 'admin')).body;
    expect(csv.split('\r\n')[0]).toBe('month,tenant,name,cluster,resource,unit,usage,share,idle_allocated,allocated,placement_candidate');
    expect(csv).toContain('2026-03,t1,Tenant 1,c1,pg_cpu,cpu-seconds,230,');
  });

  it('prints incidents and usage from the CLI', async () => {
    const run = promisify(execFile);
    const bin = join(__dirname, '..', 'bin', 'tenantscope.js');
    const fleetFile = join(mkdtempSync(join(tmpdir(), 'tenantscope-noisy-')), 'fleet.yaml');
    writeFileSync(fleetFile, fleetYaml(SPEC));
    const env = { ...process.env, TENANTSCOPE_DATABASE_URL: db.url, TENANTSCOPE_LOG_LEVEL: 'silent' };
    const table = await run(process.execPath, [bin, 'noisy', 'list', '--tenant', 't2'], { env });
    expect(table.stdout.split('\n')[1]).toMatch(/^2026-03-10T10:03:00.000Z\s+2026-03-10T10:07:00.000Z\s+c1\s+pg_cpu\s+closed\s+t1:/);
    const json = JSON.parse(
      (await run(process.execPath, [bin, 'noisy', 'list', '--format', 'json', '--from', '2026-03-10T10:06:00Z'], { env })).stdout,
    );
    expect(json.incidents).toHaveLength(1);
    const usage = await run(process.execPath, [bin, 'usage', '--month', '2026-03', '--format', 'csv', '--fleet', fleetFile], { env });
    expect(usage.stdout).toContain('2026-03,t1,Tenant 1,c1,pg_cpu,cpu-seconds,230,');
    await expect(run(process.execPath, [bin, 'noisy', 'list', '--format', 'xml'], { env })).rejects.toMatchObject({ code: 2 });
  }, 60_000);
});
