import { describe, expect, it } from 'vitest';
import { decimalOf, percentOfMinor, ratioAtLeastPercent, truncatedPercent } from './exact';
import { minutesFrom, probe, reportsFor, slaFleet } from '../../test/helpers/sla-fleet';

/** April 2026 in UTC: 30 days, 43,200 minutes; gaps count as good so only the bad minutes are given. */
function april(badMinutes: number, options: Parameters<typeof slaFleet>[0] = {}) {
  const fleet = slaFleet({ zone: 'UTC', nodata: 'good', ...options });
  return reportsFor(
    fleet,
    '2026-04',
    minutesFrom('2026-04-10T00:00:00Z', badMinutes).map((m) => probe(m, false)),
  ).a!;
}

describe('availability against the target, exactly', () => {
  it('99.9 % of 43,200 minutes: 43 bad minutes meet it, 44 do not', () => {
    expect(april(43)).toMatchObject({ targetMet: true, creditPercent: 0, creditMinor: '0' });
    const missed = april(44);
    expect(missed).toMatchObject({ targetMet: false, creditPercent: 10, creditMinor: '10000' });
    expect(missed.availabilityPercent).toBe((43_156 / 43_200) * 100);
    expect(missed.availabilityDisplay).toBe('99.89');
  });

  it('availability exactly at the target meets it (no float error: 0.999 × 100 is 99.9 only in decimals)', () => {
    expect(ratioAtLeastPercent(999, 1000, 99.9)).toBe(true);
    expect(ratioAtLeastPercent(998, 1000, 99.9)).toBe(false);
    expect(ratioAtLeastPercent(9995, 10_000, 99.95)).toBe(true);
    expect(ratioAtLeastPercent(99_999_999, 100_000_000, 99.999999)).toBe(true);
  });

  it('the display is truncated, never rounded up', () => {
    expect(truncatedPercent(999_999, 1_000_000)).toBe('99.99');
    expect(truncatedPercent(2, 3)).toBe('66.66');
    expect(truncatedPercent(1, 1)).toBe('100.00');
    expect(truncatedPercent(1, 10_001)).toBe('0.00');
  });

  it('a month without a measured minute is not measurable: null availability and target, no credit', () => {
    const r = reportsFor(slaFleet(), '2026-03', []).a!;
    expect(r).toMatchObject({
      measurable: false,
      availabilityPercent: null,
      availabilityDisplay: null,
      targetMet: null,
      creditPercent: 0,
      creditMinor: '0',
      coveragePercent: 0,
      coverageLow: true,
    });
  });
});

describe('service credit', () => {
  it('takes the largest percentage whose threshold the availability is below', () => {
    // 500 bad of 43,200 = 98.84 %: below 99.9 (10) and 99.0 (25), not below 95.0.
    expect(april(500)).toMatchObject({ creditPercent: 25, creditMinor: '25000' });
    // 2,200 bad = 94.9 %: 100 %.
    expect(april(2200)).toMatchObject({ creditPercent: 100, creditMinor: '100000' });
  });

  it('is capped by the tier cap', () => {
    expect(april(2200, { cap: 50 })).toMatchObject({ creditPercent: 50, creditMinor: '50000' });
  });

  it('is an integer of minor units, rounded half away from zero: 10 % of 999.99 EUR is 10000, of 1000 JPY is 100', () => {
    expect(percentOfMinor(99_999n, 10)).toBe(10_000n);
    expect(percentOfMinor(1000n, 10)).toBe(100n);
    expect(percentOfMinor(5n, 10)).toBe(1n); // 0.5 → 1
    expect(percentOfMinor(4n, 10)).toBe(0n); // 0.4 → 0
    expect(percentOfMinor(-5n, 10)).toBe(-1n);
    expect(percentOfMinor(1n, 12.5)).toBe(0n);
    expect(percentOfMinor(4n, 12.5)).toBe(1n); // 0.5 → 1
    expect(percentOfMinor(10n ** 30n, 25)).toBe(25n * 10n ** 28n); // beyond 2^53 stays exact
    expect(april(44, { fee: ['999.99', 'EUR'] })).toMatchObject({ creditMinor: '10000', currency: 'EUR', currencyDigits: 2 });
    expect(april(44, { fee: ['1000', 'JPY'] })).toMatchObject({ creditMinor: '100', currency: 'JPY', currencyDigits: 0 });
  });

  it('reads fleet-file numbers as the decimals they were written as', () => {
    expect(decimalOf(99.9)).toEqual({ units: 999n, scale: 1 });
    expect(decimalOf(0.05)).toEqual({ units: 5n, scale: 2 });
    expect(decimalOf(1e-7)).toEqual({ units: 1n, scale: 7 });
    expect(decimalOf(100)).toEqual({ units: 100n, scale: 0 });
    expect(decimalOf(1e21)).toEqual({ units: 10n ** 21n, scale: 0 });
  });
});
