import type { Tenant } from '../../config/fleet-types';
import { escapeHtml as e } from '../../sla/render/escape';
import { coverageDisplay, majorUnits, percentText } from '../../sla/render/figures';
import type { StoredReport } from '../../sla/store/report-store';
import { page, type Viewer } from './layout';

/** One row of the tenant list: a tenant and its report for its current month, if that month has begun. */
export interface TenantRow {
  tenant: Tenant;
  month: string;
  report: StoredReport | undefined;
}

/** The fleet's tenants the viewer may see, each with its month to date. */
export function tenantsPage(rows: readonly TenantRow[], viewer: Viewer): string {
  const body = rows.map(({ tenant: t, month, report }) => {
    const link = `<a href="/ui/tenants/${encodeURIComponent(t.id)}/${encodeURIComponent(month)}">${e(t.name)}</a>`;
    return `<tr><td>${link}<br><span class="scope">${e(t.id)}</span></td><td>${e(t.cluster)}</td><td>${e(t.tier)}</td><td>${e(month)}</td>${figures(report)}</tr>`;
  });
  return page(
    'Tenants',
    `<h1>Tenants</h1>
<p>Each tenant's current month in its own time zone, so far: availability and coverage over the minutes elapsed, and the error budget left if every minute to come is measured. A frozen or provisional month shows its status instead of a budget.</p>
${
  rows.length === 0
    ? '<p>No tenant is visible to this token.</p>'
    : `<table class="tenants"><thead><tr><th>tenant</th><th>cluster</th><th>tier</th><th>month</th><th>availability</th><th>target</th><th>error budget left</th><th>coverage</th><th>credit</th></tr></thead><tbody>
${body.join('\n')}
</tbody></table>`
}`,
    viewer,
  );
}

function figures(stored: StoredReport | undefined): string {
  if (!stored) return '<td colspan="5">month not begun</td>';
  const r = stored.report;
  const budget = r.monthToDate?.errorBudget;
  const coverage = coverageDisplay(r);
  const left =
    budget === undefined
      ? `${e(stored.status)}`
      : budget.leftMinutes >= 0
        ? `${e(budget.leftMinutes)} of ${e(budget.totalMinutes)} min`
        : `overspent by ${e(-budget.leftMinutes)} min`;
  return `<td class="num avail">${r.availabilityDisplay === null ? 'n/a' : `${e(r.availabilityDisplay)} %`}</td><td class="num">${e(percentText(r.targetPercent))} %</td><td class="num budget">${left}</td><td class="num coverage">${coverage === '' ? 'n/a' : `${e(coverage)} %`}</td><td class="num">${e(percentText(r.creditPercent))} % (${e(majorUnits(r.creditMinor, r.currencyDigits))} ${e(r.currency)})</td>`;
}
