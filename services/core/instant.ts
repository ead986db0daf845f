/**
 * Instants and years tenantscope accepts from callers (API, exclusion windows): RFC 3339 with a
 * zone, a real calendar date (2026-02-30 is refused, never rolled over into March), in the years
 * 1970 to 9999, the range months are taken in too (services/core/month.ts).
 */
export const FIRST_YEAR = 1970;
export const LAST_YEAR = 9999;

/** The text form an instant must have: date, `T`, time with optional seconds and fraction, `Z` or `±HH:MM`. */
export const INSTANT_PATTERN = '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d(:\\d\\d(\\.\\d{1,9})?)?(Z|[+-]\\d\\d:\\d\\d)$';

const INSTANT = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d\d):(\d\d))$/;

/** Days in a month of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Unix milliseconds of an RFC 3339 instant, or undefined when the text is not one: a wrong shape,
 * a date or time that does not exist (day 30 of February, hour 24, second 60), an offset past
 * ±23:59, or a year outside 1970–9999 (in UTC or as written).
 */
export function parseInstant(text: string): number | undefined {
  const m = INSTANT.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (year < FIRST_YEAR || year > LAST_YEAR || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offsetMinutes = m[8] === undefined ? 0 : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  if (m[8] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return undefined;
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const at = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  const utcYear = new Date(at).getUTCFullYear();
  return utcYear < FIRST_YEAR || utcYear > LAST_YEAR ? undefined : at;
}
