/**
 * The times evidence may carry when it arrives: from the start of the month before now (late lines
 * of last month still count until its report is frozen) to five minutes ahead (clocks drift a
 * little). A line from 1990 or 2039 is not evidence of this service: rejected and counted
 * (`outside_accepted_range`), and no partition is made for its month.
 */
export interface AcceptedRange {
  /** Earliest accepted time, Unix ms. */
  readonly fromMs: number;
  /** Latest accepted time, Unix ms (inclusive). */
  readonly toMs: number;
}

/** How far ahead of the clock a line may be stamped. */
export const AHEAD_MS = 5 * 60_000;
// A month starts first at UTC+14 (Pacific/Kiritimati): 14 h before its UTC start.
const EARLIEST_ZONE_MS = 14 * 3_600_000;

export function acceptedRange(nowMs: number): AcceptedRange {
  const now = new Date(nowMs);
  const previousMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
  return { fromMs: previousMonth - EARLIEST_ZONE_MS, toMs: nowMs + AHEAD_MS };
}

export function isAccepted(range: AcceptedRange, ms: number): boolean {
  return ms >= range.fromMs && ms <= range.toMs;
}
