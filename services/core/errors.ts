import { redact } from './redact';

/**
 * Typed errors of tenantscope. Messages are in product words and quote the caller's identifier;
 * they never carry a DSN or a secret: each message (and each configuration problem) goes through
 * the one redaction as the error is made, so a URL quoted in one is shown without its password.
 */

/** A configuration input (environment or fleet file) that cannot be used. Exit code 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** One line per problem, each naming the file or variable, the key path and what was expected. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    const shown = problems.map(redact);
    super(shown.join('\n'));
    this.problems = shown;
  }
}

/** A migration file that failed or a schema newer than this code. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(message: string, options?: ErrorOptions) {
    super(redact(message), options);
  }
}

/**
 * A request the API refuses: bad input (400), no or bad token (401), a role that may not (403),
 * unknown or foreign resource (404), a body too slow to arrive (408), too large (413), an encoding
 * it does not take (415), too many requests (429), a format this installation cannot make (501:
 * PDF without Chromium), or every push slot taken (503, with Retry-After).
 */
export class RequestError extends Error {
  override readonly name = 'RequestError';
  constructor(
    readonly statusCode: 400 | 401 | 403 | 404 | 408 | 409 | 413 | 415 | 429 | 501 | 503,
    message: string,
  ) {
    super(redact(message));
  }
}

/** A collector run that could not read its source. Recorded as collector_success 0, never thrown into a scrape. */
export class CollectorError extends Error {
  override readonly name = 'CollectorError';
  constructor(message: string, options?: ErrorOptions) {
    super(redact(message), options);
  }
}
