import { inspect } from 'node:util';

/**
 * A password read from a file or an environment variable (fleet `passwordFile` / `passwordEnv`,
 * TENANTSCOPE_*_PASSWORD_FILE). It prints, logs and serialises as `[secret]`; only `reveal()`
 * gives the value, which `withPassword` puts into a URL at the moment a client connects.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[secret]';
  }

  toJSON(): string {
    return '[secret]';
  }

  [inspect.custom](): string {
    return 'Secret([secret])';
  }
}

/**
 * `url` with `password` as the password of its userinfo (percent-encoded, as the pg and ioredis
 * URL parsers decode it); `url` itself without a password. A URL without a host to carry
 * userinfo (a PostgreSQL socket URL, `postgres:///db?host=/run/postgresql`) gets a `password`
 * parameter instead, which pg and libpq read.
 */
export function withPassword(url: string, password: Secret | undefined): string {
  if (password === undefined) return url;
  try {
    const parsed = new URL(url);
    if (parsed.host !== '') {
      parsed.password = encodeURIComponent(password.reveal());
      return parsed.toString();
    }
  } catch {
    // not a URL the WHATWG parser takes: the parameter form below
  }
  const hash = url.indexOf('#');
  const [head, tail] = hash < 0 ? [url, ''] : [url.slice(0, hash), url.slice(hash)];
  return `${head}${head.includes('?') ? '&' : '?'}password=${encodeURIComponent(password.reveal())}${tail}`;
}

/**
 * The Basic credentials of an HTTP URL's userinfo (its password replaced by `password` when
 * given) as an Authorization header, and the URL without them: fetch refuses a URL with
 * credentials, and a URL without them is fit for a message.
 */
export function basicAuth(url: string, password: Secret | undefined): { url: string; headers: Record<string, string> } {
  const parsed = new URL(url);
  const user = decodeURIComponent(parsed.username);
  const pass = password?.reveal() ?? decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  if (user === '' && pass === '') return { url: parsed.toString(), headers: {} };
  return { url: parsed.toString(), headers: { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` } };
}
