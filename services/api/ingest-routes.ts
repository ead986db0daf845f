import type { FastifyPluginAsync } from 'fastify';
import type { IngestDeps } from '../../collectors/lib/collector';
import { PUSH_BODY_LIMIT_BYTES, pushOdooLog } from '../../collectors/odoo-log/push';
import { authenticate, requirePusher } from './auth-hook';
import { RequestError } from '../core/errors';
import { perTokenLimit, type ApiLimits } from './limits';

const ERROR = { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] } as const;

const pushSchema = {
  summary: "an Odoo log shipper's lines for one cluster (ingest token of that cluster); text, NDJSON or a JSON array",
  params: {
    type: 'object',
    properties: { cluster: { type: 'string', minLength: 1, maxLength: 200 } },
    required: ['cluster'],
  },
  response: {
    200: {
      type: 'object',
      properties: { records: { type: 'integer' }, rejected: { type: 'integer' }, duplicate: { type: 'boolean' } },
      required: ['records', 'rejected', 'duplicate'],
    },
    403: ERROR,
    404: ERROR,
    413: ERROR,
    415: ERROR,
    503: ERROR,
  },
} as const;

/** Seconds a shipper is told to wait when every push slot is taken: about one push's time. */
const BUSY_RETRY_SECONDS = 2;

/**
 * Lines pushed by a log shipper (Vector `http` sink, Fluent Bit `http` output) for one cluster,
 * with an ingest token for that cluster. The token is checked, and a free push slot taken, before
 * a byte of the body is read; the body then streams into the parser (collectors/odoo-log/push.ts),
 * so memory follows the number of slots, not the number of shippers. The service tells text from
 * JSON by the content type; these parsers stay inside this plugin.
 */
export const ingestRoutes: FastifyPluginAsync<{ deps: IngestDeps; limits: ApiLimits }> = async (app, options) => {
  const { deps, limits } = options;
  app.removeAllContentTypeParsers();
  // the raw stream, read by the route: bytes, not text, so a line that is not UTF-8 is counted,
  // not decoded into U+FFFD; and no body is read for a request refused before the handler
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  app.addHook('onRequest', authenticate(deps.pool));
  app.addHook('onRequest', requirePusher);
  if (limits.perTokenPerMinute > 0) app.addHook('onRequest', app.rateLimit(perTokenLimit(limits.perTokenPerMinute)));
  let busy = 0;

  app.post<{ Params: { cluster: string }; Body: AsyncIterable<Buffer> | undefined }>(
    '/ingest/odoo-log/:cluster',
    { schema: pushSchema },
    async (request, reply) => {
      const encoding = request.headers['content-encoding'];
      if (encoding !== undefined && encoding !== 'identity') {
        throw new RequestError(415, `content-encoding: ${encoding} is not accepted; send the lines uncompressed`);
      }
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > PUSH_BODY_LIMIT_BYTES) throw tooLarge();
      if (busy >= limits.concurrentPushes) {
        void reply.header('retry-after', String(BUSY_RETRY_SECONDS));
        throw new RequestError(503, `busy: ${limits.concurrentPushes} pushes are being read; retry in ${BUSY_RETRY_SECONDS} s`);
      }
      busy += 1;
      // a shipper that stalls mid-body would hold its slot for good: it is cut off, the slot freed
      const deadline = setTimeout(
        () => request.raw.destroy(new RequestError(408, `body: not received within ${limits.pushReadSeconds} s; push smaller batches`)),
        limits.pushReadSeconds * 1000,
      );
      try {
        return await pushOdooLog(deps, request.params.cluster, request.body ?? Buffer.alloc(0), request.headers['content-type']);
      } finally {
        clearTimeout(deadline);
        busy -= 1;
      }
    },
  );
};
Object.defineProperty(ingestRoutes, Symbol.for('fastify.display-name'), { value: 'ingest-routes' });

function tooLarge(): RequestError {
  return new RequestError(413, `body: larger than ${PUSH_BODY_LIMIT_BYTES} bytes; push smaller batches`);
}
