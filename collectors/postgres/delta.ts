/**
 * Deltas of cumulative counters between two readings of the same statistics row
 * (pg_stat_database per datname, the checkpointer), with reset detection: an interval in which
 * the counters were reset is dropped whole, never reported as a negative or inflated value.
 */

export interface CounterReading {
  /** What the row belongs to (datid): a database dropped and created again is another one. */
  identity: string;
  /** stats_reset, ms; null when never reset. */
  statsReset: number | null;
  /** When it was read, ms. */
  sampledAt: number;
  counters: Readonly<Record<string, number>>;
}

export type DeltaOutcome =
  /** No earlier reading: this one is the baseline. */
  | { kind: 'baseline' }
  /** Not newer than the stored reading (a late or duplicated run): ignore it, keep the stored one. */
  | { kind: 'stale' }
  /** The counters restarted in this interval: the interval is dropped, this reading is the new baseline. */
  | { kind: 'reset'; reason: 'stats_reset' | 'negative' | 'identity' }
  | { kind: 'delta'; deltas: Record<string, number>; seconds: number };

/**
 * Compares a reading with the previous one. Only counters present in both have a delta (a
 * column a version lacks stays absent). Any counter going down means a reset that stats_reset
 * did not show (a crash discards the statistics): the whole interval is dropped.
 */
export function counterDelta(previous: CounterReading | undefined, current: CounterReading): DeltaOutcome {
  if (!previous) return { kind: 'baseline' };
  if (current.sampledAt <= previous.sampledAt) return { kind: 'stale' };
  if (current.identity !== previous.identity) return { kind: 'reset', reason: 'identity' };
  if (current.statsReset !== previous.statsReset) return { kind: 'reset', reason: 'stats_reset' };
  const deltas: Record<string, number> = {};
  for (const [name, value] of Object.entries(current.counters)) {
    const before = previous.counters[name];
    if (before === undefined) continue;
    const delta = value - before;
    if (delta < 0) return { kind: 'reset', reason: 'negative' };
    deltas[name] = delta;
  }
  return { kind: 'delta', deltas, seconds: (current.sampledAt - previous.sampledAt) / 1000 };
}

/** Whether the outcome replaces the stored reading with the current one. */
export function storesReading(outcome: DeltaOutcome): boolean {
  return outcome.kind !== 'stale';
}
