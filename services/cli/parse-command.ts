import { readFileSync } from 'node:fs';
import { IANAZone } from 'luxon';
import { PARSE_KINDS, type ParseResult } from '../../collectors/parse-kinds';
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
  let bytes: Buffer;
  try {
    bytes = readFileSync(file === '-' ? 0 : file);
  } catch (err) {
    throw new ConfigError([
      `tenantscope parse: cannot read ${file === '-' ? 'standard input' : file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
  // No database, so no context (services/root/context.ts) to open: the system clock dates the read.
  const options = { zone: values.zone as string, referenceMs: systemClock.now() };
  const write = (text: string) => process.stdout.write(text);
  const counts = parser.ndjson ? parser.ndjson(bytes, options, write) : ndjson(parser.parse(bytes.toString('utf8'), options), write);
  process.stderr.write(`${JSON.stringify(counts)}\n`);
  return 0;
}

function ndjson({ records, rejected }: ParseResult, write: (text: string) => void): { records: number; rejected: number } {
  let out = '';
  for (const record of records) {
    out += `${JSON.stringify(record)}\n`;
    if (out.length > 1 << 16) {
      write(out);
      out = '';
    }
  }
  write(out);
  return { records: records.length, rejected };
}
