import { DateTime, IANAZone } from 'luxon';

/**
 * Timestamp text in the exact forms the simulated sources print. Offsets come from luxon (so DST
 * is right) and are cached per zone and quarter hour, because a batch run formats hundreds of
 * thousands of Odoo lines and luxon per line would dominate its run time.
 */

const QUARTER_HOUR = 15 * 60 * 1000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const offsetCache = new Map<string, number>();

/** The zone's UTC offset in minutes at `ms`. Zone changes happen on quarter-hour boundaries. */
export function zoneOffsetMinutes(zone: string, ms: number): number {
  const bucket = Math.floor(ms / QUARTER_HOUR);
  const key = `${zone}|${bucket}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    offset = IANAZone.create(zone).offset(ms);
    if (offsetCache.size > 10_000) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Wall-clock fields of `ms` in `zone`, read from a shifted UTC date. */
function local(ms: number, zone: string): Date {
  return new Date(ms + zoneOffsetMinutes(zone, ms) * 60_000);
}

/** Python logging's asctime in server local time: `2026-03-01 01:00:15,042`. */
export function odooTimestamp(ms: number, zone: string): string {
  const d = local(ms, zone);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())},${pad(d.getUTCMilliseconds(), 3)}`
  );
}

/** werkzeug's log_date_time_string, local time to the second: `01/Mar/2026 01:00:15`. */
export function werkzeugTimestamp(ms: number, zone: string): string {
  const d = local(ms, zone);
  return (
    `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

/** pgBackRest's backup label time part, local time: `20260301-020000`. */
export function pgbackrestLabelTime(ms: number, zone: string): string {
  const d = local(ms, zone);
  return (
    `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-` +
    `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`
  );
}

/** ISO 8601 UTC to the second, `2026-03-01T00:00:15Z`, as evidence and job files carry it. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Parses an ISO instant; a text without an offset is taken as UTC. Throws on nonsense. */
export function parseIsoUtc(text: string): number {
  const dt = DateTime.fromISO(text, { zone: 'utc' });
  if (!dt.isValid) throw new Error(`expected an ISO 8601 instant such as 2026-03-01T00:00:00Z, got ${JSON.stringify(text)}`);
  return dt.toMillis();
}

/** Epoch ms of the local wall-clock midnight of the day containing `ms` in `zone`. */
export function localDayStart(ms: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone }).startOf('day').toMillis();
}
