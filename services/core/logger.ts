import pino, { type DestinationStream, type Logger } from 'pino';
import { redact, redactDeep, redactError } from './redact';

export type { Logger };

/**
 * The process logger: JSON lines, pretty only when stdout is a terminal (fastify/demo
 * `server.ts`). Object first, message second: `log.warn({ tenant, collector, err }, 'scrape failed')`.
 * Every line goes through the one redaction (services/core/redact.ts): its fields, its message
 * and its `err` as it is built, and the finished line once more on its way out (that covers
 * the bindings of child loggers, which pino formats apart), so no URL's password reaches a log.
 */
export function createLogger(level = 'info', name = 'tenantscope', out: DestinationStream = redactingStdout()): Logger {
  const pretty = process.stdout.isTTY === true;
  const options: pino.LoggerOptions = {
    name,
    level,
    // An error is logged as { err }: its type, message and stack, with URLs' passwords removed.
    serializers: { err: redactError },
    formatters: { log: (record) => redactDeep(record) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        return method.apply(this, args.map((arg) => (typeof arg === 'string' ? redact(arg) : arg)) as Parameters<typeof method>);
      },
    },
  };
  if (pretty) return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard' } } });
  return pino(options, out);
}

/** Standard output, each line redacted; synchronous like pino's default, so no line is lost at exit. */
function redactingStdout(): DestinationStream {
  const stdout = pino.destination({ fd: 1, sync: true });
  return { write: (line: string) => void stdout.write(redact(line)) };
}

/** A logger that writes nothing, for library callers and tests that do not look at logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
