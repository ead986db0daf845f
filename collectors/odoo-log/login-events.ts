/**
 * Odoo's login lines (`res.users._login`, logger `odoo.addons.base.models.res_users`, before 12
 * `odoo.addons.base.res.res_users` and `openerp.addons.base.res.res_users`):
 *   12 and later: `Login successful for db:<db> login:<login> from <address>`
 *                 `Login failed for db:<db> login:<login> from <address>`
 *   11 and before: the same without ` from <address>`.
 * Some forks log `from ` with nothing after it. A login and an address are personal data: the
 * caller keeps counts and, for evidence, a salted hash, never the text (docs/metrics.md).
 */
export const LOGIN_LOGGERS = new Set([
  'odoo.addons.base.models.res_users',
  'odoo.addons.base.res.res_users',
  'openerp.addons.base.res.res_users',
]);

export interface LoginEvent {
  outcome: 'success' | 'failure';
  /** The database the line names; the record's dbname column is the same on a real log. */
  database: string;
  login: string;
  /** Null where the version or the fork does not log it. */
  address: string | null;
}

const LOGIN = /^Login (successful|failed) for db:(\S*) login:(.*?)(?: from ?(\S*))?\s*$/;

export function parseLoginMessage(message: string): LoginEvent | undefined {
  const m = LOGIN.exec(message);
  if (!m) return undefined;
  return {
    outcome: m[1] === 'successful' ? 'success' : 'failure',
    database: m[2]!,
    login: m[3]!,
    address: m[4] === undefined || m[4] === '' || m[4] === 'n/a' ? null : m[4],
  };
}
