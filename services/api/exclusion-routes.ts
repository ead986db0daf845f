import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { canSeeCluster, canSeeTenant, type Principal } from '../auth/principal';
import type { Clock } from '../core/clock';
import type { Fleet } from '../config/fleet-types';
import { RequestError } from '../core/errors';
import { exclusionAudit, listExclusions, recordExclusion, revokeExclusion, type RecordedExclusion } from '../sla/store/exclusion-store';
import { withTransaction, type Pool } from '../storage/db';
import { principal, requireWriter } from './auth-hook';
import {
  AuditEntry,
  ErrorBody,
  ExclusionBody,
  ExclusionParams,
  ExclusionQuery,
  ExclusionView,
  RevokeBody,
  type ExclusionBodyT,
  type ExclusionQueryT,
} from './schemas';
import { visibleTenant } from './tenant-routes';

export interface ExclusionRouteDeps {
  pool: Pool;
  fleet: Fleet;
  clock: Clock;
}

/**
 * Exclusion windows recorded through the API (docs/sla.md), with their audit trail. Who recorded
 * a window is the token's name. A tenant token sees its tenant's windows and its cluster's.
 */
export const exclusionRoutes: FastifyPluginAsync<{ deps: ExclusionRouteDeps }> = async (app, { deps }) => {
  const { pool } = deps;
  /** The window if it exists and the token may see it; 404 naming the id otherwise. */
  const visibleWindow = async (who: Principal, id: string): Promise<void> => {
    if (who.role !== 'tenant') return;
    const mine = await listExclusions(pool, { tenant: who.tenant });
    if (!mine.some((x) => x.id === id)) throw new RequestError(404, `id: no exclusion window ${id}`);
  };

  app.get<{ Querystring: ExclusionQueryT }>(
    '/exclusions',
    {
      schema: {
        tags: ['exclusions'],
        summary: 'recorded windows (revoked ones included), filtered to what the token may see',
        querystring: ExclusionQuery,
        response: { 200: Type.Object({ exclusions: Type.Array(ExclusionView) }) },
      },
    },
    async (request) => ({ exclusions: await visibleExclusions(deps, principal(request), request.query) }),
  );

  app.post<{ Body: ExclusionBodyT }>(
    '/exclusions',
    {
      preHandler: requireWriter,
      schema: {
        tags: ['exclusions'],
        summary: 'record a window for one tenant or one cluster (admin)',
        body: ExclusionBody,
        response: { 201: ExclusionView, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => reply.code(201).send(await recordWindow(deps, principal(request), request.body)),
  );

  app.post<{ Params: { id: string }; Body: { reason: string } }>(
    '/exclusions/:id/revoke',
    {
      preHandler: requireWriter,
      schema: {
        tags: ['exclusions'],
        summary: 'revoke a window (kept, marked revoked; admin)',
        params: ExclusionParams,
        body: RevokeBody,
        response: { 200: ExclusionView, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => revokeWindow(deps, principal(request), request.params.id, request.body.reason),
  );

  app.get<{ Params: { id: string } }>(
    '/exclusions/:id/audit',
    {
      schema: {
        tags: ['exclusions'],
        summary: 'every action on a window, in order',
        params: ExclusionParams,
        response: { 200: Type.Object({ id: Type.String(), audit: Type.Array(AuditEntry) }), 404: ErrorBody },
      },
    },
    async (request) => {
      await visibleWindow(principal(request), request.params.id);
      const audit = await exclusionAudit(pool, request.params.id);
      if (audit.length === 0) throw new RequestError(404, `id: no exclusion window ${request.params.id}`);
      return { id: request.params.id, audit };
    },
  );
};
Object.defineProperty(exclusionRoutes, Symbol.for('fastify.display-name'), { value: 'exclusion-routes' });

/** The recorded windows a token may see: a tenant token its tenant's and its cluster's (404 for another tenant). */
export async function visibleExclusions(deps: ExclusionRouteDeps, who: Principal, query: ExclusionQueryT): Promise<RecordedExclusion[]> {
  const { pool, fleet } = deps;
  const filter = { ...query };
  if (filter.tenant !== undefined) visibleTenant(fleet, filter.tenant, who);
  if (who.role === 'tenant' && filter.tenant === undefined) filter.tenant = who.tenant;
  const clusterOf = (tenant: string) => fleet.tenants.find((t) => t.id === tenant)?.cluster;
  const exclusions = await listExclusions(pool, filter);
  return exclusions.filter((x) => (x.tenant !== null ? canSeeTenant(who, x.tenant) : canSeeCluster(who, x.cluster as string, clusterOf)));
}

/** Records a window with its audit row, by the token's name (the caller has checked it may write). */
export async function recordWindow(deps: ExclusionRouteDeps, who: Principal, body: ExclusionBodyT): Promise<RecordedExclusion> {
  return withTransaction(deps.pool, (client) => recordExclusion(client, body, who.name, new Date(deps.clock.now())));
}

/** Revokes a window with its audit row; 404 naming an unknown id (the caller has checked it may write). */
export async function revokeWindow(deps: ExclusionRouteDeps, who: Principal, id: string, reason: string): Promise<RecordedExclusion> {
  const revoked = await withTransaction(deps.pool, (client) => revokeExclusion(client, id, who.name, new Date(deps.clock.now()), reason));
  if (!revoked) throw new RequestError(404, `id: no exclusion window ${id}`);
  return revoked;
}
