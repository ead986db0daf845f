import pino, { type Logger } from 'pino';
import { redactError } from './redact';

export type { Logger };

/**
 * The process logger: JSON lines, pretty only when stdout is a terminal (fastify/demo
 * `server.ts`). Object first, message second: `log.warn({ tenant, collector, err }, 'scrape failed')`.
 */
export function createLogger(level = 'info', name = 'tenantscope'): Logger {
  const pretty = process.stdout.isTTY === true;
  return pino({
    name,
    level,
    // An error is logged as { err }: its type, message and stack, with URLs' passwords removed.
    serializers: { err: redactError },
    ...(pretty && { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard' } } }),
  });
}

/** A logger that writes nothing, for library callers and tests that do not look at logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
