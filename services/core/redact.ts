/**
 * The one redaction of tenantscope: every URL, target id, log line, error, metric label and
 * message that may carry a fleet or environment URL goes through it. It removes URL userinfo
 * (`user:password@`) and the values of password-like parameters (`?password=`, `&api_key=`,
 * libpq's `password=` in a conninfo string), and nothing else, so a redacted URL still says which
 * server it names (scheme, host, port, path and its other parameters).
 */

// `scheme://` then everything up to the last `@` before the host ends: a password with an
// unencoded `@` (redis://u:p@ss@host) is removed whole, as URL parsers read it.
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#'"<>]*@/gi;

// A parameter whose name says it holds a secret: password, PASSWORD, db_password, sslpassword,
// passwd, pwd, pass, passphrase, secret, client_secret, token, access_token, api_key, apikey,
// api-key, auth, auth_token ... after `?`, `&`, `;`, whitespace or the start of the text.
const SECRET_KEY = '[a-z0-9_.-]*(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|auth)';
const SECRET_PARAM = new RegExp(`((?:^|[?&;\\s])${SECRET_KEY}=)(?:'(?:[^'\\\\]|\\\\.)*'|[^&;\\s#'"<>]*)`, 'gi');
const SECRET_NAME = new RegExp(`^${SECRET_KEY}$`, 'i');

export function redact(text: string): string {
  return text.replace(USERINFO, '$1').replace(SECRET_PARAM, '$1***');
}

/** True when a URL carries a password itself: in its userinfo or in a password-like query parameter. */
export function hasInlinePassword(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redact(url) !== url;
  }
  return parsed.password !== '' || [...parsed.searchParams.keys()].some((key) => SECRET_NAME.test(key));
}

/** What redactError gives: an error's type, redacted message and stack, code, and the same of its causes. */
export interface RedactedError {
  type: string;
  message: string;
  stack?: string;
  code?: string;
  cause?: RedactedError;
  errors?: RedactedError[];
}

/**
 * An error as it may be logged or shown: its type, redacted message and stack, and code, and so
 * for its `cause` and an AggregateError's `errors` (a connection to `localhost` fails once per
 * address); no other property: ioredis puts the AUTH command with its arguments on its errors.
 */
export function redactError(err: unknown, depth = 0): RedactedError {
  if (!(err instanceof Error)) return { type: typeof err, message: redact(String(err)) };
  const code = (err as { code?: unknown }).code;
  const cause: unknown = err.cause;
  const nested = depth < 3;
  return {
    type: err.name,
    message: redact(err.message),
    ...(err.stack !== undefined && { stack: redact(err.stack) }),
    ...(typeof code === 'string' && { code }),
    ...(nested && cause !== undefined && { cause: redactError(cause, depth + 1) }),
    ...(nested && err instanceof AggregateError && { errors: err.errors.slice(0, 8).map((e: unknown) => redactError(e, depth + 1)) }),
  };
}

/**
 * An error fit to be stored where tenantscope does not control the format (BullMQ keeps a failed
 * job's message and stack in Redis): same name, message and stack, redacted; nothing else.
 */
export function redactedError(err: unknown): Error {
  const shown = redactError(err);
  const copy = new Error(shown.message);
  copy.name = shown.type;
  copy.stack = shown.stack ?? `${shown.type}: ${shown.message}`;
  return copy;
}

/**
 * Every string in a log record or a JSON body redacted, objects and arrays walked, and the value
 * of a password-like key (`password`, `apiKey`...) replaced; errors are left to the `err`
 * serializer, other class instances (dates, buffers) as they are.
 */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, typeof v === 'string' && SECRET_NAME.test(k) ? '***' : redactDeep(v, depth + 1)]),
  );
}
