import type { FastifyReply, FastifyRequest } from 'fastify';
import { canWrite, type Principal } from '../auth/principal';
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
