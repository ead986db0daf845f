import { DateTime } from 'luxon';
import type { Clock } from '../core/clock';
import { monthRange } from '../core/month';
import type { Queryable } from '../storage/db';
import { backupsMetrics, recoverablePoints } from './backups-metrics';
import { readActiveTenantTiers, type TenantTier } from '../config/fleet-store';
import { readMinuteCounts } from '../sla/store/minute-counter';
import type { MetricGroup, MetricValue, StoreMetric } from './metric-group';
import { affordableOutages } from '../sla/report';

/**
 * Live SLA series, so burn-rate alerts can be written in PromQL:
 * `rate(tenantscope_sli_minutes_total{state="bad"}[1h]) / sum without (state) (rate(...{state=~"good|bad"}[1h]))`
 * against `1 - tenantscope_sla_target_ratio`. Minutes are counted once as they close
 * (services/sla/store/minute-counter.ts); the month-to-date gauges use the tenant's month.
 */

type Counts = { good: number; bad: number; nodata: number; excluded: number };

export interface SlaSnapshot {
  nowMs: number;
  /** Each active tenant with its tier's target and policy, and its current month. */
  tenants: (TenantTier & { month: string; monthMinutes: number })[];
  totals: Map<string, Counts>;
  months: Map<string, Counts>;
  /** The instant each tenant's minutes are counted up to (the month-to-date figures' asOf), epoch ms. */
  countedUntil: Map<string, number>;
  /** Newest recoverable point per tenant, epoch ms (the backups rule). */
  points: Map<string, number>;
}

const STATES = ['good', 'bad', 'nodata', 'excluded'] as const;

/** Good and bad minutes after the tier's nodata policy, and the month's error budget. */
export function budgetOf(t: SlaSnapshot['tenants'][number], c: Counts): { good: number; bad: number; budget: number } {
  const good = c.good + (t.nodata === 'good' ? c.nodata : 0);
  const bad = c.bad + (t.nodata === 'bad' ? c.nodata : 0);
  // The bad minutes the whole month may have: (100 - target) % of its minutes not excluded so far.
  const budget = ((100 - Number(t.target)) / 100) * (t.monthMinutes - c.excluded);
  return { good, bad, budget };
}

function perTenant(s: SlaSnapshot, pick: (t: SlaSnapshot['tenants'][number], c: Counts) => number | null): MetricValue[] {
  return s.tenants.flatMap((t) => {
    const c = s.months.get(t.id);
    const value = c ? pick(t, c) : null;
    return value === null || !Number.isFinite(value) ? [] : [{ value, labels: { tenant: t.id, cluster: t.cluster, tier: t.tier } }];
  });
}

const METRICS: StoreMetric<SlaSnapshot>[] = [
  {
    name: 'tenantscope_sli_minutes_total',
    help: 'Minutes of the tenant classified as they closed (5 min after their end), by state: good, bad, nodata, excluded (docs/sla.md).',
    type: 'counter',
    values: (s) =>
      s.tenants.flatMap((t) => {
        const c = s.totals.get(t.id);
        return c ? STATES.map((state) => ({ value: c[state], labels: { tenant: t.id, cluster: t.cluster, tier: t.tier, state } })) : [];
      }),
  },
  {
    name: 'tenantscope_sla_availability_ratio',
    help: "Month-to-date availability of the tenant's month (its time zone): good / (good + bad) after the tier's nodata policy; absent while nothing counted.",
    type: 'gauge',
    values: (s) =>
      perTenant(s, (t, c) => {
        const { good, bad } = budgetOf(t, c);
        return good + bad === 0 ? null : good / (good + bad);
      }),
  },
  {
    name: 'tenantscope_sla_error_budget_remaining_minutes',
    help: "Bad minutes the tenant's month may still have and meet its target: (100 - target) % of the month's minutes not excluded so far, minus the bad minutes counted; negative when spent.",
    type: 'gauge',
    values: (s) =>
      perTenant(s, (t, c) => {
        const { bad, budget } = budgetOf(t, c);
        return budget - bad;
      }),
  },
  {
    name: 'tenantscope_sla_error_budget_remaining_ratio',
    help: "Remaining error budget of the tenant's month as a share of the whole month's budget (1 untouched, 0 spent, below 0 overspent).",
    type: 'gauge',
    values: (s) =>
      perTenant(s, (t, c) => {
        const { bad, budget } = budgetOf(t, c);
        return budget <= 0 ? null : (budget - bad) / budget;
      }),
  },
  {
    name: 'tenantscope_sla_counted_until_timestamp_seconds',
    help: 'The instant the month-to-date series count up to: minutes are counted once closed, 5 min after their end. A month-to-date report stops at the same instant (its monthToDate.asOf), so the two agree unless evidence arrived later.',
    type: 'gauge',
    values: (s) =>
      s.tenants.flatMap((t) => {
        const ms = s.countedUntil.get(t.id);
        return ms === undefined ? [] : [{ value: ms / 1000, labels: { tenant: t.id, cluster: t.cluster, tier: t.tier } }];
      }),
  },
  {
    name: 'tenantscope_sla_affordable_outage_minutes',
    help: "Outage minutes the rest of the tenant's month can still have before the credit step applies (availability below below_percent earns credit_percent), if every minute to come is measured; at most the minutes to come; -1 when the step applies whatever happens. Scheduled exclusion windows are not deducted here; the month-to-date report deducts them.",
    type: 'gauge',
    values: (s) =>
      s.tenants.flatMap((t) => {
        const c = s.months.get(t.id);
        if (!c) return [];
        const { good, bad } = budgetOf(t, c);
        const toCome = Math.max(0, t.monthMinutes - (c.good + c.bad + c.nodata + c.excluded));
        return affordableOutages({ good, bad }, toCome, t).map((step) => ({
          value: step.unavoidable ? -1 : step.affordableMinutes,
          labels: {
            tenant: t.id,
            cluster: t.cluster,
            tier: t.tier,
            below_percent: String(step.belowPercent),
            credit_percent: String(step.creditPercent),
          },
        }));
      }),
  },
  {
    name: 'tenantscope_sla_month_minutes_to_come',
    help: "Minutes of the tenant's month not counted yet (the month's minutes less those counted so far).",
    type: 'gauge',
    values: (s) => perTenant(s, (t, c) => Math.max(0, t.monthMinutes - (c.good + c.bad + c.nodata + c.excluded))),
  },
  {
    name: 'tenantscope_sla_target_ratio',
    help: "The tier's availability target as a ratio (99.9 % is 0.999).",
    type: 'gauge',
    values: (s) => s.tenants.map((t) => ({ value: Number(t.target) / 100, labels: { tenant: t.id, cluster: t.cluster, tier: t.tier } })),
  },
  {
    name: 'tenantscope_tenant_rpo_seconds',
    help: "The tier's recovery point objective: the most data, in seconds before a loss, the tenant may lose.",
    type: 'gauge',
    values: (s) => s.tenants.map((t) => ({ value: t.rpoSeconds, labels: { tenant: t.id, cluster: t.cluster, tier: t.tier } })),
  },
  {
    name: 'tenantscope_tenant_rto_seconds',
    help: "The tier's recovery time objective: the longest a restore of the tenant may take, seconds.",
    type: 'gauge',
    values: (s) => s.tenants.map((t) => ({ value: t.rtoSeconds, labels: { tenant: t.id, cluster: t.cluster, tier: t.tier } })),
  },
  {
    name: 'tenantscope_rpo_exposure_seconds',
    help: "Now minus the tenant's newest recoverable point (its dump or its cluster's backup or WAL archive reach): the data a loss now would cost.",
    type: 'gauge',
    values: (s) =>
      s.tenants.flatMap((t) => {
        const ms = s.points.get(t.id);
        return ms === undefined ? [] : [{ value: (s.nowMs - ms) / 1000, labels: { tenant: t.id, cluster: t.cluster } }];
      }),
  },
];

/** Month to date and exposure are computed against the scrape's clock. */
export const slaMetrics: MetricGroup<SlaSnapshot> = {
  name: 'sla',
  async load(db: Queryable, clock: Clock): Promise<SlaSnapshot> {
    const nowMs = clock.now();
    const tenants = (await readActiveTenantTiers(db)).map((r) => {
      const month = DateTime.fromMillis(nowMs, { zone: r.timezone }).toFormat('yyyy-MM');
      return { ...r, month, monthMinutes: monthRange(month, r.timezone).minutes };
    });
    const [counts, backupState] = await Promise.all([
      readMinuteCounts(
        db,
        tenants.map((t) => ({ tenant: t.id, month: t.month })),
      ),
      backupsMetrics.load(db, clock),
    ]);
    return {
      nowMs,
      tenants,
      totals: counts.totals,
      months: counts.months,
      countedUntil: counts.countedUntil,
      points: recoverablePoints(backupState).tenants,
    };
  },
  metrics: METRICS,
};
