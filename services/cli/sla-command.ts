import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fleetPath, loadFleetFile } from '../config/fleet';
import { ConfigError } from '../core/errors';
import { canonicalJson } from '../sla/canonical';
import { parseEvidenceLine } from '../sla/evidence';
import { EvidenceIndex } from '../sla/minute-evidence';
import { isMonth } from '../core/month';
import { computeFleetReports } from '../sla/report';
import { parseFlags } from './args';
import { exportBundle, recompute } from './sla-audit-commands';

/**
 * `tenantscope sla <subcommand>`. `compute` works offline from a fleet file and an evidence
 * bundle; `export` and `recompute` are the audit path over PostgreSQL (sla-audit-commands.ts).
 */
const SUBCOMMANDS: ReadonlyMap<string, (args: string[]) => Promise<number>> = new Map([
  ['compute', compute],
  ['export', exportBundle],
  ['recompute', recompute],
]);

export async function run(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const sub = name === undefined ? undefined : SUBCOMMANDS.get(name);
  if (!sub) {
    throw new ConfigError([
      `tenantscope sla: expected a subcommand (${[...SUBCOMMANDS.keys()].join(', ')}), got ${name === undefined ? 'none' : JSON.stringify(name)}`,
    ]);
  }
  return sub(rest);
}

async function compute(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags('sla compute', args, {
    fleet: { type: 'string' },
    evidence: { type: 'string' },
    month: { type: 'string' },
    tenant: { type: 'string' },
  });
  if (positionals.length > 0) throw new ConfigError([`tenantscope sla compute: unexpected argument ${JSON.stringify(positionals[0])}`]);
  const { month, tenant, evidence } = values;
  if (month === undefined || !isMonth(month))
    throw new ConfigError([
      `tenantscope sla compute: --month expected YYYY-MM from 1970-01 to 9999-12, got ${JSON.stringify(month ?? null)}`,
    ]);
  if (evidence === undefined) throw new ConfigError(['tenantscope sla compute: --evidence expected an NDJSON file or - for stdin']);
  const fleet = loadFleetFile(fleetPath('sla compute', values.fleet, process.env.TENANTSCOPE_FLEET_FILE));
  if (tenant !== undefined && !fleet.tenants.some((t) => t.id === tenant)) {
    throw new ConfigError([`tenantscope sla compute: --tenant expected a tenant of ${fleet.source}, got ${JSON.stringify(tenant)}`]);
  }
  const index = await readEvidence(evidence);
  for (const report of computeFleetReports(fleet, month, index, tenant)) process.stdout.write(`${canonicalJson(report)}\n`);
  return 0;
}

/** Reads the bundle line by line (it can be large); bad lines go to stderr with their number. */
async function readEvidence(file: string): Promise<EvidenceIndex> {
  const input = file === '-' ? process.stdin : createReadStream(file, 'utf8');
  const opened = new Promise<void>((resolve, reject) => {
    if (file === '-') resolve();
    else input.once('open', () => resolve()).once('error', reject);
  });
  try {
    await opened;
  } catch (err) {
    throw new ConfigError([`evidence file ${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  const index = new EvidenceIndex();
  let line = 0;
  let rejected = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    const parsed = parseEvidenceLine(text);
    if ('error' in parsed) {
      rejected++;
      process.stderr.write(`tenantscope sla compute: evidence file ${file}: line ${line}: ${parsed.error}; skipped\n`);
    } else index.add(parsed);
  }
  if (rejected > 0) process.stderr.write(`tenantscope sla compute: ${rejected} evidence line(s) skipped\n`);
  return index;
}
