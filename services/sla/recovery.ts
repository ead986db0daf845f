import type { Evidence } from './evidence';
import type { MonthRange } from '../core/month';

/**
 * RPO evidence over the month. Each minute is measured at its start instant m: exposure is
 * m − the newest recoverable point among the recovery-point lines observed at or before m
 * (lines from before the month count: they are what was known when it began). A minute before
 * any such line has no exposure, and is counted as without evidence, never as 0.
 */
export interface RpoEvidence {
  readonly targetSeconds: number;
  readonly minutesWithEvidence: number;
  readonly minutesWithoutEvidence: number;
  /** Exposure ≤ target (at exactly the RPO nothing more was lost than promised). */
  readonly minutesWithinTarget: number;
  /** minutesWithinTarget / minutesWithEvidence × 100; null without evidence. */
  readonly withinPercent: number | null;
  readonly worstExposureSeconds: number | null;
  /** The start of the first minute with the worst exposure. */
  readonly worstAt: string | null;
}

export interface RtoEvidence {
  readonly targetSeconds: number;
  /** The last restore test finished before the month ended (it may be older than the month); null when none is known. */
  readonly lastTest: { readonly at: string; readonly ok: boolean; readonly durationSeconds: number; readonly withinTarget: boolean } | null;
}

type RecoveryPoint = Extract<Evidence, { kind: 'recovery-point' }>;
type RestoreTest = Extract<Evidence, { kind: 'restore-test' }>;

export function rpoEvidence(range: MonthRange, rpoSeconds: number, items: readonly Evidence[]): RpoEvidence {
  const points = items.filter((e): e is RecoveryPoint => e.kind === 'recovery-point').sort((a, b) => a.tsMs - b.tsMs);
  const targetMs = rpoSeconds * 1000;
  let next = 0;
  let newest = -Infinity;
  let withEvidence = 0;
  let within = 0;
  let worstMs = -1;
  let worstAt = -1;
  for (let i = 0, m = range.startMs; i < range.minutes; i++, m += 60_000) {
    while (next < points.length && points[next]!.tsMs <= m) newest = Math.max(newest, points[next++]!.pointMs);
    if (newest === -Infinity) continue;
    const exposure = m - newest;
    withEvidence++;
    if (exposure <= targetMs) within++;
    if (exposure > worstMs) {
      worstMs = exposure;
      worstAt = m;
    }
  }
  return {
    targetSeconds: rpoSeconds,
    minutesWithEvidence: withEvidence,
    minutesWithoutEvidence: range.minutes - withEvidence,
    minutesWithinTarget: within,
    withinPercent: withEvidence === 0 ? null : (within / withEvidence) * 100,
    worstExposureSeconds: withEvidence === 0 ? null : worstMs / 1000,
    worstAt: withEvidence === 0 ? null : new Date(worstAt).toISOString(),
  };
}

/**
 * Of two tests finished at the same instant, the failed one, else the slower one: the report
 * never hides a failure behind a success, and the choice does not depend on line order.
 */
function worse(a: RestoreTest, b: RestoreTest): boolean {
  return a.ok !== b.ok ? !a.ok : a.durationSeconds > b.durationSeconds;
}

export function rtoEvidence(range: MonthRange, rtoSeconds: number, items: readonly Evidence[]): RtoEvidence {
  let last: RestoreTest | undefined;
  for (const e of items) {
    if (e.kind !== 'restore-test' || e.tsMs >= range.endMs) continue;
    if (!last || e.tsMs > last.tsMs || (e.tsMs === last.tsMs && worse(e, last))) last = e;
  }
  if (!last) return { targetSeconds: rtoSeconds, lastTest: null };
  return {
    targetSeconds: rtoSeconds,
    lastTest: {
      at: new Date(last.tsMs).toISOString(),
      ok: last.ok,
      durationSeconds: last.durationSeconds,
      withinTarget: last.ok && last.durationSeconds <= rtoSeconds,
    },
  };
}
