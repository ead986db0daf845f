import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Fleet } from '../config/fleet-types';
import { RequestError } from '../core/errors';
import { listIncidents } from '../noisy/incident-store';
import { canSeeIncident, incidentView } from '../noisy/incident-view';
import type { Pool } from '../storage/db';
import { principal } from './auth-hook';
import { parseInstant } from '../core/instant';
import { ErrorBody, EXPECTED, Instant, TenantId } from './schemas';
import { visibleTenant } from './tenant-routes';

const IncidentQuery = Type.Object(
  { from: Type.Optional(Instant), to: Type.Optional(Instant), tenant: Type.Optional(TenantId) },
  { additionalProperties: false },
);

/**
 * Noisy-neighbour incidents (docs/noisy-neighbours.md): confirmed incidents overlapping [from, to), optionally
 * those naming one tenant. A tenant token gets only the incidents naming its own tenant, with
 * the other tenants' names withheld (services/noisy/incident-view.ts); asking for another
 * tenant is a 404, as everywhere in /api/v1.
 */
export const noisyRoutes: FastifyPluginAsync<{ deps: { pool: Pool; fleet: Fleet } }> = async (app, { deps }) => {
  app.get<{ Querystring: { from?: string; to?: string; tenant?: string } }>(
    '/noisy/incidents',
    {
      schema: {
        tags: ['noisy'],
        summary: 'confirmed noisy-neighbour incidents overlapping [from, to), optionally naming a tenant as antagonist or victim',
        querystring: IncidentQuery,
        response: { 200: Type.Object({ incidents: Type.Array(Type.Unknown()) }), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const who = principal(request);
      const { from, to, tenant } = request.query;
      if (tenant !== undefined) visibleTenant(deps.fleet, tenant, who);
      const fromMs = instant('from', from);
      const toMs = instant('to', to);
      if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs) throw new RequestError(400, 'to: expected a time after from');
      const scope = tenant ?? (who.role === 'tenant' ? who.tenant : undefined);
      const incidents = await listIncidents(deps.pool, {
        ...(fromMs !== undefined && { fromMs }),
        ...(toMs !== undefined && { toMs }),
        ...(scope !== undefined && { tenant: scope }),
      });
      return { incidents: incidents.filter((i) => canSeeIncident(who, i)).map((i) => incidentView(who, i)) };
    },
  );
};
Object.defineProperty(noisyRoutes, Symbol.for('fastify.display-name'), { value: 'noisy-routes' });

/** The schema checked the shape; a date that does not exist or a year outside 1970–9999 is refused here. */
function instant(field: 'from' | 'to', value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseInstant(value);
  if (ms === undefined) throw new RequestError(400, `${field}: ${EXPECTED[field]} (a real date, 1970 to 9999)`);
  return ms;
}
