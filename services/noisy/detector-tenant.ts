import { addPoint, emptyBaseline, ready, refresh, robustZ, type Baseline } from './detector-baseline';
import type { DetectorConfig } from '../config/noisy-thresholds';
import { RESOURCES, type Resource, type TenantMinute } from './detector-types';

/**
 * One tenant's side of the detector (victims): its own trailing baselines, its robust z per minute, the
 * outlier test, and the self-inflicted test. All state is plain JSON.
 */

/** What the detector remembers of one tenant-minute for the windows (persistence, correlation). */
export interface RecentMinute {
  minute: number;
  requests: number;
  /** Victim z: the larger of the latency z and the error-ratio z; null when not judged. */
  z: number | null;
  /** Latency over the baseline median (CPI2's slow index); absent when not judged. */
  slowIndex?: number;
  outlier: boolean;
  selfInflicted: boolean;
  usage: Partial<Record<Resource, number>>;
  /** Share of the cluster total; absent when that minute's shares were not valid. */
  share: Partial<Record<Resource, number>>;
}

/** A minute waiting to join the baselines (see victim.baselineLagMinutes). */
interface PendingPoint {
  minute: number;
  outlier: boolean;
  latency?: number;
  errors?: number;
  requests?: number;
  usage: Partial<Record<Resource, number>>;
  share: Partial<Record<Resource, number>>;
}

export interface TenantState {
  latency: Baseline;
  errors: Baseline;
  requests: Baseline;
  usage: Partial<Record<Resource, Baseline>>;
  share: Partial<Record<Resource, Baseline>>;
  recent: RecentMinute[];
  pending: PendingPoint[];
}

export function emptyTenant(): TenantState {
  return { latency: emptyBaseline(), errors: emptyBaseline(), requests: emptyBaseline(), usage: {}, share: {}, recent: [], pending: [] };
}

/** The MAD floor of a log-scale series: 5 % of the median on the raw scale is ln(1.05) in logs. */
function logFloor(config: DetectorConfig): number {
  return Math.log(1 + config.victim.madFloorFraction);
}

/** The error-ratio MAD floor that makes an excess of exactly minErrorExcess score z = victim.z. */
function errorFloor(config: DetectorConfig): number {
  return (0.6745 * config.victim.minErrorExcess) / config.victim.z;
}

const finite = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);

/** Judges one tenant-minute against the baselines as they stand (before this minute joins them). */
export function judgeMinute(
  tenant: TenantState,
  input: TenantMinute | undefined,
  shares: Partial<Record<Resource, number>>,
  minute: number,
  config: DetectorConfig,
): RecentMinute {
  const v = config.victim;
  const requests = finite(input?.requests) ? input.requests : 0;
  const usage: Partial<Record<Resource, number>> = {};
  for (const r of RESOURCES) {
    const u = input?.usage[r];
    if (finite(u) && u >= 0) usage[r] = u;
  }
  const row: RecentMinute = { minute, requests, z: null, outlier: false, selfInflicted: false, usage, share: shares };
  if (requests < v.minRequests) return row;

  const latency = input?.latencySeconds;
  let latencyZ: number | null = null;
  let latencyOutlier = false;
  let slowIndex = NaN;
  if (finite(latency) && latency > 0 && ready(tenant.latency, v.minBaselinePoints)) {
    const x = Math.log(latency);
    latencyZ = robustZ(x, tenant.latency, logFloor(config));
    slowIndex = Math.exp(x - tenant.latency.median);
    row.slowIndex = slowIndex;
    const base = Math.exp(tenant.latency.median);
    latencyOutlier = latencyZ >= v.z && slowIndex >= v.ratio && latency - base >= v.minExcessSeconds;
  }
  const err = input?.errorRatio;
  let errorZ: number | null = null;
  let errorOutlier = false;
  // One failed request of a small tenant is 4 %: judge errors only from a few failures up.
  if (finite(err) && err * requests >= v.minErrorCount && ready(tenant.errors, v.minBaselinePoints)) {
    errorZ = robustZ(err, tenant.errors, errorFloor(config));
    errorOutlier = errorZ >= v.z && err - tenant.errors.median >= v.minErrorExcess;
  }
  if (latencyZ === null && errorZ === null) return row;
  row.z = Math.max(latencyZ ?? -Infinity, errorZ ?? -Infinity);
  row.outlier = latencyOutlier || errorOutlier;
  // Slow only because it does more work: its own demand jumped while latency per request held.
  if (row.outlier && (Number.isNaN(slowIndex) || slowIndex < v.selfSlowIndex)) {
    row.selfInflicted = ownDemandZ(tenant, requests, usage, config) >= v.selfDemandZ;
  }
  return row;
}

/** The largest robust z of the tenant's own demand (requests and each resource), on logs. */
export function ownDemandZ(
  tenant: TenantState,
  requests: number,
  usage: Partial<Record<Resource, number>>,
  config: DetectorConfig,
): number {
  const minPoints = config.victim.minBaselinePoints;
  let best = -Infinity;
  if (requests > 0 && ready(tenant.requests, minPoints)) best = robustZ(Math.log(requests), tenant.requests, logFloor(config));
  for (const r of RESOURCES) {
    const u = usage[r];
    const b = tenant.usage[r];
    if (u !== undefined && u > 0 && b && ready(b, minPoints)) best = Math.max(best, robustZ(Math.log(u), b, logFloor(config)));
  }
  return best;
}

/** Remembers the minute in the windows and queues it for the baselines. */
export function remember(tenant: TenantState, row: RecentMinute, input: TenantMinute | undefined, config: DetectorConfig): void {
  // Twice the correlation window, so precedence can still order a rise and an onset that both
  // began before the window now being correlated.
  const keep = Math.max(2 * config.antagonist.windowMinutes, config.victim.persistenceN, config.lifecycle.closeShareMinutes) + 1;
  tenant.recent.push(row);
  if (tenant.recent.length > keep) tenant.recent.splice(0, tenant.recent.length - keep);
  const point: PendingPoint = { minute: row.minute, outlier: row.outlier, usage: {}, share: row.share };
  if (row.requests >= config.victim.minRequests) {
    if (finite(input?.latencySeconds) && input.latencySeconds > 0) point.latency = Math.log(input.latencySeconds);
    if (finite(input?.errorRatio)) point.errors = input.errorRatio;
  }
  if (row.requests > 0) point.requests = Math.log(row.requests);
  for (const [r, u] of Object.entries(row.usage) as [Resource, number][]) if (u > 0) point.usage[r] = Math.log(u);
  tenant.pending.push(point);
}

/**
 * Moves pending minutes older than the lag into the baselines, skipping the tenant's own outlier
 * minutes and any minute an incident covered: a baseline is never learned from incident minutes.
 */
export function commitBaselines(tenant: TenantState, minute: number, excluded: (m: number) => boolean, config: DetectorConfig): void {
  const v = config.victim;
  const lagMs = v.baselineLagMinutes * 60_000;
  let i = 0;
  for (; i < tenant.pending.length; i++) {
    const p = tenant.pending[i] as PendingPoint;
    if (p.minute > minute - lagMs) break;
    if (p.outlier || excluded(p.minute)) continue;
    if (p.latency !== undefined) addPoint(tenant.latency, p.latency, v.baselineMinutes);
    if (p.errors !== undefined) addPoint(tenant.errors, p.errors, v.baselineMinutes);
    if (p.requests !== undefined) addPoint(tenant.requests, p.requests, v.baselineMinutes);
    for (const [r, x] of Object.entries(p.usage) as [Resource, number][])
      addPoint((tenant.usage[r] ??= emptyBaseline()), x, v.baselineMinutes);
    for (const [r, x] of Object.entries(p.share) as [Resource, number][])
      addPoint((tenant.share[r] ??= emptyBaseline()), x, v.baselineMinutes);
  }
  if (i > 0) tenant.pending.splice(0, i);
  const refreshMs = v.baselineRefreshMinutes * 60_000;
  for (const b of [tenant.latency, tenant.errors, tenant.requests, ...Object.values(tenant.usage), ...Object.values(tenant.share)]) {
    if (b) refresh(b, minute, refreshMs, v.minBaselinePoints);
  }
}

/** Victim (or self-inflicted) when the minute kind holds in ≥ K of the last N evaluations. */
export function persistent(tenant: TenantState, config: DetectorConfig, kind: 'victim' | 'self'): boolean {
  const { persistenceK, persistenceN } = config.victim;
  const last = tenant.recent.slice(-persistenceN);
  const hits = last.filter((r) => r.outlier && (kind === 'self' ? r.selfInflicted : !r.selfInflicted)).length;
  return hits >= persistenceK;
}
