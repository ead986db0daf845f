import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { canSeeTenant } from '../auth/principal';
import { RequestError } from '../core/errors';
import { revisionJson } from '../sla/render/json';
import { monthReportsText, REPORT_CONTENT_TYPES, tenantReportText } from '../sla/render/report-text';
import { monthReports, reportRevisions, tenantReport, type ReportDeps } from '../sla/store/report-store';
import { principal } from './auth-hook';
import { ErrorBody, MonthParams, MonthReportQuery, ReportView, RevisionView, TenantMonthParams, TenantReportQuery } from './schemas';
import { visibleTenant } from './tenant-routes';

/**
 * Monthly SLA reports (docs/sla.md): all tenants of a month (JSON, or CSV for billing), one
 * tenant's month (JSON with its seal, or the printable HTML page), and its frozen revisions.
 * The report store decides frozen versus live; these routes only pick and render.
 */
export const reportRoutes: FastifyPluginAsync<{ deps: ReportDeps }> = async (app, { deps }) => {
  const nameOf = (tenant: string) => deps.fleet.tenants.find((t) => t.id === tenant)?.name ?? tenant;

  app.get<{ Params: { month: string }; Querystring: { format?: 'json' | 'csv' } }>(
    '/reports/:month',
    {
      schema: {
        tags: ['reports'],
        summary: "every visible tenant's report for a month; ?format=csv gives one billing row per tenant",
        params: MonthParams,
        querystring: MonthReportQuery,
        response: { 200: Type.Object({ month: Type.String(), reports: Type.Array(ReportView) }), 400: ErrorBody },
      },
    },
    async (request, reply) => {
      const who = principal(request);
      const { month } = request.params;
      // A tenant token's list is its own report: computing the whole fleet to filter it would be waste.
      const reports =
        who.role === 'tenant'
          ? [await tenantReport(deps, who.tenant, month)].filter((r) => r !== undefined)
          : (await monthReports(deps, month)).filter((r) => canSeeTenant(who, r.tenant));
      // The same text `tenantscope report` prints, byte for byte (report-text.ts).
      if (request.query.format === 'csv') {
        return reply
          .type(REPORT_CONTENT_TYPES.csv)
          .header('content-disposition', `attachment; filename="sla-${month}.csv"`)
          .send(monthReportsText(month, reports, nameOf, 'csv'));
      }
      return reply.type(REPORT_CONTENT_TYPES.json).send(monthReportsText(month, reports, nameOf, 'json'));
    },
  );

  app.get<{ Params: { month: string; tenant: string }; Querystring: { format?: 'json' | 'html'; revision?: string } }>(
    '/reports/:month/:tenant',
    {
      schema: {
        tags: ['reports'],
        summary: "one tenant's month: the newest frozen revision, else computed now (revision 0); ?format=html for the printable page",
        params: TenantMonthParams,
        querystring: TenantReportQuery,
        response: { 200: ReportView, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { month, tenant } = request.params;
      const t = visibleTenant(deps.fleet, tenant, principal(request));
      const revision = request.query.revision === undefined ? undefined : Number(request.query.revision);
      const stored = await tenantReport(deps, tenant, month, revision);
      if (!stored) {
        throw new RequestError(
          404,
          revision !== undefined
            ? `revision: no revision ${revision} of ${tenant} ${month}`
            : `month: no report for ${tenant} in ${month} (the month has not begun)`,
        );
      }
      const format = request.query.format === 'html' ? 'html' : 'json';
      return reply.type(REPORT_CONTENT_TYPES[format]).send(tenantReportText(stored, t.name, format));
    },
  );

  app.get<{ Params: { month: string; tenant: string } }>(
    '/reports/:month/:tenant/revisions',
    {
      schema: {
        tags: ['reports'],
        summary: "frozen revisions of a tenant's month, oldest first, each with its reason",
        params: TenantMonthParams,
        response: {
          200: Type.Object({ tenant: Type.String(), month: Type.String(), revisions: Type.Array(RevisionView) }),
          404: ErrorBody,
        },
      },
    },
    async (request) => {
      const { month, tenant } = request.params;
      visibleTenant(deps.fleet, tenant, principal(request));
      const revisions = await reportRevisions(deps, tenant, month);
      return { tenant, month, revisions: revisions.map(({ report: _report, ...rest }) => revisionJson(rest)) };
    },
  );
};
Object.defineProperty(reportRoutes, Symbol.for('fastify.display-name'), { value: 'report-routes' });
