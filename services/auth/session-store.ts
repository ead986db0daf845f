import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../storage/db';
import type { Principal } from './principal';
import { principalNamed } from './token-store';

/**
 * Sessions of the service manager's pages (docs/pages.md). The browser holds a random id; the
 * database keeps its SHA-256, the token's name and the times. A session is only as good as its
 * token: the lookup asks the token store each time, so revoking the token ends every session of it.
 */
export const SESSION_HOURS = 12;

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

const INSERT_SESSION = 'INSERT INTO ui_session (session_hash, token_name, created_at, expires_at) VALUES ($1, $2, $3, $4)';
const SESSION_TOKEN = 'SELECT token_name FROM ui_session WHERE session_hash = $1 AND expires_at > $2';
const DELETE_SESSION = 'DELETE FROM ui_session WHERE session_hash = $1';
const DELETE_EXPIRED = 'DELETE FROM ui_session WHERE expires_at <= $1';

/** Opens a session for a token (already checked by the caller) and returns its id, once. */
export async function openSession(db: Queryable, tokenName: string, at: Date): Promise<{ id: string; expiresAt: Date }> {
  // Sessions that ran out are removed here, so the table holds only live ones and the day's sign-ins.
  await db.query(DELETE_EXPIRED, [at]);
  const id = randomBytes(32).toString('base64url');
  const expiresAt = new Date(at.getTime() + SESSION_HOURS * 3_600_000);
  await db.query(INSERT_SESSION, [sessionHash(id), tokenName, at, expiresAt]);
  return { id, expiresAt };
}

/** Who a session acts as: undefined when it is unknown, expired, or its token was revoked. */
export async function sessionPrincipal(db: Queryable, id: string, at: Date): Promise<Principal | undefined> {
  if (!SESSION_ID.test(id)) return undefined;
  const { rows } = await db.query<{ token_name: string }>(SESSION_TOKEN, [sessionHash(id), at]);
  return rows[0] && principalNamed(db, rows[0].token_name);
}

/** Ends a session (sign-out); nothing happens for an unknown id. */
export async function endSession(db: Queryable, id: string): Promise<void> {
  if (SESSION_ID.test(id)) await db.query(DELETE_SESSION, [sessionHash(id)]);
}

/**
 * The CSRF token of a session: derived from the session id, which only the HttpOnly cookie
 * carries, so a page of another site can neither read nor compute it, and nothing more is stored.
 */
export function csrfToken(sessionId: string): string {
  return createHash('sha256').update(`csrf\0${sessionId}`, 'utf8').digest('base64url');
}

/** Whether a form's CSRF field is the session's, compared in constant time. */
export function csrfMatches(sessionId: string, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const expected = Buffer.from(csrfToken(sessionId));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function sessionHash(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}
