import type { Fleet } from '../../config/fleet-types';
import { escapeHtml as e } from '../../sla/render/escape';
import type { ExclusionAuditEntry, RecordedExclusion } from '../../sla/store/exclusion-store';
import { csrfField, notice, page, type Viewer } from './layout';

export interface ExclusionRow {
  window: RecordedExclusion;
  audit: readonly ExclusionAuditEntry[];
}

export interface ExclusionsPageInput {
  rows: readonly ExclusionRow[];
  /** Tenants and clusters the viewer may name in a new window (admin only). */
  fleet: Fleet;
  writer: boolean;
  message?: { kind: 'error' | 'done'; text: string };
  /** What the refused form held, to send again after a correction. */
  form?: Record<string, string>;
}

const KINDS = ['maintenance', 'customer', 'force-majeure'];

/** Exclusion windows recorded through the API or these pages, revoked ones included, with their audit trail. */
export function exclusionsPage(input: ExclusionsPageInput, viewer: Viewer): string {
  const rows = input.rows.map((row) => windowRow(row, input.writer, viewer.csrf));
  return page(
    'Exclusion windows',
    `<h1>Exclusion windows</h1>
${input.message ? notice(input.message.kind, input.message.text) : ''}
<p>Approved windows whose minutes count as excluded in the reports (docs/sla.md). Revoking keeps a window, marked revoked: a frozen report that counted it stays explainable, and its next revision says what changed. Windows from the fleet file (scheduled maintenance) are in each report, not here.</p>
${input.writer ? recordForm(input.fleet, viewer.csrf, input.form ?? {}) : '<p class="note">Only an admin token records or revokes windows.</p>'}
<h2>Recorded (${e(input.rows.length)})</h2>
${
  rows.length === 0
    ? '<p>No window recorded.</p>'
    : `<table class="windows"><thead><tr><th>id</th><th>scope</th><th>kind</th><th>start (UTC)</th><th>end (UTC)</th><th>reason</th><th>status and audit</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`
}`,
    viewer,
  );
}

function windowRow({ window: x, audit }: ExclusionRow, writer: boolean, csrf: string): string {
  const scope = x.tenant !== null ? `tenant ${x.tenant}` : `cluster ${x.cluster ?? ''}`;
  const status =
    x.revokedAt === null
      ? `<strong>in force</strong>, recorded by ${e(x.recordedBy)}`
      : `<strong>revoked</strong> by ${e(x.revokedBy ?? '')} at ${e(utc(x.revokedAt))}: ${e(x.revokeReason ?? '')}`;
  const trail = audit.map((a) => `<li>${e(utc(a.at))} ${e(a.action)} by ${e(a.by)}: <code>${e(JSON.stringify(a.detail))}</code></li>`);
  const revoke =
    writer && x.revokedAt === null
      ? `<form class="inline" method="post" action="/ui/exclusions/${e(x.id)}/revoke">${csrfField(csrf)}<input name="reason" required maxlength="1000" placeholder="why it no longer applies" aria-label="reason to revoke window ${e(x.id)}"> <button type="submit">Revoke</button></form>`
      : '';
  return `<tr id="window-${e(x.id)}" class="${x.revokedAt === null ? 'active' : 'revoked'}"><td>${e(x.id)}</td><td>${e(scope)}</td><td>${e(x.kind)}</td><td>${e(utc(x.start))}</td><td>${e(utc(x.end))}</td><td>${e(x.reason)}</td><td>${status}<details><summary>audit (${e(audit.length)})</summary><ul class="audit">${trail.join('')}</ul></details>${revoke}</td></tr>`;
}

function recordForm(fleet: Fleet, csrf: string, form: Record<string, string>): string {
  const option = (value: string, label: string, chosen: string | undefined) =>
    `<option value="${e(value)}"${value === chosen ? ' selected' : ''}>${e(label)}</option>`;
  const tenants = fleet.tenants.map((t) => option(t.id, `${t.id} (${t.name})`, form.tenant));
  const clusters = Object.keys(fleet.clusters).map((c) => option(c, c, form.cluster));
  const value = (name: string) => (form[name] === undefined ? '' : ` value="${e(form[name])}"`);
  return `<h2>Record a window</h2>
<form class="stacked" method="post" action="/ui/exclusions">
${csrfField(csrf)}
<label for="tenant">Tenant</label><select id="tenant" name="tenant"><option value="">— (or choose a cluster)</option>${tenants.join('')}</select>
<label for="cluster">or cluster</label><select id="cluster" name="cluster"><option value="">— (or choose a tenant)</option>${clusters.join('')}</select>
<label for="kind">Kind</label><select id="kind" name="kind">${KINDS.map((k) => option(k, k, form.kind)).join('')}</select>
<label for="start">Start</label><input id="start" name="start" required placeholder="2026-03-10T22:00:00Z"${value('start')}>
<label for="end">End</label><input id="end" name="end" required placeholder="2026-03-11T01:00:00Z"${value('end')}>
<label for="reason">Reason</label><input id="reason" name="reason" required maxlength="1000"${value('reason')}>
<p class="note">Times in RFC 3339 with Z or an offset; whole minutes, start included, end excluded.</p>
<p><button type="submit">Record</button></p>
</form>`;
}

/** An instant as the list shows it: 2026-03-08 01:00 UTC. */
function utc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
