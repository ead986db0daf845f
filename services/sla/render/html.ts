import { DateTime } from 'luxon';
import type { SlaReport } from '../report';
import type { ReportChange } from '../store/report-diff';
import type { StoredReport } from '../store/report-store';
import { dailyChart } from './chart';
import { dailySeries } from './daily';
import { escapeHtml as e } from './escape';
import { coverageDisplay, majorUnits, percentText } from './figures';
import { PAGE_CSS } from './page-style';

/**
 * The printable report page: one self-contained HTML document (inline CSS and SVG, no script,
 * no external asset) a service manager can print or save as PDF. Every interpolated value is
 * escaped, tenant names included: they come from a fleet file, not from us.
 */
export function reportHtml(stored: StoredReport, tenantName: string): string {
  const r = stored.report;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${reportTitle(r, tenantName)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
${reportBody(stored, tenantName)}
</body>
</html>
`;
}

/** The page title of a report, escaped. */
export function reportTitle(r: SlaReport, tenantName: string): string {
  return `SLA report ${e(r.month)}: ${e(tenantName)}`;
}

/**
 * The content of the report page (header, figures, chart, incidents, windows, evidence, seal),
 * without the document around it: the standalone page and the service manager's pages (/ui/)
 * both wrap it. Its classes are styled by PAGE_CSS.
 */
export function reportBody(stored: StoredReport, tenantName: string): string {
  const r = stored.report;
  // A month-to-date report stops at its computation time: later days are empty, not available.
  const series = dailySeries(r, r.monthToDate ? Date.parse(r.monthToDate.asOf) : Infinity);
  return `<header>
<h1>SLA report <span class="month">${e(r.month)}</span></h1>
<p class="tenant"><strong>${e(tenantName)}</strong> (${e(r.tenant)}), cluster ${e(r.cluster)}, tier ${e(r.tier)}</p>
<p class="period">${e(local(r.start, r.timezone))} to ${e(local(r.end, r.timezone))} (${e(r.timezone)}), ${e(r.minutes.total)} minutes · ${e(statusText(stored))}</p>
</header>
${summary(r)}
${projection(r)}
<section class="chart">
<h2>Daily availability</h2>
${dailyChart(series, r.targetPercent)}
<p class="legend"><span class="key met"></span> day at or above target <span class="key missed"></span> below target <span class="key excluded"></span> excluded share <span class="key empty"></span> no minute counted${series.source === 'report' ? ' <span class="key nodata"></span> share without data' : ''}</p>
${series.source === 'incidents' ? '<p class="note">Daily bars are derived from the incidents and exclusion windows below: this report carries no per-day counts, so a day\'s minutes without data are shown as available. The monthly figures above are exact.</p>' : ''}
</section>
${incidents(r)}
${exclusions(r)}
${recovery(r)}
${signature(stored)}`;
}

function summary(r: SlaReport): string {
  const met =
    r.targetMet === null
      ? '<span class="verdict none">not measurable</span>'
      : r.targetMet
        ? '<span class="verdict met">target met</span>'
        : '<span class="verdict missed">target missed</span>';
  const coverage = coverageDisplay(r);
  return `<section class="summary">
<h2>Summary</h2>
<div class="headline"><div class="availability">${r.availabilityDisplay === null ? 'n/a' : `${e(r.availabilityDisplay)} %`}</div><div>availability against a target of ${e(percentText(r.targetPercent))} % · ${met}</div></div>
${r.coverageLow ? `<p class="warning">Coverage warning: only ${e(coverage)} % of the eligible minutes were measured (below 90 %). The availability above rests on partial evidence.</p>` : ''}
<table class="figures">
<tr><th>Service credit</th><td>${r.monthToDate ? '<strong>provisional</strong>, if the month ended now: ' : ''}${e(percentText(r.creditPercent))} % of the monthly fee: <strong>${e(majorUnits(r.creditMinor, r.currencyDigits))} ${e(r.currency)}</strong> (fee ${e(majorUnits(r.monthlyFeeMinor, r.currencyDigits))} ${e(r.currency)})</td></tr>
<tr><th>Minutes</th><td>${e(r.minutes.good)} good · ${e(r.minutes.bad)} bad · ${e(r.minutes.excluded)} excluded · ${e(r.minutes.nodata)} without data (policy: ${e(r.nodataPolicy)})</td></tr>
<tr><th>Counted</th><td>${e(r.counted.good)} good of ${e(r.counted.good + r.counted.bad)} counted minutes</td></tr>
<tr><th>Coverage</th><td>${coverage === '' ? 'no eligible minute' : `${e(coverage)} % of eligible minutes measured`}</td></tr>
</table>
</section>`;
}

/** A month in progress: how far it has run, and what the rest can take before each credit step. */
function projection(r: SlaReport): string {
  const m = r.monthToDate;
  if (!m) return '';
  const steps = m.creditSteps.map(
    (s) =>
      `<tr><td>below ${e(percentText(s.belowPercent))} %</td><td class="num">${e(percentText(s.creditPercent))} %</td><td class="num">${s.unavoidable ? 'none: reached whatever happens' : e(s.affordableMinutes)}</td></tr>`,
  );
  const budget = m.errorBudget;
  return `<section class="projection">
<h2>Month to date</h2>
<p>Figures as of <strong>${e(local(m.asOf, r.timezone))}</strong>: ${e(m.minutesElapsed)} minutes elapsed, ${e(m.minutesRemaining)} to come${m.scheduledExcludedMinutes > 0 ? ` (${e(m.scheduledExcludedMinutes)} of them in scheduled exclusion windows)` : ''}. Minutes still to come count nowhere above.</p>
<table class="figures">
<tr><th>Error budget</th><td>${e(budget.usedMinutes)} of ${e(budget.totalMinutes)} bad minutes used; ${budget.leftMinutes >= 0 ? `${e(budget.leftMinutes)} left` : `overspent by ${e(-budget.leftMinutes)}`} (target ${e(percentText(r.targetPercent))} %, if every minute to come is measured)</td></tr>
</table>
${steps.length === 0 ? '' : `<table><thead><tr><th>credit step</th><th>credit</th><th>outage minutes the rest of the month can still take</th></tr></thead><tbody>\n${steps.join('\n')}\n</tbody></table>`}
</section>`;
}

function incidents(r: SlaReport): string {
  const rows = r.incidents.map(
    (i) =>
      `<tr><td>${e(local(i.start, r.timezone))}</td><td>${e(local(i.end, r.timezone))}</td><td class="num">${e(i.minutes)}</td><td>${
        i.signals
          .map(
            (s) =>
              `${e(s.signal)}${s.cluster === undefined ? '' : ` <span class="scope">(cluster ${e(s.cluster)})</span>`} ${e(s.minutes)} min`,
          )
          .join('<br>') || '—'
      }</td></tr>`,
  );
  return `<section class="incidents">
<h2>Incidents (${e(r.incidents.length)})</h2>
${rows.length === 0 ? '<p>No minute counted as downtime this month.</p>' : `<table><thead><tr><th>start</th><th>end</th><th>minutes</th><th>signals seen</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`}
</section>`;
}

function exclusions(r: SlaReport): string {
  const rows = r.exclusions.map(
    (x) =>
      `<tr><td>${e(local(x.start, r.timezone))}</td><td>${e(local(x.end, r.timezone))}</td><td>${e(x.type)}</td><td>${e(x.scope)}</td><td>${e(x.reason)}</td><td>${e(x.origin === 'fleet' ? 'fleet file' : `${x.recordedBy ?? 'recorded'}${x.recordedAt ? `, ${local(x.recordedAt, r.timezone)}` : ''}`)}</td><td class="num">${x.scheduled ? 'scheduled' : e(x.minutes)}</td></tr>`,
  );
  return `<section class="exclusions">
<h2>Exclusion windows (${e(r.exclusions.length)})</h2>
${rows.length === 0 ? '<p>No exclusion window this month.</p>' : `<table><thead><tr><th>start</th><th>end</th><th>kind</th><th>scope</th><th>reason</th><th>recorded</th><th>minutes</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table><p class="note">Overlapping windows are counted once in the excluded minutes.</p>`}
</section>`;
}

function recovery(r: SlaReport): string {
  const rpo = r.rpo;
  const rpoText =
    rpo.withinPercent === null
      ? 'No recovery point was known during the month: no RPO evidence.'
      : `${e(trunc(rpo.withinPercent))} % of ${e(rpo.minutesWithEvidence)} minutes within the RPO of ${e(duration(rpo.targetSeconds))}; worst exposure ${e(duration(rpo.worstExposureSeconds ?? 0))} at ${e(local(rpo.worstAt ?? r.start, r.timezone))}${rpo.minutesWithoutEvidence > 0 ? `; ${e(rpo.minutesWithoutEvidence)} minutes without evidence` : ''}.`;
  const t = r.rto.lastTest;
  const rtoText =
    t === null
      ? 'No restore test is known: no RTO evidence.'
      : `Last restore test ${e(local(t.at, r.timezone))}: <strong>${t.ok ? 'succeeded' : 'failed'}</strong> in ${e(duration(t.durationSeconds))}, ${t.withinTarget ? 'within' : 'beyond'} the RTO of ${e(duration(r.rto.targetSeconds))}.`;
  return `<section class="recovery">
<h2>Recovery evidence</h2>
<table class="figures"><tr><th>RPO</th><td>${rpoText}</td></tr><tr><th>RTO</th><td>${rtoText}</td></tr></table>
</section>`;
}

function signature(s: StoredReport): string {
  return `<section class="signature">
<h2>Signature</h2>
<table class="figures">
<tr><th>Revision</th><td>${e(revisionText(s))} · computed ${e(s.computedAt)}</td></tr>
<tr><th>Reason</th><td>${e(s.reason ?? '—')}</td></tr>${changes(s)}
<tr><th>SHA-256 digest</th><td class="hash">${e(s.digest)}</td></tr>
<tr><th>HMAC-SHA-256</th><td class="hash">${s.signature === null ? '<strong class="unsigned">UNSIGNED: no signing key was configured; the digest identifies the content but proves nothing about who produced it.</strong>' : e(s.signature)}</td></tr>
</table>
<p class="note">The digest is over the canonical JSON of the report (RFC 8785); <code>tenantscope sla recompute</code> rebuilds it from the exported evidence.</p>
</section>`;
}

/** What changed since the previous revision, so a new revision never changes anything silently. */
function changes(s: StoredReport): string {
  if (!s.changes || s.changes.length === 0) return '';
  return `<tr><th>Changes</th><td class="changes">${changeLines(s.changes)}</td></tr>`;
}

/** Changes between revisions, one escaped line each (`field: old → new`), the first 40 and a count of the rest. */
export function changeLines(list: readonly ReportChange[]): string {
  const shown = list.slice(0, 40).map((c) => `${e(c.field)}: ${e(JSON.stringify(c.old) ?? '—')} → ${e(JSON.stringify(c.new) ?? '—')}`);
  const more = list.length > shown.length ? `<br>… and ${e(list.length - shown.length)} more (the JSON report lists them all)` : '';
  return `${shown.join('<br>')}${more}`;
}

/** Revision and status in one phrase that never contradicts itself (revision 0 is never frozen). */
export function revisionText(s: Pick<StoredReport, 'revision' | 'status'>): string {
  if (s.status === 'frozen') return `${s.revision} (frozen)`;
  if (s.status === 'provisional') return `${s.revision} (provisional: computed live, month over, not frozen yet)`;
  return `${s.revision} (month to date: computed live, not frozen)`;
}

function statusText(s: StoredReport): string {
  if (s.status === 'month-to-date') return `month to date as of ${s.report.monthToDate?.asOf ?? s.computedAt}, figures will change`;
  if (s.status === 'provisional') return 'provisional: month over, late evidence may still arrive';
  return `frozen, revision ${s.revision}`;
}

/** An instant in a zone as the pages show it: 2026-03-05 11:00 +01:00. */
export function local(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone }).toFormat('yyyy-LL-dd HH:mm ZZ');
}

function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${m} min`;
}

function trunc(value: number): string {
  return String(Math.trunc(value * 100) / 100);
}
