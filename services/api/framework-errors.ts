import type { FastifyRequest } from 'fastify';

/**
 * fastify's own refusals (body parsing, router) in the API's words: a status below 500 and a
 * message naming what was wrong, "body: ...", "content-type: ...", "url: ...". Its defaults
 * would answer `{ statusCode, code, error, message }` with framework wording instead.
 */
export function frameworkRefusal(err: Error & { code?: string }, request: FastifyRequest): { status: number; message: string } | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, message: `body: larger than the ${request.routeOptions.bodyLimit ?? 'allowed'} bytes this route takes` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        message: `content-type: expected application/json, got ${JSON.stringify(request.headers['content-type'] ?? '')}`,
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, message: 'body: not valid JSON' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, message: 'body: empty; expected a JSON object' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, message: 'content-length: does not match the body sent' };
    case 'FST_ERR_BAD_URL':
      return { status: 400, message: 'url: a path with a percent-escape that is not UTF-8' };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { status: 414, message: 'url: a path segment longer than 100 characters' };
    default:
      return undefined;
  }
}
