import type { RouterHistogram, RouterMetrics, RouterSeries } from './read';
import { seriesKey } from '../lib/prom-text';

/**
 * Counter deltas between two scrapes of one Traefik, with reset handling: the first scrape only
 * sets the baseline; a restart (process_start_time_seconds changed) or a gap longer than
 * `maxGapMs` drops the whole interval; a series whose counter went down was reset (its router
 * removed and added again): that series' interval is dropped, never a negative delta.
 */

/** The counters of one series as kept between scrapes (short keys: this is stored as jsonb). */
export interface StoredCounters {
  r?: number;
  qb?: number;
  sb?: number;
  h?: { b: number[]; c: number[]; s: number; n: number };
}

export interface Baseline {
  scrapedAt: number;
  processStartSeconds: number | null;
  counters: Record<string, StoredCounters>;
}

export interface SeriesDelta {
  router: string;
  service: string;
  code: string;
  protocol: string;
  requests?: number;
  requestBytes?: number;
  responseBytes?: number;
  /** Non-cumulative counts per bucket, the last above the largest bound. */
  duration?: { bounds: number[]; counts: number[]; sum: number };
}

export type IntervalOutcome = 'baseline' | 'restart' | 'gap' | 'deltas';

export interface Deltas {
  outcome: IntervalOutcome;
  deltas: SeriesDelta[];
  /** Series whose interval was dropped because a counter went down. */
  resetSeries: number;
  next: Baseline;
}

export function keyOf(s: Pick<RouterSeries, 'router' | 'service' | 'code' | 'method' | 'protocol'>): string {
  return seriesKey({ router: s.router, service: s.service, code: s.code, method: s.method, protocol: s.protocol });
}

function stored(s: RouterSeries): StoredCounters {
  const out: StoredCounters = {};
  if (s.requests !== undefined) out.r = s.requests;
  if (s.requestBytes !== undefined) out.qb = s.requestBytes;
  if (s.responseBytes !== undefined) out.sb = s.responseBytes;
  if (s.duration) out.h = { b: s.duration.bounds, c: s.duration.cumulative, s: s.duration.sum, n: s.duration.count };
  return out;
}

export function computeDeltas(previous: Baseline | undefined, now: RouterMetrics & { scrapedAt: number }, maxGapMs: number): Deltas {
  const counters: Record<string, StoredCounters> = {};
  for (const s of now.series) counters[keyOf(s)] = stored(s);
  const next: Baseline = { scrapedAt: now.scrapedAt, processStartSeconds: now.processStartSeconds, counters };
  const none = (outcome: IntervalOutcome): Deltas => ({ outcome, deltas: [], resetSeries: 0, next });
  if (!previous) return none('baseline');
  if (previous.processStartSeconds !== null && now.processStartSeconds !== null && previous.processStartSeconds !== now.processStartSeconds)
    return none('restart');
  if (now.scrapedAt - previous.scrapedAt > maxGapMs) return none('gap');
  const deltas: SeriesDelta[] = [];
  let resetSeries = 0;
  for (const s of now.series) {
    const before = previous.counters[keyOf(s)];
    // A series Traefik created since the last scrape counted all of its value in this interval.
    const delta = seriesDelta(s, before ?? {}, before === undefined);
    if (delta === 'reset') resetSeries += 1;
    else if (delta) deltas.push(delta);
  }
  return { outcome: 'deltas', deltas, resetSeries, next };
}

function seriesDelta(s: RouterSeries, before: StoredCounters, isNew: boolean): SeriesDelta | 'reset' | undefined {
  const out: SeriesDelta = { router: s.router, service: s.service, code: s.code, protocol: s.protocol };
  // A counter that appeared on a known series has no baseline: it is left out, not counted whole.
  const diff = (value: number | undefined, old: number | undefined): number | 'reset' | undefined => {
    if (value === undefined) return undefined;
    if (old === undefined) return isNew ? value : undefined;
    return value < old ? 'reset' : value - old;
  };
  const requests = diff(s.requests, before.r);
  const requestBytes = diff(s.requestBytes, before.qb);
  const responseBytes = diff(s.responseBytes, before.sb);
  const duration = s.duration ? histogramDelta(s.duration, before.h, isNew) : undefined;
  if ([requests, requestBytes, responseBytes, duration].includes('reset')) return 'reset';
  if (typeof requests === 'number') out.requests = requests;
  if (typeof requestBytes === 'number') out.requestBytes = requestBytes;
  if (typeof responseBytes === 'number') out.responseBytes = responseBytes;
  if (duration && duration !== 'reset') out.duration = duration;
  const moved =
    (out.requests ?? 0) > 0 ||
    (out.requestBytes ?? 0) > 0 ||
    (out.responseBytes ?? 0) > 0 ||
    (out.duration?.counts.some((c) => c > 0) ?? false);
  return moved ? out : undefined;
}

function histogramDelta(now: RouterHistogram, before: StoredCounters['h'], isNew: boolean): SeriesDelta['duration'] | 'reset' | undefined {
  const cumulative = before ? now.cumulative.map((c, i) => c - (before.c[i] ?? 0)) : isNew ? now.cumulative : undefined;
  if (!cumulative) return undefined;
  // New bucket bounds mean a reconfigured (so restarted) Traefik: no comparable baseline.
  if (before && (before.b.length !== now.bounds.length || before.b.some((b, i) => b !== now.bounds[i]))) return 'reset';
  const sum = now.sum - (before?.s ?? 0);
  if (cumulative.some((c) => c < 0) || now.count < (before?.n ?? 0) || sum < -1e-9) return 'reset';
  const counts = cumulative.map((c, i) => c - (i === 0 ? 0 : (cumulative[i - 1] as number)));
  // Cumulative deltas must stay non-decreasing; a torn scrape would make a bucket negative.
  if (counts.some((c) => c < 0)) return 'reset';
  return { bounds: now.bounds, counts, sum: Math.max(0, sum) };
}
