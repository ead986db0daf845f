import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { RequestError } from '../core/errors';
import { redact } from '../core/redact';
import type { Logger } from '../core/logger';
import type { IngestDeps } from '../../collectors/lib/collector';
import { apiV1, type ApiV1Deps } from './api-v1';
import { healthRoutes, type ReadinessCheck } from './health-routes';
import { ingestRoutes } from './ingest-routes';
import { frameworkRefusal } from './framework-errors';
import { collectOpenApi } from './openapi';
import { validationError } from './validation-error';
import rateLimit from '@fastify/rate-limit';
import { DEFAULT_LIMITS, perAddressLimit, type ApiLimits } from './limits';
import { metricsGuard, type MetricsAuth } from './metrics-auth';
import { isPage, securityHeaders } from './security-headers';
import { pages } from './pages/pages';

export interface ApiDeps {
  log: Logger;
  /** The /metrics exposition (services/metrics/registry.ts). */
  metrics: { contentType: string; metrics(): Promise<string> };
  readiness: ReadinessCheck[];
  /** When given, log lines can be pushed (`POST /ingest/odoo-log/:cluster`). */
  ingest?: IngestDeps;
  /** When given, /api/v1 (tenants, exclusion windows, reports) is served behind bearer tokens. */
  api?: ApiV1Deps;
  /** Rates and push slots; DEFAULT_LIMITS when not given. */
  limits?: ApiLimits;
  /** When given, /metrics asks for these credentials (docs/operations.md#metrics). */
  metricsAuth?: MetricsAuth;
  /** Chromium for the pages' PDFs; /usr/bin/chromium when not given. */
  chromiumPath?: string;
}

const API_PREFIX = '/api/v1';

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
    // A 400 names the field in product words ("month: expected YYYY-MM"), not Ajv's wording.
    schemaErrorFormatter: validationError,
    // An unknown field is refused (400 naming it), not silently dropped: a misspelt "tenat" would
    // otherwise record a window for nobody in particular. No coercion either: ["t1"] is not a
    // tenant id and 42 is not a reason; a query string stays text (a repeated key is an array,
    // refused), and a route reads any number out of it itself.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
    // A bad percent-escape or an over-long path segment: answered before routing, in our shape.
    frameworkErrors: (err, request, reply) => {
      const refusal = frameworkRefusal(err, request) ?? { status: 400, message: 'url: not a request this API takes' };
      void (reply as FastifyReply).code(refusal.status).send({ error: refusal.message });
    },
  });
  // Registered before any route, so the document sees every one of them.
  const openApi = collectOpenApi(
    app,
    { title: 'tenantscope', version: packageVersion() },
    (url) => url.startsWith(`${API_PREFIX}/`) || url.startsWith('/ingest/'),
    // The pages are HTML for a browser, documented in docs/pages.md, not operations of the API.
    (url) => !isPage(url),
  );

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown; code?: string }, request, reply) => {
    const refusal = frameworkRefusal(err, request);
    if (refusal) return reply.code(refusal.status).send({ error: refusal.message });
    const status = err instanceof RequestError ? err.statusCode : err.validation ? 400 : (err.statusCode ?? 500);
    // a RequestError is ours to word (a 503 says why and when to retry); any other 5xx is a fault
    if (status >= 500 && !(err instanceof RequestError)) {
      request.log.error({ err, request: { method: request.method, url: request.url } }, 'request failed');
      return reply.code(status).send({ error: 'internal error' });
    }
    return reply.code(status).send({ error: redact(err.message) });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route ${request.method} ${redact(request.url.split('?')[0] ?? '')}` }),
  );

  const limits = deps.limits ?? DEFAULT_LIMITS;
  // the token's name, for the per-token limit and the audit trail; set by `authenticate`
  app.decorateRequest('principal', null);
  // every route, /metrics and the probes too, counts against its address; the authenticated
  // contexts add a per-token limit (limits.ts)
  await app.register(rateLimit, limits.perAddressPerMinute > 0 ? perAddressLimit(limits.perAddressPerMinute) : { global: false });
  securityHeaders(app);
  await app.register(healthRoutes, { readiness: deps.readiness });
  if (deps.ingest) await app.register(ingestRoutes, { deps: deps.ingest, limits });
  app.get('/metrics', { onRequest: metricsGuard(deps.metricsAuth) }, async (_request, reply) => {
    const body = await deps.metrics.metrics();
    return reply.type(deps.metrics.contentType).send(body);
  });
  if (deps.api) {
    await app.register(apiV1, { prefix: API_PREFIX, deps: deps.api, limits });
    // The same data and rules for a browser: a session cookie instead of a bearer header (docs/pages.md).
    await app.register(pages, {
      prefix: '/ui',
      deps: deps.api,
      ...(deps.chromiumPath !== undefined && { chromiumPath: deps.chromiumPath }),
    });
  }
  // Open like /metrics: the document holds no data, and clients need it before they hold a token.
  app.get('/openapi.json', { schema: { summary: 'this OpenAPI 3.1 document' } }, async () => openApi());
  return app;
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}
