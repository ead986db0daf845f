import { recordUnreachable } from '../collectors/postgres/outage-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../services/core/clock';
import { ALLOWED_LATENESS_MS } from '../services/sla/store/minute-counter';
import { canonicalJson } from '../services/sla/canonical';
import { loadTenantMonth } from '../services/sla/store/evidence-loader';
import { recordExclusion } from '../services/sla/store/exclusion-store';
import { computeReportFromMinutes } from '../services/sla/store/minutes-report';
import { monthReports, tenantReport, type ReportDeps } from '../services/sla/store/report-store';
import { insertIngress, insertProbes, slaDatabase, type SlaDb } from './sla-fixture';
import { buildFleet } from './helpers/fleet-builder';
import { testFleetSpec } from './helpers/fleets';

// monthReports reads many tenants at once with its own encoding (report-minutes.ts); it must give
// exactly the report of the per-tenant path (evidence-loader.ts), which export and freezing use.
const zones = ['UTC', 'Europe/Berlin', 'America/New_York'];
const spec = testFleetSpec({ tenants: 6 });
spec.tenants.forEach((t, i) => (t.timezone = zones[i % 3]));
const fleet = buildFleet(spec, { source: 'month-reports-fleet.yaml' });
let s: SlaDb;
let deps: ReportDeps;

beforeAll(async () => {
  s = await slaDatabase(fleet, ['2026-03', '2026-04']);
  deps = {
    db: s.pool,
    fleet,
    clock: new ManualClock(Date.parse('2026-04-20T00:00:00Z')),
    signingKey: Buffer.from('test key'),
    graceHours: 72,
  };
  // t1, t4: every minute across the month's edges in every zone, with failing, mixed and probe-less minutes.
  for (const t of ['t1', 't4']) {
    await insertProbes(s.pool, t, '2026-02-28T00:00:00Z', '2026-04-02T00:00:00Z', 2, 0);
    await insertProbes(s.pool, t, '2026-03-10T08:00:00Z', '2026-03-10T08:30:00Z', 0, 2);
    await insertProbes(s.pool, t, '2026-03-10T08:30:00Z', '2026-03-10T08:32:00Z', 1, 1);
    await insertProbes(s.pool, t, '2026-03-11T00:00:00Z', '2026-03-11T00:03:00Z', 0, 0);
  }
  await s.pool.query(
    `UPDATE tenant_minute SET probes_ok = NULL, probes_failed = NULL WHERE tenant_id = 't4' AND minute = '2026-03-12T00:00:00Z'`,
  );
  await s.pool.query(`UPDATE tenant_minute SET probes_failed = NULL WHERE tenant_id = 't4' AND minute = '2026-03-12T00:01:00Z'`);
  // t2, t5: gaps, Odoo counts, ingress minutes (with and without probes).
  for (const t of ['t2', 't5']) {
    await insertProbes(s.pool, t, '2026-03-01T00:00:00Z', '2026-03-05T00:00:00Z', 2, 0);
    await insertProbes(s.pool, t, '2026-03-05T00:07:00Z', '2026-03-20T00:00:00Z', 2, 0);
    await insertProbes(s.pool, t, '2026-03-15T10:00:00Z', '2026-03-15T10:10:00Z', 0, 1);
    await s.pool.query(
      `INSERT INTO tenant_minute (tenant_id, minute, odoo_requests_2xx, odoo_requests_3xx, odoo_requests_4xx, odoo_requests_5xx, odoo_requests_other)
       VALUES ($1, '2026-03-06T09:00:00Z', 8, 1, 1, 4, 0), ($1, '2026-03-25T09:00:00Z', 100, 0, 0, 0, 0), ($1, '2026-03-25T09:01:00Z', 10, 0, 0, 10, 0)
       ON CONFLICT (tenant_id, minute) DO UPDATE SET odoo_requests_2xx = EXCLUDED.odoo_requests_2xx, odoo_requests_3xx = EXCLUDED.odoo_requests_3xx,
         odoo_requests_4xx = EXCLUDED.odoo_requests_4xx, odoo_requests_5xx = EXCLUDED.odoo_requests_5xx, odoo_requests_other = EXCLUDED.odoo_requests_other`,
      [t],
    );
    for (const [minute, total, errors] of [
      ['2026-03-06T09:00:00Z', 200, 30],
      ['2026-03-06T09:01:00Z', 0, 0],
      ['2026-03-26T00:00:00Z', 50, 1],
    ] as const) {
      await insertIngress(s.pool, t, minute, total, errors);
    }
  }
  // t3, t6: no minute rows at all. Sparse evidence for every tenant.
  await s.pool.query(
    `INSERT INTO odoo_tenant_event_minute (tenant_id, minute, worker_timeout_kill) VALUES ('t1', '2026-03-10T08:01:00Z', 1), ('t5', '2026-03-15T10:02:00Z', 1)`,
  );
  await s.pool.query(`INSERT INTO collector_run (collector, target, scheduled_at, finished_at, success, duration_seconds, worker)
    VALUES ('postgres', 'c1/stats', '2026-03-10T08:02:00Z', '2026-03-10T08:02:05Z', false, 5, 'test')`);
  // the failed stats run's evidence, as the runner writes it in the same transaction
  await recordUnreachable(s.pool, 'c1', new Date('2026-03-10T08:02:00Z'));
  await s.pool.query(`INSERT INTO recovery_point (cluster_id, tenant_id, source, observed_at, recoverable_at) VALUES
    ('c1', NULL, 'pgbackrest', '2026-02-27T10:00:00Z', '2026-02-27T09:00:00Z'), ('c1', 't2', 'dump', '2026-03-02T02:00:00Z', '2026-03-02T01:00:00Z')`);
  await s.pool.query(`INSERT INTO backup_job (tenant_id, kind, started_at, finished_at, status) VALUES
    ('t1', 'restore-test', '2026-03-01T03:00:00Z', '2026-03-01T03:20:30.5Z', 'ok'), ('t1', 'restore-test', '2026-03-02T03:00:00Z', '2026-03-02T03:10:00Z', 'failed')`);
  await recordExclusion(
    s.pool,
    { cluster: 'c1', kind: 'force-majeure', start: '2026-03-10T08:20:00Z', end: '2026-03-10T08:25:30Z', reason: 'flood' },
    'alice',
    new Date('2026-03-11T00:00:00Z'),
  );
  await recordExclusion(
    s.pool,
    { tenant: 't2', kind: 'customer', start: '2026-03-15T10:05:00Z', end: '2026-03-15T10:08:00Z', reason: 'asked' },
    'bob',
    new Date('2026-03-16T00:00:00Z'),
  );
}, 60_000);
afterAll(() => s?.close());

describe('monthReports', () => {
  it.each(['2026-03', '2026-04'])('gives every tenant of %s the report of the per-tenant path, byte for byte', async (month) => {
    const all = await monthReports(deps, month);
    expect(all.map((r) => r.tenant)).toEqual(['t1', 't2', 't3', 't4', 't5', 't6']);
    for (const r of all) {
      const loaded = await loadTenantMonth(s.pool, fleet, r.tenant, month);
      // a month in progress (April, at the clock) stops at the minutes that have closed
      const asOfMs = deps.clock.now() - ALLOWED_LATENESS_MS;
      expect(r.canonical).toBe(canonicalJson(computeReportFromMinutes({ ...loaded!.input, asOfMs }, loaded!.minutes)));
      expect((await tenantReport(deps, r.tenant, month))!.canonical).toBe(r.canonical);
    }
    if (month === '2026-03') {
      const t1 = all[0]!.report;
      expect(t1.minutes.bad).toBeGreaterThan(0);
      expect(t1.incidents.length).toBeGreaterThan(0);
      expect(all[1]!.report.exclusions.length).toBe(2);
    }
  });
});
