import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestError } from '../core/errors';
import type { MetricsCredentials } from '../config/env';

/**
 * Credentials /metrics asks for, in the forms Prometheus sends: `authorization: {credentials_file}`
 * (a bearer token) or `basic_auth: {username, password_file}`. /metrics shows every tenant's id,
 * tier and availability (and, unless hidden, its name), which not everyone on the network should read.
 */
export type MetricsAuth = MetricsCredentials;

/** onRequest hook of /metrics: nothing to check without `auth`; else 401 with the challenge of its kind. */
export function metricsGuard(auth: MetricsAuth | undefined) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!auth) return;
    const expected = auth.kind === 'bearer' ? `Bearer ${auth.token.reveal()}` : basic(auth.username, auth.password.reveal());
    if (sameText(request.headers.authorization ?? '', expected)) return;
    void reply.header(
      'www-authenticate',
      auth.kind === 'bearer' ? 'Bearer realm="tenantscope-metrics"' : 'Basic realm="tenantscope-metrics"',
    );
    throw new RequestError(
      401,
      `/metrics needs ${auth.kind === 'bearer' ? 'a bearer token' : 'basic authentication'} (docs/operations.md#metrics)`,
    );
  };
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** Compares digests, so the time taken says nothing about how much of a guess was right. */
function sameText(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
