import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { canRead } from '../../auth/principal';
import { csrfMatches, csrfToken, endSession, openSession, SESSION_HOURS, sessionPrincipal } from '../../auth/session-store';
import { principalOf } from '../../auth/token-store';
import type { Clock } from '../../core/clock';
import { RequestError } from '../../core/errors';
import type { Pool } from '../../storage/db';
import { cookieValue, setCookie } from './cookies';
import { field } from './form';
import type { Viewer } from './layout';
import { signInPage } from './sign-in-view';

declare module 'fastify' {
  interface FastifyRequest {
    /** The page session's id, set by `requireSession` on every page behind the sign-in. */
    uiSession: string | null;
  }
}

export const SESSION_COOKIE = 'tsui_session';
// Before a session exists, the sign-in form is protected by a double-submit value: a page of
// another site can post a form, but cannot read this cookie to put its value in the form.
const SIGN_IN_COOKIE = 'tsui_signin';
const SIGN_IN_PATH = '/ui/sign-in';

export interface SessionDeps {
  pool: Pool;
  clock: Clock;
}

/** onRequest hook of the pages behind the sign-in: a live session, else back to the sign-in form. */
export function requireSession({ pool, clock }: SessionDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const id = cookieValue(request.headers.cookie, SESSION_COOKIE);
    const who = id === undefined ? undefined : await sessionPrincipal(pool, id, new Date(clock.now()));
    if (!who || !canRead(who)) {
      if (id !== undefined) void reply.header('set-cookie', setCookie(SESSION_COOKIE, '', cookieOptions(request, 0)));
      if (request.method === 'GET') return reply.redirect(`${SIGN_IN_PATH}${id === undefined ? '' : '?ended=1'}`, 303);
      throw new RequestError(401, 'the session has ended (signed out, expired after 12 hours, or its token revoked): sign in again');
    }
    request.principal = who;
    request.uiSession = id!;
  };
}

/** preHandler of every POST behind the sign-in: the form carries the session's CSRF token. */
export async function requireCsrf(request: FastifyRequest): Promise<void> {
  sameOrigin(request);
  if (!request.uiSession || !csrfMatches(request.uiSession, field(request.body, '_csrf')))
    throw new RequestError(403, 'the form carries no valid CSRF token: reload the page and send it again');
}

/** The signed-in viewer of a page reached through `requireSession`. */
export function viewer(request: FastifyRequest): Viewer {
  if (!request.principal || !request.uiSession) throw new Error('page reached without a session');
  return { who: request.principal, csrf: csrfToken(request.uiSession) };
}

/** GET and POST /ui/sign-in, POST /ui/sign-out. */
export const sessionRoutes: FastifyPluginAsync<{ deps: SessionDeps }> = async (app, { deps }) => {
  const { pool, clock } = deps;
  const form = (request: FastifyRequest, reply: FastifyReply, status: number, message?: { kind: 'error' | 'done'; text: string }) => {
    const value = randomBytes(24).toString('base64url');
    return reply
      .code(status)
      .header('set-cookie', setCookie(SIGN_IN_COOKIE, value, { ...cookieOptions(request, 3600), path: SIGN_IN_PATH }))
      .type('text/html; charset=utf-8')
      .send(signInPage(value, message));
  };

  app.get<{ Querystring: { ended?: string; out?: string } }>('/sign-in', async (request, reply) => {
    const { ended, out } = request.query;
    if (out !== undefined) return form(request, reply, 200, { kind: 'done', text: 'You are signed out.' });
    if (ended !== undefined)
      return form(request, reply, 200, {
        kind: 'error',
        text: 'Your session has ended (expired after 12 hours, or its token was revoked): sign in again.',
      });
    return form(request, reply, 200);
  });

  app.post('/sign-in', async (request, reply) => {
    sameOrigin(request);
    const expected = cookieValue(request.headers.cookie, SIGN_IN_COOKIE);
    if (!expected || !equal(expected, field(request.body, '_csrf')))
      return form(request, reply, 403, { kind: 'error', text: 'The sign-in form had expired or came from elsewhere: try again.' });
    const who = await principalOf(pool, field(request.body, 'token').trim());
    if (!who) return form(request, reply, 401, { kind: 'error', text: 'That token is unknown or revoked.' });
    if (!canRead(who))
      return form(request, reply, 403, {
        kind: 'error',
        text: `Token ${who.name} is an ingest token: it pushes log lines and reads nothing.`,
      });
    const session = await openSession(pool, who.name, new Date(clock.now()));
    return reply
      .header('set-cookie', [
        setCookie(SESSION_COOKIE, session.id, cookieOptions(request, SESSION_HOURS * 3600)),
        setCookie(SIGN_IN_COOKIE, '', { ...cookieOptions(request, 0), path: SIGN_IN_PATH }),
      ])
      .redirect('/ui/', 303);
  });

  app.post('/sign-out', { onRequest: requireSession(deps), preHandler: requireCsrf }, async (request, reply) => {
    await endSession(pool, request.uiSession!);
    return reply.header('set-cookie', setCookie(SESSION_COOKIE, '', cookieOptions(request, 0))).redirect(`${SIGN_IN_PATH}?out=1`, 303);
  });
};
Object.defineProperty(sessionRoutes, Symbol.for('fastify.display-name'), { value: 'session-routes' });

function cookieOptions(request: FastifyRequest, maxAgeSeconds: number) {
  return { path: '/ui', maxAgeSeconds, secure: request.protocol === 'https' };
}

/**
 * A POST a browser says came from another site is refused before anything else is looked at.
 * Sec-Fetch-Site says it where the browser sends it; Origin otherwise, except "null", which
 * Chromium sends for a same-origin form under our Referrer-Policy: no-referrer.
 */
function sameOrigin(request: FastifyRequest): void {
  const site = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  const foreign =
    site !== undefined
      ? site !== 'same-origin'
      : origin !== undefined && origin !== 'null' && origin !== `${request.protocol}://${request.host}`;
  if (foreign) throw new RequestError(403, `origin: a form of ${origin ?? 'another site'} may not post here`);
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
