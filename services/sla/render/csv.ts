import type { StoredReport } from '../store/report-store';
import { coverageDisplay, majorUnits, percentText } from './figures';

/** Columns of the billing CSV, in order; the header row uses these names. */
export const CSV_COLUMNS = [
  'tenant',
  'name',
  'month',
  'tier',
  'target_percent',
  'availability_percent',
  'target_met',
  'good_minutes',
  'bad_minutes',
  'excluded_minutes',
  'nodata_minutes',
  'coverage_percent',
  'credit_percent',
  'credit_amount',
  'currency',
  'revision',
  'status',
  'provisional',
  'digest',
] as const;

/**
 * One row per tenant for billing (RFC 4180: CRLF line ends, fields quoted when they hold a
 * comma, quote, CR or LF, quotes doubled). Availability and coverage are truncated displays,
 * never rounded up; the credit amount is exact from the minor units. A month without any
 * measured minute leaves availability and target_met empty rather than inventing a figure.
 * `provisional` is true for a month not frozen yet (status month-to-date or provisional): its
 * figures and credit may still change, so billing should not invoice from that row.
 */
export function reportsCsv(reports: readonly StoredReport[], nameOf: (tenant: string) => string): string {
  const rows = reports.map((stored) => {
    const r = stored.report;
    const cells: Record<(typeof CSV_COLUMNS)[number], string> = {
      tenant: r.tenant,
      name: nameOf(r.tenant),
      month: r.month,
      tier: r.tier,
      target_percent: percentText(r.targetPercent),
      availability_percent: r.availabilityDisplay ?? '',
      target_met: r.targetMet === null ? '' : String(r.targetMet),
      good_minutes: String(r.minutes.good),
      bad_minutes: String(r.minutes.bad),
      excluded_minutes: String(r.minutes.excluded),
      nodata_minutes: String(r.minutes.nodata),
      coverage_percent: coverageDisplay(r),
      credit_percent: percentText(r.creditPercent),
      credit_amount: majorUnits(r.creditMinor, r.currencyDigits),
      currency: r.currency,
      revision: String(stored.revision),
      status: stored.status,
      provisional: String(stored.status !== 'frozen'),
      digest: stored.digest,
    };
    return CSV_COLUMNS.map((c) => cells[c]);
  });
  return [[...CSV_COLUMNS], ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export function csvField(value: string): string {
  // A leading = + - @ would make a spreadsheet evaluate a tenant name as a formula; a quote
  // prefix keeps it text (OWASP CSV injection). Numbers we write never start with those, except
  // negative ones, which we never write.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
