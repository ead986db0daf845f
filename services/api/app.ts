import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { RequestError } from '../errors';
import type { Logger } from '../logger';
import type { IngestDeps } from '../collect/run-types';
import { healthRoutes, type ReadinessCheck } from './health-routes';
import { ingestRoutes } from './ingest-routes';

export interface ApiDeps {
  log: Logger;
  metrics: Registry;
  readiness: ReadinessCheck[];
  /** When given, log lines can be pushed (`POST /ingest/odoo-log/:cluster`). */
  ingest?: IngestDeps;
}

/**
 * The HTTP adapter: thin routes over services, one error handler that shows messages only
 * below 500 (fastify/demo `app.ts`).
 */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log.child({ component: 'api' }) as FastifyBaseLogger,
    // Prometheus scrapes every 15 s; a log line per request would drown the useful ones.
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
  });

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
    const status = err instanceof RequestError ? err.statusCode : err.validation ? 400 : (err.statusCode ?? 500);
    if (status >= 500) {
      request.log.error({ err, request: { method: request.method, url: request.url } }, 'request failed');
      return reply.code(status).send({ error: 'internal error' });
    }
    return reply.code(status).send({ error: err.message });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` }));

  await app.register(healthRoutes, { readiness: deps.readiness });
  if (deps.ingest) await app.register(ingestRoutes, { deps: deps.ingest });
  app.get('/metrics', async (_request, reply) => {
    const body = await deps.metrics.metrics();
    return reply.type(deps.metrics.contentType).send(body);
  });
  return app;
}
