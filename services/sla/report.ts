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
  /** Minutes of this month the window covers whole (overlaps with other windows included). */
  readonly minutes: number;
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
}

export interface TenantMonth {
  readonly tenant: Tenant;
  readonly tier: Tier;
  readonly cluster: Cluster;
  readonly month: string;
  /** Lines owned by the tenant, and by its cluster. */
  readonly tenantEvidence: readonly Evidence[];
  readonly clusterEvidence: readonly Evidence[];
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
export function reportFromMinutes(input: TenantMonth, minuteEvidence: MinuteEvidence): SlaReport {
  const { tenant, tier, cluster } = input;
  const range = monthRange(input.month, tenant.timezone);
  const windows = exclusionWindows(input, range);
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
    start: new Date(range.startMs).toISOString(),
    end: new Date(range.endMs).toISOString(),
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
    days: dailyCounts(range, states, tenant.timezone),
    incidents: findIncidents(range, states, tier.nodata, minuteEvidence, signals, cluster.id),
    exclusions: reportExclusions(range, windows),
    rpo: rpoEvidence(range, tier.rpoSeconds, signals),
    rto: rtoEvidence(range, tier.rtoSeconds, signals),
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

function reportExclusions(range: MonthRange, windows: readonly ExclusionWindow[]): ReportExclusion[] {
  return windows
    .map((w) => {
      const [first, end] = coveredMinutes(range, w);
      const { startMs, endMs, ...rest } = w;
      return { start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString(), ...rest, minutes: Math.max(0, end - first) };
    })
    .sort((a, b) => cmp(a.start, b.start) || cmp(a.end, b.end) || cmp(a.scope, b.scope) || cmp(a.reason, b.reason) || cmp(a.type, b.type));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Reports for every tenant of the fleet (or one), in fleet order. */
export function computeFleetReports(
  fleet: Pick<Fleet, 'tiers' | 'clusters' | 'tenants'>,
  month: string,
  index: EvidenceIndex,
  tenantId?: string,
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
      }),
    );
}
