import { DateTime } from 'luxon';
import type { SlaReport } from '../report';

/** One local day of the report's month, for the chart. */
export interface DayFigures {
  /** Local date, YYYY-MM-DD in the tenant's zone. */
  readonly date: string;
  readonly total: number;
  readonly excluded: number;
  readonly bad: number;
  /** Null when the report carries no per-day figures (nodata then cannot be told from good). */
  readonly nodata: number | null;
  /** good / (good + bad) × 100 as the chart shows it; null when no minute counted that day. */
  readonly availabilityPercent: number | null;
}

export interface DailySeries {
  readonly days: readonly DayFigures[];
  /** `report`: exact figures the report carries; `incidents`: derived from incidents and exclusions. */
  readonly source: 'report' | 'incidents';
}

const MINUTE_MS = 60_000;

/**
 * Per-day figures for the chart. A report that carries `days` (per-day minute counts) is used as
 * is. Otherwise they are derived from what every report has: a day's bad minutes are the minutes
 * of the incidents in it (incidents are exactly the minutes that count as downtime), its excluded
 * minutes the union of the exclusion windows' whole minutes in it; the rest counts as good, so a
 * day without data looks available. The page says so under the chart. Minutes from `asOfMs` on
 * (a month-to-date report's computation time) have not happened yet: they never count, so a
 * future day shows as empty rather than as available.
 */
export function dailySeries(report: SlaReport, asOfMs = Infinity): DailySeries {
  const carried = carriedDays(report);
  if (carried) return { days: carried, source: 'report' };
  const startMs = Date.parse(report.start);
  const minutes = (Date.parse(report.end) - startMs) / MINUTE_MS;
  const excluded = new Uint8Array(minutes);
  const bad = new Uint8Array(minutes);
  const mark = (mask: Uint8Array, start: string, end: string) => {
    const first = Math.max(0, Math.ceil((Date.parse(start) - startMs) / MINUTE_MS));
    const last = Math.min(minutes, Math.floor((Date.parse(end) - startMs) / MINUTE_MS));
    if (last > first) mask.fill(1, first, last);
  };
  for (const w of report.exclusions) mark(excluded, w.start, w.end);
  for (const i of report.incidents) mark(bad, i.start, i.end);
  // Minutes from here on have not happened yet.
  const pendingFrom = Math.max(0, Math.min(minutes, Math.ceil((asOfMs - startMs) / MINUTE_MS)));
  return {
    source: 'incidents',
    days: localDays(report).map(({ date, first, end }) => {
      let x = 0;
      let b = 0;
      let counted = 0;
      for (let m = first; m < end; m++) {
        if (excluded[m]) x++;
        else if (m < pendingFrom) {
          counted++;
          if (bad[m]) b++;
        }
      }
      return {
        date,
        total: end - first,
        excluded: x,
        bad: b,
        nodata: null,
        availabilityPercent: counted === 0 ? null : ((counted - b) / counted) * 100,
      };
    }),
  };
}

/** The local days of the month as minute indexes `[first, end)` (a DST day has 23 or 25 hours). */
export function localDays(report: SlaReport): { date: string; first: number; end: number }[] {
  const startMs = Date.parse(report.start);
  const endMs = Date.parse(report.end);
  const out: { date: string; first: number; end: number }[] = [];
  for (
    let day = DateTime.fromMillis(startMs, { zone: report.timezone }).startOf('day');
    day.toMillis() < endMs;
    day = day.plus({ days: 1 })
  ) {
    const next = day.plus({ days: 1 }).toMillis();
    out.push({
      date: day.toISODate() as string,
      first: (day.toMillis() - startMs) / MINUTE_MS,
      end: (Math.min(next, endMs) - startMs) / MINUTE_MS,
    });
  }
  return out;
}

interface CarriedDay {
  date: string;
  total: number;
  excluded: number;
  good: number;
  bad: number;
  nodata: number;
}

/** `report.days` if the report carries per-day counts in that shape; the engine may add them. */
function carriedDays(report: SlaReport): DayFigures[] | undefined {
  const days = (report as unknown as { days?: unknown }).days;
  if (!Array.isArray(days) || !days.every(isCarriedDay)) return undefined;
  return days.map((d) => {
    const counted = d.good + d.bad;
    return {
      date: d.date,
      total: d.total,
      excluded: d.excluded,
      bad: d.bad,
      nodata: d.nodata,
      availabilityPercent: counted === 0 ? null : (d.good / counted) * 100,
    };
  });
}

function isCarriedDay(d: unknown): d is CarriedDay {
  if (typeof d !== 'object' || d === null) return false;
  const o = d as Record<string, unknown>;
  return typeof o.date === 'string' && ['total', 'excluded', 'good', 'bad', 'nodata'].every((k) => typeof o[k] === 'number');
}
