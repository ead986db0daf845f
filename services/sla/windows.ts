import { DateTime } from 'luxon';
import type { MaintenanceWindow } from '../config/fleet-types';
import type { MonthRange } from '../core/month';

export type ExclusionType = 'maintenance' | 'customer' | 'force-majeure';

/** One exclusion window as UTC instants `[startMs, endMs)`, with where it came from. */
export interface ExclusionWindow {
  readonly startMs: number;
  readonly endMs: number;
  readonly type: ExclusionType;
  readonly reason: string;
  /** A cluster window applies to every tenant of the cluster. */
  readonly scope: 'tenant' | 'cluster';
  /** `fleet`: declared maintenance; `recorded`: approved through the API or an evidence bundle. */
  readonly origin: 'fleet' | 'recorded';
  readonly recordedBy?: string;
  readonly recordedAt?: string;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/**
 * The fleet file's windows of one owner (tenant or cluster) that touch `range`. A weekly window
 * starts at the owner's wall-clock time: luxon moves a time inside a spring-forward gap forward
 * by the gap (02:30 → 03:30 in Berlin on 2026-03-29) and gives a repeated fall-back time its
 * later offset; the window then lasts its `minutes` of real time.
 */
export function declaredWindows(
  windows: readonly MaintenanceWindow[],
  ownerZone: string,
  scope: ExclusionWindow['scope'],
  range: MonthRange,
): ExclusionWindow[] {
  const out: ExclusionWindow[] = [];
  for (const w of windows) {
    const base = { type: 'maintenance' as const, reason: w.reason, scope, origin: 'fleet' as const };
    if (w.kind === 'once') {
      const startMs = Date.parse(w.start);
      const endMs = Date.parse(w.end);
      if (startMs < range.endMs && endMs > range.startMs) out.push({ ...base, startMs, endMs });
      continue;
    }
    const [hour, minute] = w.start.split(':').map(Number) as [number, number];
    // A window that began on an earlier day can still run into the month: start that many days back.
    const lookBackMs = w.minutes * MINUTE_MS + 2 * DAY_MS;
    let day = DateTime.fromMillis(range.startMs - lookBackMs, { zone: ownerZone }).startOf('day');
    const lastDay = DateTime.fromMillis(range.endMs, { zone: ownerZone }).startOf('day');
    // startOf('day') each step: after a day whose midnight did not exist (America/Santiago
    // springs forward at 00:00), plus({ days: 1 }) keeps 01:00 and would overshoot lastDay.
    for (; day <= lastDay; day = day.plus({ days: 1 }).startOf('day')) {
      if (!w.days.includes(day.weekday)) continue;
      const start = DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour, minute }, { zone: ownerZone });
      const startMs = start.toMillis();
      const endMs = startMs + w.minutes * MINUTE_MS;
      if (startMs < range.endMs && endMs > range.startMs) out.push({ ...base, startMs, endMs });
    }
  }
  return out;
}

/**
 * Marks excluded minutes (1) of the month. A window excludes the minutes it covers whole: a
 * boundary inside a minute leaves that minute in the count. An exclusion takes minutes out of
 * the customer's denominator, so it never takes more than was declared or approved. Windows
 * that overlap simply mark the same minute twice; it counts once.
 */
export function excludedMask(range: MonthRange, windows: readonly ExclusionWindow[]): Uint8Array {
  const mask = new Uint8Array(range.minutes);
  for (const w of windows) {
    const [first, end] = coveredMinutes(range, w);
    if (end > first) mask.fill(1, first, end);
  }
  return mask;
}

/** Indexes `[first, end)` of the month's minutes that `w` covers whole (end ≤ first: none). */
export function coveredMinutes(range: MonthRange, w: { startMs: number; endMs: number }): [number, number] {
  const first = Math.max(0, Math.ceil((w.startMs - range.startMs) / MINUTE_MS));
  const end = Math.min(range.minutes, Math.floor((w.endMs - range.startMs) / MINUTE_MS));
  return [first, end];
}
