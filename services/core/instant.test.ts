import { describe, expect, it } from 'vitest';
import { parseInstant } from './instant';
import { isMonth } from './month';

describe('parseInstant', () => {
  it.each([
    ['2026-03-10T22:00:00Z', Date.UTC(2026, 2, 10, 22)],
    ['2026-03-10T22:00Z', Date.UTC(2026, 2, 10, 22)],
    ['2026-03-10T23:30:00.123456789+01:00', Date.UTC(2026, 2, 10, 22, 30, 0, 123)],
    ['2024-02-29T00:00:00-05:00', Date.UTC(2024, 1, 29, 5)],
    ['1970-01-01T00:00:00Z', 0],
    ['9999-12-31T23:59:59Z', Date.UTC(9999, 11, 31, 23, 59, 59)],
  ])('takes %s', (text, ms) => expect(parseInstant(text)).toBe(ms));

  it.each([
    '2026-02-30T00:00:00Z', // no such day: refused, not rolled over to March 2
    '2025-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-03-01T24:00:00Z',
    '2026-03-01T23:60:00Z',
    '2026-03-01T23:59:60Z',
    '2026-13-01T00:00:00Z',
    '2026-00-01T00:00:00Z',
    '2026-03-01T00:00:00+24:00',
    '2026-03-01T00:00:00', // no zone
    '1969-12-31T23:59:59Z',
    '1970-01-01T00:30:00+01:00', // 1969 in UTC
    '0000-01-01T00:00:00Z',
    '-271821-04-20T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '2026-03-10T22:00:00Z\u0000',
    '1e+26',
  ])('refuses %j', (text) => expect(parseInstant(text)).toBeUndefined());
});

describe('isMonth', () => {
  it('takes 1970-01 to 9999-12 only', () => {
    expect(['1970-01', '2026-03', '9999-12'].map(isMonth)).toEqual([true, true, true]);
    expect(['1969-12', '0000-01', '1850-01', '2026-13', '2026-00', '10000-01', '2026-3'].map(isMonth)).toEqual(Array(7).fill(false));
  });
});
