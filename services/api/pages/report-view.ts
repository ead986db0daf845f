import { DateTime } from 'luxon';
import { escapeHtml as e } from '../../sla/render/escape';
import { changeLines, reportBody } from '../../sla/render/html';
import type { StoredReport } from '../../sla/store/report-store';
import { page, type Viewer } from './layout';

/**
 * A tenant's month: the report page's content (services/sla/render/html.ts), the months around it,
 * and the month's frozen revisions, each with its reason and what changed from the one before.
 */
export function reportPage(shown: StoredReport, revisions: readonly StoredReport[], tenantName: string, viewer: Viewer): string {
  const here = `/ui/tenants/${encodeURIComponent(shown.tenant)}`;
  const month = (m: string) => `${here}/${encodeURIComponent(m)}`;
  const revision = shown.revision === 0 ? '' : `revision=${shown.revision}&`;
  return page(
    `SLA report ${shown.month}: ${tenantName}`,
    `<p class="pager"><a href="${month(shift(shown.month, -1))}">← ${e(shift(shown.month, -1))}</a><a href="${month(shift(shown.month, 1))}">${e(shift(shown.month, 1))} →</a><a href="${month(shown.month)}?${revision}format=pdf">PDF</a><span class="screen-only">or print this page</span></p>
${reportBody(shown, tenantName)}
${revisionList(shown, revisions, month(shown.month))}`,
    viewer,
  );
}

function revisionList(shown: StoredReport, revisions: readonly StoredReport[], base: string): string {
  if (revisions.length === 0)
    return `<section class="revisions"><h2>Revisions</h2><p>No frozen revision yet: the figures above are computed from the evidence now (revision 0).</p></section>`;
  const rows = revisions.map((r) => {
    const current = r.revision === shown.revision ? ' (shown)' : '';
    const diff =
      r.changes && r.changes.length > 0
        ? `<details><summary>${e(r.changes.length)} field(s) changed</summary><p class="changes">${changeLines(r.changes)}</p></details>`
        : r.revision === 1
          ? 'first revision'
          : 'no change';
    return `<tr><td><a href="${base}?revision=${e(r.revision)}">${e(r.revision)}</a>${e(current)}</td><td>${e(r.computedAt)}</td><td>${e(r.reason ?? '—')}</td><td>${diff}</td><td class="hash">${e(r.digest.slice(0, 16))}…</td></tr>`;
  });
  return `<section class="revisions">
<h2>Revisions (${e(revisions.length)})</h2>
<table><thead><tr><th>revision</th><th>frozen at</th><th>reason</th><th>changes from the previous one</th><th>digest</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
<p class="note screen-only"><a href="${base}?revision=0">Compute the month now</a> from the evidence, as revision 0, to compare.</p>
</section>`;
}

/** The month `by` months from `month` (YYYY-MM). */
function shift(month: string, by: number): string {
  return DateTime.fromFormat(month, 'yyyy-LL', { zone: 'UTC' }).plus({ months: by }).toFormat('yyyy-LL');
}
