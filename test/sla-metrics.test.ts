import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../services/core/clock';
import { slaMetrics, type SlaSnapshot } from '../services/metrics/sla-metrics';
import { countClosedMinutes } from '../services/sla/store/minute-counter';
import { tenantReport } from '../services/sla/store/report-store';
import { PartitionKeeper } from '../services/storage/partitions';
import { testFleet } from './helpers/fleets';
import { insertProbes, slaDatabase, type SlaDb } from './sla-fixture';

// t1 business (99.9 %), t2 mission (99.95 %), t3 standard (99.5 %); Berlin; March 2026 = 44,580 minutes.
const fleet = testFleet();
let s: SlaDb;
// Berlin's March starts at 2026-02-28T23:00Z; the counter starts a new tenant there.
const clock = new ManualClock(Date.parse('2026-03-01T01:05:00Z'));

beforeAll(async () => {
  s = await slaDatabase(fleet, ['2026-03']);
  await insertProbes(s.pool, 't1', '2026-02-28T23:00:00Z', '2026-03-01T01:00:00Z', 2, 0);
  await insertProbes(s.pool, 't1', '2026-02-28T23:10:00Z', '2026-02-28T23:14:00Z', 0, 2);
  await s.pool.query(
    `INSERT INTO recovery_point (cluster_id, tenant_id, source, observed_at, recoverable_at) VALUES ('c1', 't1', 'dump', '2026-03-01T00:30:00Z', '2026-03-01T00:00:00Z')`,
  );
  await s.pool.query(
    `INSERT INTO recovery_point_latest (cluster_id, tenant_id, source, observed_at, recoverable_at) VALUES ('c1', 't1', 'dump', '2026-03-01T00:30:00Z', '2026-03-01T00:00:00Z')`,
  );
}, 60_000);
afterAll(() => s?.close());

async function series(): Promise<Map<string, number>> {
  const snapshot = (await slaMetrics.load(s.pool, clock)) as SlaSnapshot;
  const out = new Map<string, number>();
  for (const m of slaMetrics.metrics) {
    for (const v of m.values(snapshot))
      out.set(
        `${m.name}{${Object.entries(v.labels)
          .map(([k, x]) => `${k}=${x}`)
          .join(',')}}`,
        v.value,
      );
  }
  return out;
}

describe('live SLA metrics', () => {
  it('counts each closed minute once, and derives availability, budget, target and RPO exposure', async () => {
    // Closed until 01:00Z (5 minutes of lateness): 120 minutes since the month began.
    expect((await countClosedMinutes({ pool: s.pool, fleet, clock, partitions: new PartitionKeeper(s.pool) })).get('t1')).toBe(120);
    expect((await countClosedMinutes({ pool: s.pool, fleet, clock, partitions: new PartitionKeeper(s.pool) })).get('t1')).toBe(0);
    const m = await series();
    const t1 = 'tenant=t1,cluster=c1,tier=business';
    expect(m.get(`tenantscope_sli_minutes_total{${t1},state=good}`)).toBe(116);
    expect(m.get(`tenantscope_sli_minutes_total{${t1},state=bad}`)).toBe(4);
    expect(m.get(`tenantscope_sli_minutes_total{tenant=t2,cluster=c1,tier=mission,state=nodata}`)).toBe(120);
    expect(m.get(`tenantscope_sla_availability_ratio{${t1}}`)).toBeCloseTo(116 / 120, 12);
    // t2 has only nodata minutes (excluded by policy): not measurable, no series.
    expect(m.has('tenantscope_sla_availability_ratio{tenant=t2,cluster=c1,tier=mission}')).toBe(false);
    const budget = (0.1 / 100) * 44_580;
    expect(m.get(`tenantscope_sla_error_budget_remaining_minutes{${t1}}`)).toBeCloseTo(budget - 4, 9);
    expect(m.get(`tenantscope_sla_error_budget_remaining_ratio{${t1}}`)).toBeCloseTo((budget - 4) / budget, 9);
    expect(m.get(`tenantscope_sla_target_ratio{${t1}}`)).toBeCloseTo(0.999, 12);
    expect(m.get('tenantscope_rpo_exposure_seconds{tenant=t1,cluster=c1}')).toBe(3900);
    // counted up to 01:00Z; 44,580 - 120 minutes to come; 116 good and 4 bad so far
    expect(m.get(`tenantscope_sla_counted_until_timestamp_seconds{${t1}}`)).toBe(Date.parse('2026-03-01T01:00:00Z') / 1000);
    expect(m.get(`tenantscope_sla_month_minutes_to_come{${t1}}`)).toBe(44_460);
    // at month end 116 + 44,460 good of 44,580 may have 44 bad (99.9 %): 40 more; 445 (99 %): 441; 2229 (95 %): 2225
    expect(m.get(`tenantscope_sla_affordable_outage_minutes{${t1},below_percent=99.9,credit_percent=10}`)).toBe(40);
    expect(m.get(`tenantscope_sla_affordable_outage_minutes{${t1},below_percent=99,credit_percent=25}`)).toBe(441);
    expect(m.get(`tenantscope_sla_affordable_outage_minutes{${t1},below_percent=95,credit_percent=100}`)).toBe(2225);
    expect(m.has('tenantscope_rpo_exposure_seconds{tenant=t2,cluster=c1}')).toBe(false);

    // The counter only grows; the stored day array holds each state.
    clock.advance(10 * 60_000);
    await countClosedMinutes({ pool: s.pool, fleet, clock, partitions: new PartitionKeeper(s.pool) });
    const later = await series();
    expect(later.get(`tenantscope_sli_minutes_total{${t1},state=nodata}`)).toBe(10);
    expect(later.get(`tenantscope_sli_minutes_total{${t1},state=bad}`)).toBe(4);
    // 0 good, 1 bad, 2 nodata, 255 not classified yet (before the tenant's month began).
    const { rows } = await s.pool.query(
      `SELECT get_byte(states, 0) AS before, get_byte(states, 1380) AS good, get_byte(states, 1390) AS bad FROM sla_minute WHERE tenant_id = 't1' AND day = '2026-02-28T00:00:00Z'`,
    );
    expect(rows).toEqual([{ before: 255, good: 0, bad: 1 }]);
    const march1 = await s.pool.query(
      `SELECT get_byte(states, 0) AS first, get_byte(states, 65) AS later, get_byte(states, 1439) AS open FROM sla_minute WHERE tenant_id = 't1' AND day = '2026-03-01T00:00:00Z'`,
    );
    expect(march1.rows[0]).toEqual({ first: 0, later: 2, open: 255 });
  });

  it('gives the month-to-date report the same minutes, asOf and availability as /metrics', async () => {
    const reports = { db: s.pool, fleet, clock, signingKey: null, graceHours: 72 };
    await countClosedMinutes({ pool: s.pool, fleet, clock, partitions: new PartitionKeeper(s.pool) });
    const m = await series();
    const report = (await tenantReport(reports, 't1', '2026-03'))!.report;
    const t1 = 'tenant=t1,cluster=c1,tier=business';
    expect(Date.parse(report.monthToDate!.asOf) / 1000).toBe(m.get(`tenantscope_sla_counted_until_timestamp_seconds{${t1}}`));
    for (const state of ['good', 'bad', 'nodata', 'excluded'] as const)
      expect(report.minutes[state], state).toBe(m.get(`tenantscope_sli_minutes_total{${t1},state=${state}}`));
    expect(report.availabilityPercent! / 100).toBeCloseTo(m.get(`tenantscope_sla_availability_ratio{${t1}}`)!, 12);
    expect(report.monthToDate!.minutesRemaining).toBe(m.get(`tenantscope_sla_month_minutes_to_come{${t1}}`));
    // no scheduled window in this fleet: the report's steps are the metric's
    for (const step of report.monthToDate!.creditSteps)
      expect(step.affordableMinutes).toBe(
        m.get(`tenantscope_sla_affordable_outage_minutes{${t1},below_percent=${step.belowPercent},credit_percent=${step.creditPercent}}`),
      );
  });
});
