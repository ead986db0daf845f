/**
 * Why a collector could not use a piece of input: the `reason` label of
 * tenantscope_collector_rejected_records_total (docs/metrics.md). A closed set, so the label
 * stays small; the log line of a rejection says which field and value.
 */
export const REJECT_REASONS = [
  /** Does not parse as the source's format (a line, a JSON item, an exposition sample). */
  'malformed',
  /** A line longer than the whole read limit, skipped so the tail cannot stall on it. */
  'too_long',
  /** Bytes that are not UTF-8. */
  'invalid_utf8',
  /** Text PostgreSQL cannot store: a NUL, or a lone UTF-16 surrogate. */
  'invalid_text',
  /** A number its column cannot hold: past int4 or int8, negative, fractional where a count is due, or past 1e7 seconds. */
  'number_out_of_range',
  /** A timestamp outside 1970–9999. */
  'time_out_of_range',
  /** A time before the month before now, or more than 5 minutes ahead of it (collectors/lib/accepted-range.ts). */
  'outside_accepted_range',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Rejected records of one run or one pushed batch, counted by reason. */
export class Rejections {
  private readonly counts = new Map<RejectReason, number>();

  /** `reasons`: counts to start from, such as a parser's count of malformed lines. */
  constructor(reasons: Partial<Record<RejectReason, number>> = {}) {
    for (const [reason, n] of Object.entries(reasons)) this.add(reason as RejectReason, n);
  }

  add(reason: RejectReason, n = 1): this {
    if (n > 0) this.counts.set(reason, (this.counts.get(reason) ?? 0) + n);
    return this;
  }

  addAll(other: Rejections): this {
    for (const [reason, n] of other.entries()) this.add(reason, n);
    return this;
  }

  get total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  /** Reasons with a count above 0, in the order of REJECT_REASONS. */
  entries(): [RejectReason, number][] {
    return REJECT_REASONS.filter((r) => this.counts.has(r)).map((r) => [r, this.counts.get(r)!]);
  }
}
