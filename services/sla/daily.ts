import { DateTime } from 'luxon';
import { BAD, EXCLUDED, GOOD, NODATA } from './classify';
import type { MonthRange } from '../core/month';

/** One local day of the month: its minutes by state, before the nodata policy. */
export interface DayCounts {
  /** The local date, YYYY-MM-DD, in the tenant's zone. */
  readonly date: string;
  readonly total: number;
  readonly excluded: number;
  readonly good: number;
  readonly bad: number;
  readonly nodata: number;
}

/**
 * Counts the month's minute states per local day (a DST day has 23 or 25 hours), so a report
 * can show each day as measured, not as guessed from its incidents. `states` may stop before the
 * month's end (a month in progress): every day is listed, those to come with total 0.
 */
export function dailyCounts(range: MonthRange, states: Uint8Array, zone: string): DayCounts[] {
  const out: DayCounts[] = [];
  let day = DateTime.fromMillis(range.startMs, { zone }).startOf('day');
  while (day.toMillis() < range.endMs) {
    const next = day.plus({ days: 1 }).startOf('day');
    const first = Math.max(0, (day.toMillis() - range.startMs) / 60_000);
    // a month in progress has states up to its asOf only: later days count 0 minutes
    const end = Math.max(first, Math.min(states.length, (next.toMillis() - range.startMs) / 60_000));
    const counts = [0, 0, 0, 0];
    for (let m = first; m < end; m++) counts[states[m] as number]! += 1;
    out.push({
      date: day.toISODate() as string,
      total: end - first,
      excluded: counts[EXCLUDED]!,
      good: counts[GOOD]!,
      bad: counts[BAD]!,
      nodata: counts[NODATA]!,
    });
    day = next;
  }
  return out;
}
