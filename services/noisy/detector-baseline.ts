/**
 * Trailing baselines as plain JSON (the detector's snapshot is stored between minutes) and the
 * robust z-score of Iglewicz–Hoaglin used throughout the detector.
 */

/** One baseline series: raw points (oldest first) and its cached median and MAD. */
export interface Baseline {
  values: number[];
  median: number;
  mad: number;
  /** Number of points the cache was computed from (0 = not computed). */
  cachedN: number;
  refreshedAt: number;
}

export function emptyBaseline(): Baseline {
  return { values: [], median: 0, mad: 0, cachedN: 0, refreshedAt: -Infinity };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  // A typed array sorts numerically without a comparator call per pair: the detector's hot path.
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function addPoint(baseline: Baseline, value: number, maxPoints: number): void {
  if (!Number.isFinite(value)) return;
  baseline.values.push(value);
  if (baseline.values.length > maxPoints) baseline.values.splice(0, baseline.values.length - maxPoints);
}

/** Recomputes median and MAD when the refresh interval has passed, or when the baseline just became usable. */
export function refresh(baseline: Baseline, minute: number, refreshMs: number, minPoints: number): void {
  const n = baseline.values.length;
  const becameReady = baseline.cachedN < minPoints && n >= minPoints;
  if (!becameReady && minute - baseline.refreshedAt < refreshMs) return;
  const m = median(baseline.values);
  baseline.median = m;
  baseline.mad = median(baseline.values.map((v) => Math.abs(v - m)));
  baseline.cachedN = n;
  baseline.refreshedAt = minute;
}

export function ready(baseline: Baseline, minPoints: number): boolean {
  return baseline.cachedN >= minPoints;
}

/** 0.6745·(x − median)/max(MAD, floor). The caller picks the floor (log scale or fraction of median). */
export function robustZ(x: number, baseline: Baseline, floor: number): number {
  return (0.6745 * (x - baseline.median)) / Math.max(baseline.mad, floor);
}
