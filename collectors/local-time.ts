import { IANAZone } from 'luxon';

const zones = new Map<string, IANAZone>();

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
