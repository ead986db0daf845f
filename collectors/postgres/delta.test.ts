import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counterDelta, storesReading, type CounterReading } from './delta';

const reading = (sampledAt: number, counters: Record<string, number>, over: Partial<CounterReading> = {}): CounterReading => ({
  identity: '16384',
  statsReset: null,
  sampledAt,
  counters,
  ...over,
});

describe('counterDelta', () => {
  it.each([
    ['first reading is the baseline', undefined, reading(1000, { a: 5 }), { kind: 'baseline' }],
    [
      'growing counters give their deltas',
      reading(1000, { a: 5, b: 7 }),
      reading(16000, { a: 9, b: 7 }),
      { kind: 'delta', deltas: { a: 4, b: 0 }, seconds: 15 },
    ],
    [
      'a negative delta drops the interval',
      reading(1000, { a: 5, b: 7 }),
      reading(16000, { a: 9, b: 2 }),
      { kind: 'reset', reason: 'negative' },
    ],
    [
      'a changed stats_reset drops the interval even when counters grew',
      reading(1000, { a: 5 }),
      reading(16000, { a: 50 }, { statsReset: 9000 }),
      { kind: 'reset', reason: 'stats_reset' },
    ],
    [
      'stats_reset set for the first time is a reset too',
      reading(1000, { a: 5 }, { statsReset: null }),
      reading(16000, { a: 6 }, { statsReset: 12000 }),
      { kind: 'reset', reason: 'stats_reset' },
    ],
    [
      'a database created again under the same name',
      reading(1000, { a: 5 }),
      reading(16000, { a: 6 }, { identity: '99999' }),
      { kind: 'reset', reason: 'identity' },
    ],
    ['a late or duplicated reading is stale', reading(16000, { a: 9 }), reading(16000, { a: 9 }), { kind: 'stale' }],
    ['an older reading is stale', reading(16000, { a: 9 }), reading(1000, { a: 5 }), { kind: 'stale' }],
    [
      'a column only in the new reading (upgrade to 14) has no delta yet',
      reading(1000, { a: 5 }),
      reading(16000, { a: 6, active_time_seconds: 30 }),
      { kind: 'delta', deltas: { a: 1 }, seconds: 15 },
    ],
    [
      'a column gone from the new reading stays absent',
      reading(1000, { a: 5, b: 1 }),
      reading(16000, { a: 6 }),
      { kind: 'delta', deltas: { a: 1 }, seconds: 15 },
    ],
  ])('%s', (_, previous, current, expected) => {
    expect(counterDelta(previous, current)).toEqual(expected);
  });

  it('keeps the stored reading only for a stale one', () => {
    expect(storesReading({ kind: 'stale' })).toBe(false);
    expect(storesReading({ kind: 'baseline' })).toBe(true);
    expect(storesReading({ kind: 'reset', reason: 'negative' })).toBe(true);
  });
});

describe('property: deltas over a series of readings with resets', () => {
  // A counter that grows by non-negative steps and is sometimes reset to a small value, as
  // pg_stat_reset() or a crash would do; some resets also change stats_reset.
  const step = fc.record({ grow: fc.nat(1_000_000), reset: fc.boolean(), marks: fc.boolean(), after: fc.nat(50) });
  it('never gives a negative or inflated delta, and the sum equals growth outside reset intervals', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        let value = 0;
        let statsReset: number | null = null;
        let previous: CounterReading | undefined;
        let summed = 0;
        let honest = 0;
        steps.forEach((s, i) => {
          const wasReset = s.reset;
          if (s.reset) {
            value = s.after;
            if (s.marks) statsReset = i;
          } else {
            value += s.grow;
          }
          const current = reading(i * 1000 + 1, { a: value }, { statsReset });
          const outcome = counterDelta(previous, current);
          if (outcome.kind === 'delta') {
            const d = outcome.deltas.a as number;
            expect(d).toBeGreaterThanOrEqual(0);
            // an unmarked reset to a value above the old one cannot be seen: then the delta is
            // at most the new value (never more than what was really counted since the reset)
            if (!wasReset) expect(d).toBe(s.grow);
            else expect(d).toBeLessThanOrEqual(value);
            summed += d;
          }
          if (previous && !wasReset) honest += s.grow;
          previous = current;
        });
        expect(summed).toBeGreaterThanOrEqual(honest);
        expect(summed).toBeLessThanOrEqual(honest + steps.reduce((m, s) => m + (s.reset ? s.after : 0), 0));
      }),
      { numRuns: 1000 },
    );
  });
});
