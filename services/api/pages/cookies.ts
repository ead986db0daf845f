/**
 * The few cookie rules the pages need (RFC 6265), without a plugin: reading one name out of the
 * Cookie header, and writing a cookie that is always HttpOnly and SameSite=Strict.
 */

/** The value of cookie `name` in a Cookie header; undefined when absent. The first one wins. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    const raw = pair.slice(eq + 1).trim();
    return raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : raw;
  }
  return undefined;
}

export interface CookieOptions {
  path: string;
  /** Seconds; 0 removes the cookie. */
  maxAgeSeconds: number;
  /** Set when the request came over HTTPS, so the browser never sends the cookie in clear. */
  secure: boolean;
}

const VALUE = /^[A-Za-z0-9_-]*$/;

/** A Set-Cookie value: HttpOnly (no script reads it) and SameSite=Strict (no other site sends it). */
export function setCookie(name: string, value: string, options: CookieOptions): string {
  // Our values are base64url ids: anything else would need quoting rules we do not want.
  if (!VALUE.test(value)) throw new RangeError(`cookie ${name}: expected a base64url value`);
  const parts = [`${name}=${value}`, `Path=${options.path}`, `Max-Age=${options.maxAgeSeconds}`, 'HttpOnly', 'SameSite=Strict'];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
