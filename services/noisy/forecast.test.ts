import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysUntil, fitLine } from './forecast';

describe('least-squares forecast', () => {
  it('finds an exact line with no spread', () => {
    const fit = fitLine([0, 1, 2, 3, 4].map((d) => [d, 1000 + 50 * d] as const))!;
    expect(fit.slope).toBeCloseTo(50, 9);
    expect(fit.intercept).toBeCloseTo(1000, 9);
    expect(fit.residualSd).toBeCloseTo(0, 9);
    expect(daysUntil(fit, 4, 1500)).toEqual({ estimate: 6, earliest: 6, latest: 6 });
  });

  it('gives the spread of noisy points and a range around the days left', () => {
    // 100 a day with ±20 alternating: the slope is 100 − 100/82.5 (the noise leans on the line), the spread about 21
    const fit = fitLine(Array.from({ length: 10 }, (_, d) => [d, 100 * d + (d % 2 === 0 ? 20 : -20)] as const))!;
    expect(fit.slope).toBeCloseTo(100 - 100 / 82.5, 9);
    expect(fit.residualSd).toBeGreaterThan(15);
    const days = daysUntil(fit, 9, 2000);
    expect(days.earliest!).toBeLessThan(days.estimate!);
    expect(days.latest!).toBeGreaterThan(days.estimate!);
  });

  it('refuses fewer than three points or one day only, and says a shrinking size never reaches the limit', () => {
    expect(
      fitLine([
        [0, 1],
        [1, 2],
      ]),
    ).toBeUndefined();
    expect(
      fitLine([
        [3, 1],
        [3, 2],
        [3, 4],
      ]),
    ).toBeUndefined();
    const shrinking = fitLine([0, 1, 2, 3].map((d) => [d, 1000 - 10 * d] as const))!;
    expect(daysUntil(shrinking, 3, 5000)).toEqual({ estimate: null, earliest: null, latest: null });
    expect(daysUntil(shrinking, 3, 500).estimate).toBe(0);
  });

  it('recovers any line it is given', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e6, max: 1e6 }),
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 3, max: 40 }),
        (slope, base, n) => {
          const fit = fitLine(Array.from({ length: n }, (_, d) => [d, base + slope * d] as const))!;
          expect(fit.slope).toBeCloseTo(slope, 3);
          expect(fit.n).toBe(n);
        },
      ),
    );
  });
});
