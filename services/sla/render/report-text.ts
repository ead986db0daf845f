import type { StoredReport } from '../store/report-store';
import { reportsCsv } from './csv';
import { reportHtml } from './html';
import { reportJson } from './json';

/**
 * The one serializer of reports for `tenantscope report` and the API, so both give the same bytes
 * for the same month (signature included: it is inside the stored report). JSON is indented by
 * two spaces and ends with a newline.
 */
export function tenantReportText(stored: StoredReport, tenantName: string, format: 'json' | 'html'): string {
  return format === 'html' ? reportHtml(stored, tenantName) : jsonText(reportJson(stored));
}

/** Every report of a month: JSON `{ month, reports }` or the billing CSV. */
export function monthReportsText(
  month: string,
  reports: readonly StoredReport[],
  nameOf: (tenant: string) => string,
  format: 'json' | 'csv',
): string {
  return format === 'csv' ? reportsCsv(reports, nameOf) : jsonText({ month, reports: reports.map(reportJson) });
}

/** Content types the API sends these texts with. */
export const REPORT_CONTENT_TYPES = {
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
} as const;

function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
