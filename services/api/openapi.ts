import type { FastifyInstance, RouteOptions } from 'fastify';

declare module 'fastify' {
  /** Documentation keys of a route schema (as @fastify/swagger names them); fastify ignores them. */
  interface FastifySchema {
    summary?: string;
    tags?: string[];
  }
}

interface RouteSchema {
  summary?: string;
  tags?: string[];
  params?: JsonSchema;
  querystring?: JsonSchema;
  body?: JsonSchema;
  response?: Record<string, JsonSchema>;
}
type JsonSchema = { properties?: Record<string, JsonSchema>; required?: string[]; description?: string; [key: string]: unknown };

interface Operation {
  method: string;
  url: string;
  schema: RouteSchema | undefined;
}

/**
 * Collects every route as it is registered (call before registering them) and returns a function
 * that builds the OpenAPI 3.1 document from their own schemas: TypeBox output is JSON Schema
 * 2020-12, which OpenAPI 3.1 takes as is. Written by hand rather than with @fastify/swagger: it is
 * this one walk over the routes, and it keeps a dependency (and its UI assets) out.
 */
export function collectOpenApi(
  app: FastifyInstance,
  info: { title: string; version: string },
  isProtected: (url: string) => boolean,
  isDocumented: (url: string) => boolean = () => true,
): () => unknown {
  const operations: Operation[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD' || route.url === '*' || !isDocumented(route.url)) continue;
      operations.push({ method: method.toLowerCase(), url: route.url, schema: route.schema as RouteSchema | undefined });
    }
  });
  let built: unknown;
  return () => (built ??= document(operations, info, isProtected));
}

function document(operations: readonly Operation[], info: { title: string; version: string }, isProtected: (url: string) => boolean) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of [...operations].sort((a, b) => (a.url === b.url ? a.method.localeCompare(b.method) : a.url < b.url ? -1 : 1))) {
    const path = op.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const s = op.schema ?? {};
    (paths[path] ??= {})[op.method] = {
      ...(s.summary && { summary: s.summary }),
      ...(s.tags && { tags: s.tags }),
      parameters: [...parameters(s.params, 'path'), ...parameters(s.querystring, 'query')],
      ...(s.body && { requestBody: { required: true, content: { 'application/json': { schema: plain(s.body) } } } }),
      responses: responses(s.response, isProtected(op.url)),
      security: isProtected(op.url) ? [{ bearer: [] }] : [],
    };
  }
  return {
    openapi: '3.1.0',
    info,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'tenantscope token create prints one' } } },
    paths,
  };
}

function parameters(schema: JsonSchema | undefined, where: 'path' | 'query') {
  return Object.entries(schema?.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (schema?.required ?? []).includes(name),
    ...(s.description !== undefined && { description: s.description }),
    schema: plain(s),
  }));
}

function responses(response: Record<string, JsonSchema> | undefined, needsToken: boolean) {
  const out: Record<string, unknown> = {};
  for (const [code, schema] of Object.entries(response ?? { 200: undefined })) {
    out[code] = {
      description: DESCRIPTIONS[code] ?? 'answer',
      ...(schema && { content: { 'application/json': { schema: plain(schema) } } }),
    };
  }
  if (needsToken) out['401'] = { description: DESCRIPTIONS['401'] };
  // every route counts against its client address, and a token's routes against the token too
  out['429'] = { description: DESCRIPTIONS['429'] };
  return out;
}

const DESCRIPTIONS: Record<string, string> = {
  '200': 'ok',
  '201': 'created',
  '400': 'bad input; the message names the field',
  '401': 'no bearer token, or an unknown or revoked one',
  '403': "the token's role may not do this",
  '404': 'unknown, or not visible to this token',
  '413': 'the body is larger than this route takes',
  '415': 'a content type or encoding this route does not take',
  '429': 'too many requests from this address or with this token; Retry-After says when to try again',
  '503': 'busy; Retry-After says when to try again',
};

/** The schema as plain JSON (TypeBox marks its objects with symbol keys, which JSON drops anyway). */
function plain(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema)) as unknown;
}
