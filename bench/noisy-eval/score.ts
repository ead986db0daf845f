import type { RunResult } from './evaluate';

/** The evaluation's metrics over a set of runs. */
export interface Metrics {
  runs: number;
  truths: number;
  /** Injections that hurt nobody (no tenant ≥ 1.5× slower or +2 points of errors): not counted in recall. */
  harmless: number;
  incidents: number;
  precision: number | null;
  recall: number | null;
  top1: number | null;
  top3: number | null;
  victimF1: number | null;
  delayMedian: number | null;
  delayP95: number | null;
  clearMedian: number | null;
  clearP95: number | null;
  reopenRate: number | null;
  antagonistIncidents: number;
  falseIncidents: number;
  falsePer100TenantDays: number;
}

function quantile(xs: number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] as number;
}
const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export function score(runs: RunResult[]): Metrics {
  const truths = runs.flatMap((r) => r.truths);
  const counted = truths.filter((t) => t.victims.length > 0);
  const matched = counted.filter((t) => t.matched);
  const incidents = runs.flatMap((r) => r.incidents);
  const falseOnes = incidents.filter((i) => !i.matched && !i.allowed);
  const tenantDays = runs.reduce((sum, r) => sum + (r.tenants * r.minutes) / 1440, 0);
  const delays = matched.map((t) => t.delayMinutes as number);
  const clears = matched.map((t) => t.clearMinutes as number);
  return {
    runs: runs.length,
    truths: counted.length,
    harmless: truths.length - counted.length,
    incidents: incidents.length,
    precision: truths.length ? ratio(incidents.filter((i) => i.matched).length, incidents.filter((i) => !i.allowed).length) : null,
    recall: ratio(matched.length, counted.length),
    top1: ratio(counted.filter((t) => t.top1).length, counted.length),
    top3: ratio(counted.filter((t) => t.top3).length, counted.length),
    victimF1: mean(matched.map((t) => t.victimF1 as number)),
    delayMedian: quantile(delays, 0.5),
    delayP95: quantile(delays, 0.95),
    clearMedian: quantile(clears, 0.5),
    clearP95: quantile(clears, 0.95),
    reopenRate: ratio(matched.filter((t) => t.reopened).length, matched.length),
    antagonistIncidents: incidents.filter((i) => i.kind === 'neighbour').length,
    falseIncidents: falseOnes.length,
    falsePer100TenantDays: tenantDays > 0 ? (100 * falseOnes.length) / tenantDays : 0,
  };
}
