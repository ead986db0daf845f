import { readFileSync } from 'node:fs';
import { IANAZone } from 'luxon';
import { PARSE_KINDS } from '../../collectors/parse-kinds';
import { systemClock } from '../core/clock';
import { ConfigError } from '../core/errors';
import { parseFlags } from './args';

/** Prints what a collector makes of a file: NDJSON records on stdout, the counts last on stderr. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags('parse', args, { zone: { type: 'string', default: 'UTC' } });
  const [kind, file] = positionals;
  const parser = PARSE_KINDS.find((p) => p.kind === kind);
  if (!parser || file === undefined || positionals.length > 2) {
    throw new ConfigError([`tenantscope parse: expected <kind> <file|->, kind one of ${PARSE_KINDS.map((p) => p.kind).join(', ')}`]);
  }
  if (!IANAZone.isValidZone(values.zone as string))
    throw new ConfigError([`tenantscope parse: --zone expected an IANA time zone, got ${JSON.stringify(values.zone)}`]);
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new ConfigError([
      `tenantscope parse: cannot read ${file === '-' ? 'standard input' : file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
  // No database, so no context (services/root/context.ts) to open: the system clock dates the read.
  const { records, rejected } = parser.parse(text, { zone: values.zone as string, referenceMs: systemClock.now() });
  let out = '';
  for (const record of records) {
    out += `${JSON.stringify(record)}\n`;
    if (out.length > 1 << 16) {
      process.stdout.write(out);
      out = '';
    }
  }
  process.stdout.write(out);
  process.stderr.write(`${JSON.stringify({ records: records.length, rejected })}\n`);
  return 0;
}
