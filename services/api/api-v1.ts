import type { FastifyPluginAsync } from 'fastify';
import type { ReportDeps } from '../sla/store/report-store';
import type { Pool } from '../storage/db';
import { authenticate, requireReader } from './auth-hook';
import { perTokenLimit, type ApiLimits } from './limits';
import { exclusionRoutes } from './exclusion-routes';
import { noisyRoutes } from './noisy-routes';
import { reportRoutes } from './report-routes';
import { tenantRoutes } from './tenant-routes';
import { usageRoutes } from './usage-routes';

/** What /api/v1 needs: the pool (tokens, exclusion windows) and the report store's dependencies. */
export interface ApiV1Deps {
  pool: Pool;
  reports: ReportDeps;
}

/**
 * /api/v1: every route behind a bearer token of a reading role (not ingest), counted per token.
 * The hooks are added in this encapsulated context, so /metrics, /healthz and /readyz outside it
 * keep their own rules.
 */
export const apiV1: FastifyPluginAsync<{ deps: ApiV1Deps; limits: ApiLimits }> = async (app, { deps, limits }) => {
  // Bodies here are JSON only: a text body is 415, not a string the schema then calls "not an object".
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', authenticate(deps.pool));
  app.addHook('onRequest', requireReader);
  if (limits.perTokenPerMinute > 0) app.addHook('onRequest', app.rateLimit(perTokenLimit(limits.perTokenPerMinute)));
  const { fleet, clock } = deps.reports;
  await app.register(tenantRoutes, { fleet });
  await app.register(exclusionRoutes, { deps: { pool: deps.pool, fleet, clock } });
  await app.register(reportRoutes, { deps: deps.reports });
  await app.register(noisyRoutes, { deps: { pool: deps.pool, fleet } });
  await app.register(usageRoutes, { deps: { pool: deps.pool, fleet, clock } });
};
Object.defineProperty(apiV1, Symbol.for('fastify.display-name'), { value: 'api-v1' });
