// Telemetry first: its instrumentations must see pg, ioredis and fastify load.
import { startTelemetry } from '../core/telemetry';
startTelemetry();

import { ConfigError, MigrationError } from '../core/errors';
import { redact } from '../core/redact';
import { COMMANDS, usage } from './commands';

/** Exit codes: 0 done, 1 failed while running, 2 bad configuration or usage. */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`tenantscope: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`tenantscope: configuration refused:\n${err.problems.map((p) => `  ${p}`).join('\n')}\n`);
      process.exitCode = 2;
    } else if (err instanceof MigrationError) {
      process.stderr.write(`tenantscope: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      // an error from a library (pg, ioredis, fetch) may quote a URL: shown through the one redaction
      process.stderr.write(`tenantscope: ${redact((err as Error).stack ?? String(err))}\n`);
      process.exitCode = 1;
    }
  },
);
