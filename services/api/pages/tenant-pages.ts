import { DateTime } from 'luxon';
import type { FastifyPluginAsync } from 'fastify';
import { canSeeTenant } from '../../auth/principal';
import { RequestError } from '../../core/errors';
import { reportHtml } from '../../sla/render/html';
import { monthReports, reportRevisions, tenantReport, type ReportDeps, type StoredReport } from '../../sla/store/report-store';
import { visibleTenant } from '../tenant-routes';
import { pdfOf } from './pdf';
import { reportPage } from './report-view';
import { viewer } from './session';
import { tenantsPage, type TenantRow } from './tenants-view';

/** GET /ui/ (the tenants with their month to date) and GET /ui/tenants/:tenant/:month (one report). */
export const tenantPages: FastifyPluginAsync<{ deps: ReportDeps; chromiumPath: string }> = async (app, { deps, chromiumPath }) => {
  app.get('/', async (request, reply) => {
    const v = viewer(request);
    const tenants = deps.fleet.tenants.filter((t) => canSeeTenant(v.who, t.id));
    // Each tenant's current month is its own: near a month's end the zones can disagree.
    const monthOf = new Map(tenants.map((t) => [t.id, DateTime.fromMillis(deps.clock.now(), { zone: t.timezone }).toFormat('yyyy-LL')]));
    const reports = new Map<string, StoredReport>();
    for (const month of new Set(monthOf.values())) {
      // A tenant token's list is its own report: computing the whole fleet to filter it would be waste.
      const found = v.who.role === 'tenant' ? [await tenantReport(deps, v.who.tenant, month)] : await monthReports(deps, month);
      for (const r of found) if (r && monthOf.get(r.tenant) === month) reports.set(r.tenant, r);
    }
    const rows: TenantRow[] = tenants.map((t) => ({ tenant: t, month: monthOf.get(t.id)!, report: reports.get(t.id) }));
    return reply.type('text/html; charset=utf-8').send(tenantsPage(rows, v));
  });

  app.get<{ Params: { tenant: string; month: string }; Querystring: { revision?: string; format?: string } }>(
    '/tenants/:tenant/:month',
    async (request, reply) => {
      const v = viewer(request);
      const { tenant, month } = request.params;
      const { revision: revisionText, format } = request.query;
      const t = visibleTenant(deps.fleet, tenant, v.who);
      if (format !== undefined && format !== 'pdf') throw new RequestError(400, 'format: expected pdf, or no format for the page');
      if (revisionText !== undefined && !/^\d{1,9}$/.test(revisionText))
        throw new RequestError(400, `revision: expected a revision number, got ${JSON.stringify(revisionText).slice(0, 40)}`);
      const revision = revisionText === undefined ? undefined : Number(revisionText);
      const shown = await tenantReport(deps, tenant, month, revision);
      if (!shown)
        throw new RequestError(
          404,
          revision !== undefined
            ? `revision: no revision ${revision} of ${tenant} ${month}`
            : `month: no report for ${tenant} in ${month} (the month has not begun)`,
        );
      if (format === 'pdf') {
        const pdf = await pdfOf(reportHtml(shown, t.name), chromiumPath);
        return reply.type('application/pdf').header('content-disposition', `inline; filename="sla-${tenant}-${month}.pdf"`).send(pdf);
      }
      const revisions = await reportRevisions(deps, tenant, month);
      return reply.type('text/html; charset=utf-8').send(reportPage(shown, revisions, t.name, v));
    },
  );
};
Object.defineProperty(tenantPages, Symbol.for('fastify.display-name'), { value: 'tenant-pages' });
