import { ready, robustZ } from './detector-baseline';
import type { DetectorConfig } from '../config/noisy-thresholds';
import type { RecentMinute, TenantState } from './detector-tenant';
import type { Resource } from './detector-types';

/**
 * The antagonist rules for one resource whose gate is open: share rise, dominance, the CPI2 vote,
 * precedence, the flat-usage exclusion, and blame.
 */

export interface Suspect {
  tenant: string;
  blame: number;
  corr: number;
  share: number;
  baseline: number;
  /** Victims whose own vote for this suspect passes the threshold: the ones it explains. */
  explains: string[];
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The start of the victim's current run of z ≥ corrVictimZ (null when it is not in one). */
function victimOnset(recent: RecentMinute[], zMin: number): number | null {
  let onset: number | null = null;
  for (let i = recent.length - 1; i >= 0; i--) {
    const row = recent[i] as RecentMinute;
    if (row.z === null || row.z < zMin) break;
    onset = row.minute;
  }
  return onset;
}

/**
 * When the victims' trouble began: the median of their onsets, not the first victim's onset:
 * with dozens of victims one of them is at z ≥ 2 by chance a minute early
 * (about 2 % of minutes each), which would fail every true antagonist on precedence.
 */
function victimsOnset(onsets: number[]): number | null {
  if (onsets.length === 0) return null;
  const sorted = [...onsets].sort((a, b) => a - b);
  return sorted[(sorted.length - 1) >> 1] as number;
}

/** The first minute from which the suspect's share stayed above half its current excess. */
function riseStart(recent: RecentMinute[], r: Resource, base: number, now: number): number | null {
  const level = base + (now - base) / 2;
  let start: number | null = null;
  for (let i = recent.length - 1; i >= 0; i--) {
    const row = recent[i] as RecentMinute;
    const s = row.share[r];
    if (s === undefined) continue;
    if (s < level) return start;
    start = row.minute;
  }
  // High over all we remember: it rose before that.
  return start === null ? null : -Infinity;
}

/**
 * CPI2's usage-weighted sign vote: Σ_t (u_k(t)/Σ u_k) · sign(z_v(t) − 2). Minutes where the
 * victim was not judged vote nothing.
 */
function vote(suspect: RecentMinute[], victim: RecentMinute[], r: Resource, zMin: number): number {
  const byMinute = new Map(victim.map((row) => [row.minute, row.z]));
  let total = 0;
  let score = 0;
  for (const row of suspect) {
    const u = row.usage[r] ?? 0;
    total += u;
    const z = byMinute.get(row.minute);
    if (z === null || z === undefined) continue;
    score += u * Math.sign(z - zMin);
  }
  return total > 0 ? score / total : 0;
}

/** Resources used by the second, not by the unit of work: a slowed tenant uses more of them. */
const TIME_HELD: ReadonlySet<Resource> = new Set<Resource>(['odoo_workers', 'odoo_cron', 'pg_cpu', 'pg_conn', 'pg_locks']);

/**
 * The tenant's own demand on r jumped. With `deflate`, usage of a time-held resource is first
 * divided by the tenant's own slow index: a slowed tenant holds workers and connections longer
 * for the same work, and only a rise beyond that is more work.
 */
function demandJumped(t: TenantState | undefined, r: Resource, config: DetectorConfig, deflate = false): boolean {
  const base = t?.usage[r];
  const last = t?.recent.at(-1);
  const u = last?.usage[r];
  if (!base || !ready(base, config.victim.minBaselinePoints) || u === undefined || u <= 0) return false;
  const slow = deflate && TIME_HELD.has(r) ? Math.max(1, last?.slowIndex ?? 1) : 1;
  return robustZ(Math.log(u / slow), base, Math.log(1 + config.victim.madFloorFraction)) >= config.victim.selfDemandZ;
}

export function findSuspects(
  r: Resource,
  tenants: Record<string, TenantState>,
  victims: string[],
  activeCount: number,
  config: DetectorConfig,
  /**
   * Set when an open incident already explains the victims' onset (see the detector): precedence
   * is judged against `onset` instead, victims slowed by that incident are judged by the work
   * they do, and with `seenRise` a suspect must be seen rising (one already high over all the
   * detector remembers cannot be shown to have risen in time).
   */
  explained: { onset: number; seenRise: boolean } | null = null,
): Suspect[] {
  const a = config.antagonist;
  const minPoints = config.victim.minBaselinePoints;
  const logFloor = Math.log(1 + config.victim.madFloorFraction);
  // A victim is no suspect (PinSQL: what correlates with the symptom is often a victim) unless
  // its own demand on r jumped: an antagonist's own requests slow down too.
  // While another incident explains the onset, a victim slowed by that one holds workers and
  // connections longer: only more work than its slowness explains makes it a suspect.
  const victimSet = new Set(victims.filter((v) => !demandJumped(tenants[v], r, config, explained !== null)));
  const onsets = victims.map((v) => victimOnset(tenants[v]?.recent ?? [], a.corrVictimZ)).filter((m): m is number => m !== null);
  const firstOnset = explained?.onset ?? victimsOnset(onsets);
  const dominance = Math.max(a.dominanceMin, a.dominanceTenants / Math.max(1, activeCount));
  const suspects: Suspect[] = [];
  for (const [id, t] of Object.entries(tenants)) {
    if (victimSet.has(id)) continue;
    const shareBase = t.share[r];
    const usageBase = t.usage[r];
    if (!shareBase || !ready(shareBase, minPoints)) continue;
    const window = t.recent.slice(-a.windowMinutes);
    const last = window[window.length - 1];
    const now = last?.share[r];
    if (now === undefined || now < dominance) continue;
    const shares = window.map((row) => row.share[r]).filter((s): s is number => s !== undefined);
    const s10 = mean(shares);
    const base = shareBase.median;
    const shareZ = robustZ(now, shareBase, Math.max(config.victim.madFloorFraction * base, 1e-3));
    const rise = (s10 >= base + a.shareRise && s10 >= a.shareFactor * base) || shareZ >= a.shareZ;
    if (!rise) continue;
    // Big but steady is not noisy: its own usage must have left its baseline.
    const usages = window.map((row) => row.usage[r]).filter((u): u is number => u !== undefined && u > 0);
    if (usageBase && ready(usageBase, minPoints) && usages.length) {
      const usageZ = robustZ(Math.log(mean(usages)), usageBase, logFloor);
      if (usageZ < a.corrVictimZ) continue;
    }
    const start = riseStart(t.recent, r, base, now);
    if (firstOnset !== null && (start === null || start > firstOnset + a.precedenceMinutes * 60_000)) continue;
    if (explained?.seenRise && start === -Infinity) continue;
    let weight = 0;
    let corr = 0;
    const explains: string[] = [];
    for (const v of victims) {
      const vt = tenants[v];
      if (!vt) continue;
      const c = vote(window, vt.recent.slice(-a.windowMinutes), r, a.corrVictimZ);
      const w = Math.max(1, vt.recent[vt.recent.length - 1]?.requests ?? 1);
      corr += c * w;
      weight += w;
      if (c >= a.corr) explains.push(v);
    }
    corr = weight > 0 ? corr / weight : 0;
    if (corr < a.corr) continue;
    suspects.push({ tenant: id, blame: (s10 - base) * corr, corr, share: now, baseline: base, explains });
  }
  suspects.sort((x, y) => y.blame - x.blame || x.tenant.localeCompare(y.tenant));
  const top = suspects[0];
  if (!top || top.blame <= 0) return [];
  return suspects.filter((s) => s.blame >= a.blameFraction * top.blame);
}
