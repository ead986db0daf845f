import type { FastifyPluginAsync } from 'fastify';
import type { IngestDeps } from '../../collectors/lib/collector';
import { PUSH_BODY_LIMIT_BYTES, pushOdooLog } from '../../collectors/odoo-log/push';

const pushSchema = {
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
  },
} as const;

/**
 * Lines pushed by a log shipper (Vector `http` sink, Fluent Bit `http` output) for one cluster.
 * The body is taken as bytes whatever its type (the service tells text from JSON by the content
 * type); these parsers stay inside this plugin.
 */
export const ingestRoutes: FastifyPluginAsync<{ deps: IngestDeps }> = async (app, options) => {
  app.removeAllContentTypeParsers();
  // bytes, not text: a line that is not UTF-8 is counted by the push, not decoded into U+FFFD
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: PUSH_BODY_LIMIT_BYTES }, (_request, body, done) => done(null, body));

  app.post<{ Params: { cluster: string }; Body: Buffer | undefined }>(
    '/ingest/odoo-log/:cluster',
    { schema: pushSchema, bodyLimit: PUSH_BODY_LIMIT_BYTES },
    async (request, reply) => {
      const encoding = request.headers['content-encoding'];
      if (encoding !== undefined && encoding !== 'identity') {
        return reply.code(415).send({ error: `content encoding ${encoding} is not accepted; send the lines uncompressed` });
      }
      return pushOdooLog(options.deps, request.params.cluster, request.body ?? Buffer.alloc(0), request.headers['content-type']);
    },
  );
};
