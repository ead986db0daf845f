import { IANAZone } from 'luxon';

const zones = new Map<string, IANAZone>();

/**
 * Per zone, the wall-clock minutes converted lately. A log's lines come (nearly) in time order, so
 * most lines fall in a minute seen just before: their time is that minute's start plus the
 * seconds, with no look-up of the zone's offset (the slow part). Used only for a minute the offset
 * does not change in (checked at both ends), which is every minute of a zone whose changes fall on
 * whole minutes: all of them since the 1970s.
 */
interface Minute {
  startMs: number;
  linear: boolean;
}
const minutes = new Map<string, Map<number, Minute>>();
/** Minutes kept per zone; then the cache starts over (a log rarely goes back that far). */
const MINUTES_KEPT = 4096;

/**
 * Milliseconds since the epoch for a wall-clock time in an IANA zone, as Odoo writes its log
 * timestamps (local, no offset). Two passes over the zone's offset, so times just after a DST
 * change land right. A time skipped at spring-forward moves forward by the gap (as luxon does);
 * an ambiguous time in the fall-back hour takes the later (standard time) reading.
 */
export function localToEpochMs(
  zone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millisecond: number,
): number {
  const inMinute = second >= 0 && second < 60 && millisecond >= 0 && millisecond < 1000;
  if (!inMinute || !isFieldOfTwoDigits(month, day, hour, minute) || !Number.isInteger(year)) {
    return zoneToEpochMs(zone, year, month, day, hour, minute, second, millisecond);
  }
  const key = year * 1e8 + month * 1e6 + day * 1e4 + hour * 100 + minute;
  let cache = minutes.get(zone);
  if (!cache) minutes.set(zone, (cache = new Map()));
  let known = cache.get(key);
  if (!known) {
    const startMs = zoneToEpochMs(zone, year, month, day, hour, minute, 0, 0);
    const linear = zoneToEpochMs(zone, year, month, day, hour, minute, 59, 999) - startMs === 59_999;
    if (cache.size >= MINUTES_KEPT) cache.clear();
    known = { startMs, linear };
    cache.set(key, known);
  }
  if (!known.linear) return zoneToEpochMs(zone, year, month, day, hour, minute, second, millisecond);
  return known.startMs + second * 1000 + millisecond;
}

function isFieldOfTwoDigits(...fields: number[]): boolean {
  for (const f of fields) if (!(Number.isInteger(f) && f >= 0 && f < 100)) return false;
  return true;
}

function zoneToEpochMs(
  zone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millisecond: number,
): number {
  let iana = zones.get(zone);
  if (!iana) {
    iana = IANAZone.create(zone);
    zones.set(zone, iana);
  }
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  // luxon's fixOffset, started from the offset at the wall time read as UTC.
  const o1 = iana.offset(asUtc);
  let guess = asUtc - o1 * 60_000;
  const o2 = iana.offset(guess);
  if (o1 === o2) return guess;
  guess -= (o2 - o1) * 60_000;
  const o3 = iana.offset(guess);
  if (o2 === o3) return guess;
  return asUtc - Math.min(o2, o3) * 60_000;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const BSD = /^([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?$/;
const ISO = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|([+-])(\d\d):?(\d\d))?$/;

/**
 * A syslog or journald timestamp as milliseconds since the epoch, or undefined when it is not
 * one. An offset, when written, is used as is; a time without one is wall-clock time in `zone`.
 * The BSD form (`Mar  1 10:00:00`) has no year: it takes the year that puts the time at most
 * two days after `referenceMs` (so December lines read in January land in the year before).
 */
export function syslogTimestampToMs(text: string, zone: string, referenceMs: number): number | undefined {
  const bsd = BSD.exec(text);
  if (bsd) {
    const month = MONTHS.indexOf(bsd[1]!) + 1;
    if (month === 0) return undefined;
    const fields = [month, Number(bsd[2]), Number(bsd[3]), Number(bsd[4]), Number(bsd[5]), fraction(bsd[6])] as const;
    const year = new Date(referenceMs).getUTCFullYear();
    for (const y of [year + 1, year, year - 1]) {
      const ms = isWallTime(y, month, fields[1], fields[2], fields[3], fields[4]) ? localToEpochMs(zone, y, ...fields) : undefined;
      if (ms !== undefined && ms <= referenceMs + 2 * 86_400_000) return ms;
    }
    return undefined;
  }
  const iso = ISO.exec(text);
  if (!iso) return undefined;
  const [y, mo, d, h, mi, s] = iso.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = fraction(iso[7]);
  if (!isWallTime(y, mo, d, h, mi, s)) return undefined;
  if (iso[8] === undefined) return localToEpochMs(zone, y, mo, d, h, mi, s, ms);
  const offsetMinutes = iso[8] === 'Z' ? 0 : (iso[9] === '-' ? -1 : 1) * (Number(iso[10]) * 60 + Number(iso[11]));
  return Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMinutes * 60_000;
}

function fraction(digits: string | undefined): number {
  return digits === undefined ? 0 : Number(digits.padEnd(3, '0').slice(0, 3));
}

/** True for a real calendar date and clock time (a log line can carry `2024-13-45`). */
export function isWallTime(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  return isDate(y, mo, d) && h < 24 && mi < 60 && s < 61;
}

// The last date checked: a log's lines mostly share one.
let lastDate = { y: NaN, mo: NaN, d: NaN, valid: false };

function isDate(y: number, mo: number, d: number): boolean {
  if (y === lastDate.y && mo === lastDate.mo && d === lastDate.d) return lastDate.valid;
  const date = new Date(Date.UTC(y, mo - 1, d));
  const valid = date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
  lastDate = { y, mo, d, valid };
  return valid;
}
