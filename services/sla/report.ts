import type { Cluster, Fleet, Tenant, Tier } from '../config/fleet-types';
import { classifyMinutes, countedMinutes, countStates, downtimeRule, type MinuteCounts } from './classify';
import { creditPercentFor } from './credit';
import { dailyCounts, type DayCounts } from './daily';
import type { Evidence } from './evidence';
import { percentOfMinor, ratioAtLeastPercent, truncatedPercent } from './exact';
import { findIncidents, type Incident } from './incidents';
import { EvidenceIndex, minuteEvidenceOf, type MinuteEvidence } from './minute-evidence';
import { monthRange, type MonthRange } from '../core/month';
import { rpoEvidence, rtoEvidence, type RpoEvidence, type RtoEvidence } from './recovery';
import { coveredMinutes, declaredWindows, excludedMask, type ExclusionWindow } from './windows';

/** Bumped whenever a figure's meaning changes, so a frozen report says which rules made it. */
export const REPORT_VERSION = 1;

export interface ReportExclusion {
  readonly start: string;
  readonly end: string;
  readonly type: ExclusionWindow['type'];
  readonly reason: string;
  readonly scope: ExclusionWindow['scope'];
  readonly origin: ExclusionWindow['origin'];
  readonly recordedBy?: string;
  readonly recordedAt?: string;
  /**
   * Minutes of this month the window covers whole (overlaps with other windows included); in a
   * month-to-date report, only the minutes already elapsed.
   */
  readonly minutes: number;
  /** Month to date only: the window begins after the report's `asOf`, so none of its minutes counted yet. */
  readonly scheduled?: true;
}

/**
 * What a report of a month in progress adds: the instant its figures stop at, the minutes
 * elapsed and to come, and what the rest of the month can still take before each credit step.
 * Absent from a report of a whole month, so frozen reports are as they always were.
 */
export interface MonthToDate {
  /** Every figure of the report covers [month start, asOf): whole minutes, none in the future. */
  readonly asOf: string;
  readonly minutesElapsed: number;
  readonly minutesRemaining: number;
  /** Minutes to come that exclusion windows already known cover (scheduled maintenance). */
  readonly scheduledExcludedMinutes: number;
  /** The credit shown is what the month would earn if it ended at asOf: it will change. */
  readonly creditProvisional: true;
  /**
   * The bad minutes the whole month may have and meet its target, when every minute to come that
   * is not excluded is measured; used: bad minutes so far (after the nodata policy); left may be
   * below 0.
   */
  readonly errorBudget: { readonly totalMinutes: number; readonly usedMinutes: number; readonly leftMinutes: number };
  /** Per credit step: the outage minutes still to come the month can take before that step applies. */
  readonly creditSteps: readonly AffordableOutage[];
}

export interface AffordableOutage {
  readonly belowPercent: number;
  readonly creditPercent: number;
  /** From 0 to the eligible minutes to come; the whole rest of the month when even that stays above the step. */
  readonly affordableMinutes: number;
  /** True when the step applies whatever the rest of the month does. */
  readonly unavoidable: boolean;
}

/** One tenant's month (docs/sla.md). Every figure is a pure function of the fleet and the evidence. */
export interface SlaReport {
  readonly reportVersion: number;
  readonly tenant: string;
  readonly cluster: string;
  readonly month: string;
  readonly timezone: string;
  /** The month as UTC instants, `[start, end)`. */
  readonly start: string;
  readonly end: string;
  readonly tier: string;
  readonly minutes: MinuteCounts;
  readonly nodataPolicy: Tier['nodata'];
  /** Good and bad minutes after the nodata policy: availability = good / (good + bad). */
  readonly counted: { readonly good: number; readonly bad: number };
  /** false when no minute counted: availability, targetMet and the display are then null. */
  readonly measurable: boolean;
  readonly availabilityPercent: number | null;
  /** Truncated to two decimals, never rounded up: 99.9999 % shows as "99.99". */
  readonly availabilityDisplay: string | null;
  readonly targetPercent: number;
  readonly targetMet: boolean | null;
  /** Measured (good + bad before the policy) / eligible (total − excluded) minutes; null when nothing was eligible. */
  readonly coveragePercent: number | null;
  /** Coverage below 90 %: the report says the month was not fully measured. */
  readonly coverageLow: boolean;
  readonly creditPercent: number;
  /** Integer minor units of `currency`, as a string of digits so it stays exact beyond 2^53. */
  readonly creditMinor: string;
  readonly monthlyFeeMinor: string;
  readonly currency: string;
  readonly currencyDigits: number;
  /** Each local day of the month, its minutes by state before the nodata policy (for the daily chart). */
  readonly days: readonly DayCounts[];
  readonly incidents: readonly Incident[];
  readonly exclusions: readonly ReportExclusion[];
  readonly rpo: RpoEvidence;
  readonly rto: RtoEvidence;
  /** Present only for a month in progress (TenantMonth.asOfMs before the month's end). */
  readonly monthToDate?: MonthToDate;
}

export interface TenantMonth {
  readonly tenant: Tenant;
  readonly tier: Tier;
  readonly cluster: Cluster;
  readonly month: string;
  /** Lines owned by the tenant, and by its cluster. */
  readonly tenantEvidence: readonly Evidence[];
  readonly clusterEvidence: readonly Evidence[];
  /**
   * A month in progress: the report covers [month start, asOfMs) only, truncated to whole
   * minutes, and says so (SlaReport.monthToDate). At or after the month's end: the whole month.
   */
  readonly asOfMs?: number;
}

export function computeReport(input: TenantMonth): SlaReport {
  const range = monthRange(input.month, input.tenant.timezone);
  return reportFromMinutes(input, minuteEvidenceOf(range, input.tenantEvidence));
}

/**
 * The report over minute evidence already in typed arrays: computeReport builds them from probe
 * and request lines, the PostgreSQL path fills them from the rollups. One function for both, so
 * `sla recompute` (from lines) and stored reports (from rollups) agree byte for byte.
 */
export function reportFromMinutes(input: TenantMonth, monthEvidence: MinuteEvidence): SlaReport {
  const { tenant, tier, cluster } = input;
  const month = monthRange(input.month, tenant.timezone);
  // a month in progress is reported over its elapsed whole minutes only: nothing is counted,
  // excluded, extrapolated or found in minutes that have not happened
  const inProgress = input.asOfMs !== undefined && input.asOfMs < month.endMs;
  const elapsed = inProgress ? Math.max(0, Math.floor((input.asOfMs! - month.startMs) / 60_000)) : month.minutes;
  const range: MonthRange = inProgress ? { ...month, endMs: month.startMs + elapsed * 60_000, minutes: elapsed } : month;
  const minuteEvidence = inProgress ? firstMinutes(monthEvidence, elapsed) : monthEvidence;
  const windows = exclusionWindows(input, month);
  const states = classifyMinutes(minuteEvidence, excludedMask(range, windows), downtimeRule(tier));
  const minutes = countStates(states);
  const counted = countedMinutes(minutes, tier.nodata);
  const measured = counted.good + counted.bad;
  const eligible = minutes.total - minutes.excluded;
  const creditPercent = creditPercentFor(counted.good, measured, tier);
  const signals = sparseEvidence(input);
  return {
    reportVersion: REPORT_VERSION,
    tenant: tenant.id,
    cluster: cluster.id,
    month: input.month,
    timezone: tenant.timezone,
    start: new Date(month.startMs).toISOString(),
    end: new Date(month.endMs).toISOString(),
    tier: tier.id,
    minutes,
    nodataPolicy: tier.nodata,
    counted,
    measurable: measured > 0,
    availabilityPercent: measured === 0 ? null : (counted.good / measured) * 100,
    availabilityDisplay: measured === 0 ? null : truncatedPercent(counted.good, measured),
    targetPercent: tier.targetPercent,
    targetMet: measured === 0 ? null : ratioAtLeastPercent(counted.good, measured, tier.targetPercent),
    coveragePercent: eligible === 0 ? null : ((minutes.good + minutes.bad) / eligible) * 100,
    coverageLow: eligible > 0 && (minutes.good + minutes.bad) * 10 < eligible * 9,
    creditPercent,
    creditMinor: percentOfMinor(tenant.monthlyFee.minor, creditPercent).toString(),
    monthlyFeeMinor: tenant.monthlyFee.minor.toString(),
    currency: tenant.monthlyFee.currency,
    currencyDigits: tenant.monthlyFee.digits,
    days: dailyCounts(month, states, tenant.timezone),
    incidents: findIncidents(range, states, tier.nodata, minuteEvidence, signals, cluster.id),
    exclusions: reportExclusions(range, windows, inProgress),
    rpo: rpoEvidence(range, tier.rpoSeconds, signals),
    rto: rtoEvidence(range, tier.rtoSeconds, signals),
    ...(inProgress && { monthToDate: monthToDate(month, range, windows, counted, tier) }),
  };
}

/** The month-to-date block: minutes to come, the scheduled part of them, and what they can still take. */
function monthToDate(
  month: MonthRange,
  elapsed: MonthRange,
  windows: readonly ExclusionWindow[],
  counted: { good: number; bad: number },
  tier: Tier,
): MonthToDate {
  const remaining = month.minutes - elapsed.minutes;
  const mask = excludedMask(month, windows);
  let scheduled = 0;
  for (let i = elapsed.minutes; i < month.minutes; i++) scheduled += mask[i]!;
  const toCome = remaining - scheduled;
  const atEnd = counted.good + counted.bad + toCome;
  const total = maxBadMinutes(atEnd, tier.targetPercent);
  return {
    asOf: new Date(elapsed.endMs).toISOString(),
    minutesElapsed: elapsed.minutes,
    minutesRemaining: remaining,
    scheduledExcludedMinutes: scheduled,
    creditProvisional: true,
    errorBudget: { totalMinutes: total, usedMinutes: counted.bad, leftMinutes: total - counted.bad },
    creditSteps: affordableOutages(counted, toCome, tier),
  };
}

/**
 * For each credit step of the tier, the outage minutes among `toCome` measured minutes the month
 * can still have and stay at or above the step's threshold (compared exactly, as the credit is).
 * One function for the report and /metrics (tenantscope_sla_affordable_outage_minutes).
 */
export function affordableOutages(
  counted: { good: number; bad: number },
  toCome: number,
  tier: Pick<Tier, 'credits' | 'creditCapPercent'>,
): AffordableOutage[] {
  const atEnd = counted.good + counted.bad + toCome;
  return [...tier.credits]
    .sort((a, b) => b.belowPercent - a.belowPercent)
    .map((step) => {
      const spare = maxBadMinutes(atEnd, step.belowPercent) - counted.bad;
      return {
        belowPercent: step.belowPercent,
        creditPercent: Math.min(step.percent, tier.creditCapPercent),
        affordableMinutes: Math.max(0, Math.min(toCome, spare)),
        unavoidable: spare < 0,
      };
    });
}

/** The most bad minutes of `measured` that keep good / measured at or above `percent`. */
function maxBadMinutes(measured: number, percent: number): number {
  // good ≥ percent/100 × measured, good whole: bad ≤ measured − ceil(percent × measured / 100)
  let bad = Math.max(0, Math.floor((measured * (100 - percent)) / 100) + 1);
  while (bad > 0 && !ratioAtLeastPercent(measured - bad, measured, percent)) bad -= 1;
  return measured === 0 ? 0 : bad;
}

/** The first `n` minutes of a month's evidence (views, not copies). */
function firstMinutes(ev: MinuteEvidence, n: number): MinuteEvidence {
  return {
    probesOk: ev.probesOk.subarray(0, n),
    probesFailed: ev.probesFailed.subarray(0, n),
    hasIngress: ev.hasIngress.subarray(0, n),
    ingressTotal: ev.ingressTotal.subarray(0, n),
    ingressErrors: ev.ingressErrors.subarray(0, n),
    hasOdoo: ev.hasOdoo.subarray(0, n),
    odooTotal: ev.odooTotal.subarray(0, n),
    odooErrors: ev.odooErrors.subarray(0, n),
  };
}

/**
 * The tenant's and cluster's lines other than probes and requests (signals, recovery points,
 * restore tests): few per month, so later passes need not walk the per-minute evidence again.
 */
function sparseEvidence(input: TenantMonth): Evidence[] {
  const out: Evidence[] = [];
  for (const list of [input.tenantEvidence, input.clusterEvidence]) {
    for (const e of list) if (e.kind !== 'probe' && e.kind !== 'requests') out.push(e);
  }
  return out;
}

/** Fleet maintenance of the tenant (its zone) and its cluster (the cluster's zone), and recorded windows. */
export function exclusionWindows(input: TenantMonth, range: MonthRange): ExclusionWindow[] {
  const recorded = (items: readonly Evidence[], scope: ExclusionWindow['scope']): ExclusionWindow[] =>
    items.flatMap((e) =>
      e.kind === 'exclusion' && e.startMs < range.endMs && e.endMs > range.startMs
        ? [
            {
              startMs: e.startMs,
              endMs: e.endMs,
              type: e.type,
              reason: e.reason,
              scope,
              origin: 'recorded' as const,
              ...(e.recordedBy !== undefined && { recordedBy: e.recordedBy }),
              ...(e.recordedAt !== undefined && { recordedAt: e.recordedAt }),
            },
          ]
        : [],
    );
  return [
    ...declaredWindows(input.tenant.maintenance, input.tenant.timezone, 'tenant', range),
    ...declaredWindows(input.cluster.maintenance, input.cluster.timezone, 'cluster', range),
    ...recorded(input.tenantEvidence, 'tenant'),
    ...recorded(input.clusterEvidence, 'cluster'),
  ];
}

function reportExclusions(range: MonthRange, windows: readonly ExclusionWindow[], inProgress: boolean): ReportExclusion[] {
  return windows
    .map((w) => {
      const [first, end] = coveredMinutes(range, w);
      const { startMs, endMs, ...rest } = w;
      return {
        start: new Date(startMs).toISOString(),
        end: new Date(endMs).toISOString(),
        ...rest,
        minutes: Math.max(0, end - first),
        ...(inProgress && startMs >= range.endMs && { scheduled: true as const }),
      };
    })
    .sort((a, b) => cmp(a.start, b.start) || cmp(a.end, b.end) || cmp(a.scope, b.scope) || cmp(a.reason, b.reason) || cmp(a.type, b.type));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Reports for every tenant of the fleet (or one), in fleet order; `asOfMs`: a month in progress up to then. */
export function computeFleetReports(
  fleet: Pick<Fleet, 'tiers' | 'clusters' | 'tenants'>,
  month: string,
  index: EvidenceIndex,
  tenantId?: string,
  asOfMs?: number,
): SlaReport[] {
  return fleet.tenants
    .filter((t) => tenantId === undefined || t.id === tenantId)
    .map((tenant) =>
      computeReport({
        tenant,
        tier: fleet.tiers[tenant.tier] as Tier,
        cluster: fleet.clusters[tenant.cluster] as Cluster,
        month,
        tenantEvidence: index.tenant(tenant.id),
        clusterEvidence: index.cluster(tenant.cluster),
        ...(asOfMs !== undefined && { asOfMs }),
      }),
    );
}
