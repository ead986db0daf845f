/**
 * A straight-line forecast by ordinary least squares, with its uncertainty: a growth figure is
 * never given bare. `slopeSe` is the standard error of the slope; the range of a "days until"
 * uses the slope ± 1.96 standard errors (about 95 % if the residuals are independent and normal,
 * which daily database sizes only roughly are: read it as a plausible range, not a guarantee).
 */
export interface LineFit {
  /** y per unit of x (bytes per day). */
  slope: number;
  intercept: number;
  /** Standard deviation of the residuals around the line, in y's unit (n − 2 degrees of freedom). */
  residualSd: number;
  slopeSe: number;
  n: number;
}

export const METHOD = 'ordinary least squares over the daily largest database size; range: slope ± 1.96 standard errors';

/** The fit, or undefined with fewer than three points or all at one x (no line, no spread). */
export function fitLine(points: readonly (readonly [number, number])[]): LineFit | undefined {
  const n = points.length;
  if (n < 3) return undefined;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (const [x, y] of points) sse += (y - (intercept + slope * x)) ** 2;
  const residualSd = Math.sqrt(sse / (n - 2));
  return { slope, intercept, residualSd, slopeSe: residualSd / Math.sqrt(sxx), n };
}

export interface DaysUntil {
  /** At the fitted rate; null when the line does not rise (the limit is not reached at this rate). */
  estimate: number | null;
  /** At the fast end of the slope's range. */
  earliest: number | null;
  /** At the slow end; null when the slow end does not rise. */
  latest: number | null;
}

/** Days from `x` until the line reaches `limit`, from the fitted value at `x`; 0 when already there. */
export function daysUntil(fit: LineFit, x: number, limit: number): DaysUntil {
  const now = fit.intercept + fit.slope * x;
  const at = (slope: number) => (now >= limit ? 0 : slope > 0 ? (limit - now) / slope : null);
  const spread = 1.96 * fit.slopeSe;
  return { estimate: at(fit.slope), earliest: at(fit.slope + spread), latest: at(fit.slope - spread) };
}
