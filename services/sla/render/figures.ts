import { truncatedPercent } from '../exact';
import type { SlaReport } from '../report';

/**
 * Display figures shared by the CSV and HTML renderers. Exact where money is involved: amounts
 * are formatted from integer minor units as text, never through a float.
 */

/** "1234.56" from minor units "123456" and 2 digits; "100" for JPY (0 digits). */
export function majorUnits(minor: string, digits: number): string {
  const negative = minor.startsWith('-');
  const magnitude = (negative ? minor.slice(1) : minor).replace(/^0+(?=\d)/, '');
  if (!/^\d+$/.test(magnitude)) throw new RangeError(`expected minor units as digits, got ${JSON.stringify(minor)}`);
  const sign = negative && /[1-9]/.test(magnitude) ? '-' : '';
  if (digits === 0) return sign + magnitude;
  const padded = magnitude.padStart(digits + 1, '0');
  return `${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/** Coverage truncated to two decimals like availability ("" when nothing was eligible). */
export function coverageDisplay(report: SlaReport): string {
  const eligible = report.minutes.total - report.minutes.excluded;
  return eligible === 0 ? '' : truncatedPercent(report.minutes.good + report.minutes.bad, eligible);
}

/** A percent from the fleet file (a target, a credit step) as written: 99.9, 10. */
export function percentText(value: number): string {
  return String(value);
}
