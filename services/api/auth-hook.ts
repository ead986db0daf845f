import type { FastifyReply, FastifyRequest } from 'fastify';
import { canPush, canRead, canWrite, type Principal } from '../auth/principal';
import { principalOf } from '../auth/token-store';
import { RequestError } from '../core/errors';
import type { Queryable } from '../storage/db';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the bearer token stands for; set by `authenticate` on every /api/v1 route. */
    principal: Principal | null;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9_~+/.-]+=*)$/;

/** onRequest hook: a known, unrevoked bearer token, else 401 (RFC 6750 challenge). */
export function authenticate(db: Queryable) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const match = BEARER.exec(request.headers.authorization ?? '');
    const principal = match ? await principalOf(db, match[1]!) : undefined;
    if (!principal) {
      void reply.header('www-authenticate', 'Bearer realm="tenantscope"');
      throw new RequestError(
        401,
        match ? 'the bearer token is unknown or revoked' : 'a bearer token is required (Authorization: Bearer ...)',
      );
    }
    request.principal = principal;
  };
}

/** onRequest hook of /api/v1, after `authenticate`: an ingest token pushes evidence and reads nothing. */
export async function requireReader(request: FastifyRequest): Promise<void> {
  const who = principal(request);
  if (!canRead(who)) throw new RequestError(403, `token ${who.name} (${who.role}) pushes log lines only; it reads nothing under /api/v1`);
}

/**
 * onRequest hook of the push route, after `authenticate`, before a byte of the body is read: only
 * an ingest token pushes (403 for the other roles), and a cluster it does not name is 404 with the
 * words of an unknown cluster, so a shipper's token cannot probe which clusters exist.
 */
export async function requirePusher(request: FastifyRequest): Promise<void> {
  const who = principal(request);
  if (who.role !== 'ingest') throw new RequestError(403, `token ${who.name} (${who.role}) may not push log lines; an ingest token may`);
  const { cluster } = request.params as { cluster: string };
  if (!canPush(who, cluster)) throw new RequestError(404, unknownCluster(cluster));
}

/** The 404 of a push to a cluster that is not in the fleet file, or not the token's. */
export function unknownCluster(cluster: string): string {
  return `no cluster named ${JSON.stringify(cluster)} in the fleet file`;
}

/** The principal of an authenticated route (the hook guarantees one). */
export function principal(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('route reached without authentication');
  return request.principal;
}

/** preHandler of writing routes: only admin tokens change exclusion windows. */
export async function requireWriter(request: FastifyRequest): Promise<void> {
  const who = principal(request);
  // A read-only token is authenticated (not 401); it just may not write.
  if (!canWrite(who)) throw new RequestError(403, `token ${who.name} (${who.role}) may not change exclusion windows; an admin token may`);
}
