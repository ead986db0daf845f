import type { Tier } from '../../config/fleet-types';
import { classifyMinutes, countedMinutes, countStates, downtimeRule } from '../classify';
import { creditPercentFor } from '../credit';
import type { Evidence } from '../evidence';
import { percentOfMinor, ratioAtLeastPercent, truncatedPercent } from '../exact';
import { findIncidents } from '../incidents';
import type { MinuteEvidence } from '../minute-evidence';
import { monthRange, type MonthRange } from '../month';
import { rpoEvidence, rtoEvidence } from '../recovery';
import { REPORT_VERSION, type ReportExclusion, type SlaReport, type TenantMonth } from '../report';
import { coveredMinutes, declaredWindows, excludedMask, type ExclusionWindow } from '../windows';

/**
 * computeReport (services/sla/report.ts) over minute evidence that is already in typed arrays,
 * as the PostgreSQL path fills them. The engine builds those arrays from probe and request
 * lines inside computeReport; this copy takes them as given and must stay figure for figure
 * the same: `sla recompute` (bundle → computeReport) checks it byte for byte against stored
 * reports, and test/sla-recompute.test.ts compares both paths. A one-line split of
 * computeReport in the engine would let this file go (left to the engine's owner).
 */
export function computeReportFromMinutes(input: TenantMonth, ev: MinuteEvidence): SlaReport {
  const { tenant, tier, cluster } = input;
  const range = monthRange(input.month, tenant.timezone);
  const windows = exclusionWindows(input, range);
  const states = classifyMinutes(ev, excludedMask(range, windows), downtimeRule(tier));
  return reportOf(input, range, windows, states, ev);
}

/**
 * Classifies the minutes of `range` (a whole month, or the part of one that just closed, for
 * the SLI minute counter) with the same windows and rule as the report.
 */
export function classifyRange(input: TenantMonth, range: MonthRange, ev: MinuteEvidence): Uint8Array {
  return classifyMinutes(ev, excludedMask(range, exclusionWindows(input, range)), downtimeRule(input.tier));
}

function reportOf(input: TenantMonth, range: MonthRange, windows: ExclusionWindow[], states: Uint8Array, ev: MinuteEvidence): SlaReport {
  const { tenant, tier, cluster } = input;
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
    nodataPolicy: tier.nodata as Tier['nodata'],
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
    incidents: findIncidents(range, states, tier.nodata, ev, signals, cluster.id),
    exclusions: reportExclusions(range, windows),
    rpo: rpoEvidence(range, tier.rpoSeconds, signals),
    rto: rtoEvidence(range, tier.rtoSeconds, signals),
  };
}

function sparseEvidence(input: TenantMonth): Evidence[] {
  const out: Evidence[] = [];
  for (const list of [input.tenantEvidence, input.clusterEvidence]) {
    for (const e of list) if (e.kind !== 'probe' && e.kind !== 'requests') out.push(e);
  }
  return out;
}

export function exclusionWindows(input: TenantMonth, range: MonthRange): ExclusionWindow[] {
  const recorded = (items: readonly Evidence[], scope: ExclusionWindow['scope']): ExclusionWindow[] =>
    items.flatMap((e) =>
      e.kind === 'exclusion' && e.startMs < range.endMs && e.endMs > range.startMs
        ? [{ startMs: e.startMs, endMs: e.endMs, type: e.type, reason: e.reason, scope, origin: 'recorded' as const, ...(e.recordedBy !== undefined && { recordedBy: e.recordedBy }), ...(e.recordedAt !== undefined && { recordedAt: e.recordedAt }) }]
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
