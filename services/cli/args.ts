import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../core/errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses a command's flags; an unknown flag or a missing value is a usage error (exit 2). */
export function parseFlags<O extends Options>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new ConfigError([`tenantscope ${command}: ${(err as Error).message}`]);
  }
}
