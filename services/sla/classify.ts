import type { NodataPolicy, Tier } from '../config/fleet-types';
import { prepareRatio, ratioAbove, type PreparedRatio } from './exact';
import type { MinuteEvidence } from './minute-evidence';

/** The state of one minute (docs/sla.md), as stored in a Uint8Array. */
export const GOOD = 0;
export const BAD = 1;
export const NODATA = 2;
export const EXCLUDED = 3;

export interface DowntimeRule {
  readonly minRequests: number;
  /** The tier's errorRatio as the decimal the fleet file wrote. */
  readonly errorRatio: PreparedRatio;
}

export function downtimeRule(tier: Tier): DowntimeRule {
  return { minRequests: tier.downtime.minRequests, errorRatio: prepareRatio(tier.downtime.errorRatio) };
}

export interface MinuteCounts {
  total: number;
  excluded: number;
  good: number;
  bad: number;
  nodata: number;
}

/**
 * Classifies every minute. Probe evidence and request evidence each decide alone:
 * - probes ran and all failed → bad (one failed probe of two is not);
 * - requests ≥ minRequests and serverErrors / total > errorRatio → bad (exactly 5 % is not);
 * - otherwise any evidence (a probe, or requests ≥ minRequests) → good; none → nodata.
 * Requests come from the ingress where it reported the minute, else from Odoo's logs.
 */
export function classifyMinutes(ev: MinuteEvidence, excluded: Uint8Array, rule: DowntimeRule): Uint8Array {
  const n = excluded.length;
  const states = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (excluded[i] === 1) {
      states[i] = EXCLUDED;
      continue;
    }
    const ok = ev.probesOk[i]!;
    const failed = ev.probesFailed[i]!;
    const fromIngress = ev.hasIngress[i] === 1;
    const total = fromIngress ? ev.ingressTotal[i]! : ev.odooTotal[i]!;
    const errors = fromIngress ? ev.ingressErrors[i]! : ev.odooErrors[i]!;
    const probeEvidence = ok + failed > 0;
    const requestEvidence = total >= rule.minRequests;
    if ((probeEvidence && ok === 0) || (requestEvidence && ratioAbove(errors, total, rule.errorRatio))) states[i] = BAD;
    else states[i] = probeEvidence || requestEvidence ? GOOD : NODATA;
  }
  return states;
}

export function countStates(states: Uint8Array): MinuteCounts {
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < states.length; i++) counts[states[i]!]! += 1;
  return { total: states.length, good: counts[GOOD]!, bad: counts[BAD]!, nodata: counts[NODATA]!, excluded: counts[EXCLUDED]! };
}

/** Good and bad minutes after the tier's nodata policy: the two terms of availability. */
export function countedMinutes(counts: MinuteCounts, policy: NodataPolicy): { good: number; bad: number } {
  return {
    good: counts.good + (policy === 'good' ? counts.nodata : 0),
    bad: counts.bad + (policy === 'bad' ? counts.nodata : 0),
  };
}

/** Whether minute `i` counts as downtime under the policy (incidents follow exactly this). */
export function countsAsBad(state: number, policy: NodataPolicy): boolean {
  return state === BAD || (state === NODATA && policy === 'bad');
}
