import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { canSeeTenant, type Principal } from '../auth/principal';
import type { Fleet, Tenant } from '../config/fleet-types';
import { RequestError } from '../core/errors';
import { principal } from './auth-hook';
import { ErrorBody, TenantParams, TenantView } from './schemas';

/** The fleet's tenants as the running process loaded them; a tenant token lists only itself. */
export const tenantRoutes: FastifyPluginAsync<{ fleet: Fleet }> = async (app, { fleet }) => {
  app.get(
    '/tenants',
    {
      schema: {
        tags: ['tenants'],
        summary: 'tenants visible to the token',
        response: { 200: Type.Object({ tenants: Type.Array(TenantView) }) },
      },
    },
    async (request) => {
      const who = principal(request);
      return { tenants: fleet.tenants.filter((t) => canSeeTenant(who, t.id)).map(tenantView) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/tenants/:id',
    { schema: { tags: ['tenants'], summary: 'one tenant', params: TenantParams, response: { 200: TenantView, 404: ErrorBody } } },
    async (request) => tenantView(visibleTenant(fleet, request.params.id, principal(request))),
  );
};
Object.defineProperty(tenantRoutes, Symbol.for('fastify.display-name'), { value: 'tenant-routes' });

/** The tenant if it exists and the token may see it; otherwise 404 either way (never 403: no probing). */
export function visibleTenant(fleet: Fleet, id: string, who: Principal): Tenant {
  const tenant = fleet.tenants.find((t) => t.id === id);
  if (!tenant || !canSeeTenant(who, id)) throw new RequestError(404, `tenant: no tenant ${JSON.stringify(id)}`);
  return tenant;
}

function tenantView(t: Tenant) {
  return {
    id: t.id,
    name: t.name,
    cluster: t.cluster,
    tier: t.tier,
    timezone: t.timezone,
    monthlyFee: { amount: t.monthlyFee.amount, currency: t.monthlyFee.currency },
  };
}
