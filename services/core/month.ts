import { DateTime } from 'luxon';

/** A calendar month in one time zone as UTC instants, `[startMs, endMs)`. */
export interface MonthRange {
  /** `YYYY-MM`. */
  readonly month: string;
  readonly zone: string;
  readonly startMs: number;
  readonly endMs: number;
  /** Whole minutes in the month; DST months have 60 more or fewer. */
  readonly minutes: number;
}

/** Months from 1970-01 to 9999-12 (the years instants are taken in, services/core/instant.ts). */
export const MONTH_PATTERN = '^(19[7-9]\\d|[2-9]\\d{3})-(0[1-9]|1[0-2])$';
const MONTH = new RegExp(MONTH_PATTERN);

/** A month `YYYY-MM` from 1970-01 to 9999-12. */
export function isMonth(text: string): boolean {
  return MONTH.test(text);
}

/**
 * The month `YYYY-MM` in `zone`: from local midnight of its first day to local midnight of the
 * next month's first day (docs/sla.md). March 2026 in Europe/Berlin is 44,580 minutes.
 */
export function monthRange(month: string, zone: string): MonthRange {
  const match = MONTH.exec(month);
  if (!match) throw new RangeError(`expected a month YYYY-MM from 1970-01 to 9999-12, got ${JSON.stringify(month)}`);
  const start = DateTime.fromObject({ year: Number(match[1]), month: Number(match[2]), day: 1 }, { zone });
  if (!start.isValid) throw new RangeError(`expected an IANA time zone, got ${JSON.stringify(zone)}`);
  const startMs = start.toMillis();
  const endMs = start.plus({ months: 1 }).toMillis();
  // Every zone in use today has whole-minute offsets; a historical seconds offset (LMT) would
  // make the minutes of the month straddle UTC minutes, which evidence buckets cannot follow.
  if (startMs % 60_000 !== 0 || endMs % 60_000 !== 0)
    throw new RangeError(`${month} cannot be computed in ${zone}, whose offset from UTC was not whole minutes then`);
  return { month, zone, startMs, endMs, minutes: (endMs - startMs) / 60_000 };
}
