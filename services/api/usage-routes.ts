import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Clock } from '../core/clock';
import type { Fleet } from '../config/fleet-types';
import { usageCsv, usageForTenant, usageReport } from '../noisy/usage-report';
import type { Pool } from '../storage/db';
import { principal } from './auth-hook';
import { ErrorBody, MonthParams } from './schemas';

const UsageQuery = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) },
  { additionalProperties: false },
);

/**
 * The monthly chargeback report (docs/noisy-neighbours.md), the same data as `tenantscope usage`. A tenant
 * token gets its own lines, its cluster's totals and its own placement entry only.
 */
export const usageRoutes: FastifyPluginAsync<{ deps: { pool: Pool; fleet: Fleet; clock: Clock } }> = async (app, { deps }) => {
  app.get<{ Params: { month: string }; Querystring: { format?: 'json' | 'csv' } }>(
    '/usage/:month',
    {
      schema: {
        tags: ['usage'],
        summary:
          'per-tenant usage and share of each shared resource for a month (cluster time zone), idle capacity spread by usage, storage, placement advice, growth (database size per day with its spread and the days to the quota, use against the month before); ?format=csv',
        params: MonthParams,
        querystring: UsageQuery,
        response: { 200: Type.Unknown(), 400: ErrorBody },
      },
    },
    async (request, reply) => {
      const who = principal(request);
      const { month } = request.params;
      const full = await usageReport(deps.pool, deps.fleet, month, deps.clock);
      const report = who.role === 'tenant' ? usageForTenant(full, who.tenant) : full;
      if (request.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8; header=present')
          .header('content-disposition', `attachment; filename="usage-${month}.csv"`)
          .send(usageCsv(report));
      }
      return report;
    },
  );
};
Object.defineProperty(usageRoutes, Symbol.for('fastify.display-name'), { value: 'usage-routes' });
