import { ConfigError } from '../core/errors';
import { listIncidents } from '../noisy/incident-store';
import { incidentTable, incidentView } from '../noisy/incident-view';
import { parseFlags } from './args';
import { openContext } from '../root/context';

const FORMATS = ['json', 'table'] as const;
// The operator's view: every tenant named, as an admin token sees it.
const OPERATOR = { name: 'cli', role: 'admin' } as const;

/**
 * `tenantscope noisy list [--from ISO] [--to ISO] [--tenant ID] [--format json|table]`: the
 * confirmed noisy-neighbour incidents the API serves, from TENANTSCOPE_DATABASE_URL.
 */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags('noisy', args, {
    from: { type: 'string' },
    to: { type: 'string' },
    tenant: { type: 'string' },
    format: { type: 'string', default: 'table' },
  });
  const refuse = (problem: string) => new ConfigError([`tenantscope noisy: ${problem}`]);
  if (positionals[0] !== 'list' || positionals.length > 1)
    throw refuse(`expected the subcommand list, got ${JSON.stringify(positionals.join(' ') || null)}`);
  const format = values.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw refuse(`--format expected one of ${FORMATS.join(', ')}, got ${JSON.stringify(values.format)}`);
  const fromMs = instant(refuse, 'from', values.from);
  const toMs = instant(refuse, 'to', values.to);
  if (values.tenant !== undefined && !/^[a-z0-9][a-z0-9_-]*$/.test(values.tenant))
    throw refuse(`--tenant expected a tenant id, got ${JSON.stringify(values.tenant)}`);
  const { pool, close } = openContext({ name: 'noisy' });
  try {
    const incidents = await listIncidents(pool, {
      ...(fromMs !== undefined && { fromMs }),
      ...(toMs !== undefined && { toMs }),
      ...(values.tenant !== undefined && { tenant: values.tenant }),
    });
    const views = incidents.map((i) => incidentView(OPERATOR, i));
    process.stdout.write(format === 'json' ? `${JSON.stringify({ incidents: views }, null, 2)}\n` : incidentTable(views));
    return 0;
  } finally {
    await close();
  }
}

function instant(refuse: (p: string) => Error, flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = /(Z|[+-]\d\d:?\d\d)$/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw refuse(`--${flag} expected an ISO 8601 time with Z or an offset, got ${JSON.stringify(value)}`);
  return ms;
}
