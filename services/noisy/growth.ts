import { daysUntil, fitLine, METHOD, type DaysUntil, type LineFit } from './forecast';

/**
 * How each tenant grows (issue #14): its database size per day over the last 7 and 30 days, the
 * days until its plan's quota and its cluster's disk at that rate, with the fit's spread and a
 * range, never a bare number; and its use of each shared resource per day against the month
 * before. Pure: usage-report.ts loads the inputs.
 */
export const GROWTH_WINDOWS = [7, 30] as const;
const GIB = 2 ** 30;

export interface StorageWindow {
  days: number;
  /** Days with a size in the window: fewer than 3 give no fit. */
  samples: number;
  bytesPerDay: number | null;
  /** Standard error of bytesPerDay. */
  bytesPerDayError: number | null;
  /** Spread of the daily sizes around the line. */
  residualBytes: number | null;
}

export interface LimitForecast {
  limitBytes: number;
  /** The window the forecast uses: the longest with a fit. */
  windowDays: number;
  days: DaysUntil;
}

export interface StorageGrowth {
  method: string;
  latestBytes: number | null;
  latestDay: string | null;
  windows: StorageWindow[];
  /** Null without a quota in the fleet (`storageQuotaGiB`) or without a fit. */
  quota: LimitForecast | null;
}

export interface ResourceGrowth {
  unit: string;
  perDay: number;
  previousPerDay: number | null;
  /** perDay / previousPerDay − 1; null when the month before had none. */
  change: number | null;
}

/** The storage growth of one tenant from its daily sizes ([day number, bytes]) up to day `asOfDay`. */
export function storageGrowth(days: readonly [number, number][], asOfDay: number, quotaGiB: number | undefined): StorageGrowth {
  const latest = days.length > 0 ? days[days.length - 1]! : undefined;
  const fits = new Map<number, LineFit>();
  const windows = GROWTH_WINDOWS.map((w) => {
    const points = days.filter(([d]) => d > asOfDay - w && d <= asOfDay);
    const fit = fitLine(points);
    if (fit) fits.set(w, fit);
    return {
      days: w,
      samples: points.length,
      bytesPerDay: fit?.slope ?? null,
      bytesPerDayError: fit?.slopeSe ?? null,
      residualBytes: fit?.residualSd ?? null,
    };
  });
  return {
    method: METHOD,
    latestBytes: latest?.[1] ?? null,
    latestDay: latest ? new Date(latest[0] * 86_400_000).toISOString().slice(0, 10) : null,
    windows,
    quota: quotaGiB === undefined ? null : limitForecast([...fits], asOfDay, quotaGiB * GIB),
  };
}

/**
 * The days until the cluster's disk fills at the tenants' summed rates: the sum of their fitted
 * sizes today against the disk, the slopes added and their errors added in quadrature (the
 * tenants taken as independent).
 */
export function diskForecast(
  tenantDays: readonly (readonly [number, number][])[],
  asOfDay: number,
  diskGiB: number | undefined,
): LimitForecast | null {
  if (diskGiB === undefined) return null;
  for (const w of [...GROWTH_WINDOWS].reverse()) {
    const fits = tenantDays.map((days) => fitLine(days.filter(([d]) => d > asOfDay - w && d <= asOfDay)));
    if (fits.length === 0 || fits.some((f) => f === undefined)) continue;
    const all = fits as LineFit[];
    const sum: LineFit = {
      slope: all.reduce((a, f) => a + f.slope, 0),
      intercept: all.reduce((a, f) => a + f.intercept, 0),
      residualSd: Math.sqrt(all.reduce((a, f) => a + f.residualSd ** 2, 0)),
      slopeSe: Math.sqrt(all.reduce((a, f) => a + f.slopeSe ** 2, 0)),
      n: Math.min(...all.map((f) => f.n)),
    };
    return { limitBytes: diskGiB * GIB, windowDays: w, days: daysUntil(sum, asOfDay, diskGiB * GIB) };
  }
  return null;
}

function limitForecast(fits: [number, LineFit][], asOfDay: number, limitBytes: number): LimitForecast | null {
  const longest = fits.sort((a, b) => b[0] - a[0])[0];
  if (!longest) return null;
  return { limitBytes, windowDays: longest[0], days: daysUntil(longest[1], asOfDay, limitBytes) };
}

/** Use per day of the month against the month before, resource by resource. */
export function resourceGrowth(
  usage: ReadonlyMap<string, number> | undefined,
  previous: ReadonlyMap<string, number> | undefined,
  days: number,
  previousDays: number,
  units: Readonly<Record<string, string>>,
): Record<string, ResourceGrowth> {
  const out: Record<string, ResourceGrowth> = {};
  for (const [resource, unit] of Object.entries(units)) {
    const now = usage?.get(resource);
    const before = previous?.get(resource);
    if (now === undefined && before === undefined) continue;
    const perDay = days > 0 ? (now ?? 0) / days : 0;
    const previousPerDay = before === undefined || previousDays <= 0 ? null : before / previousDays;
    out[resource] = {
      unit,
      perDay,
      previousPerDay,
      change: previousPerDay === null || previousPerDay === 0 ? null : perDay / previousPerDay - 1,
    };
  }
  return out;
}
