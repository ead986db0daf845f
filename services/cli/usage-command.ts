import { ConfigError } from '../core/errors';
import { usageCsv, usageReport } from '../noisy/usage-report';
import { isMonth } from '../core/month';
import { parseFlags } from './args';
import { openReadingContext } from '../root/context';

const FORMATS = ['json', 'csv'] as const;

/**
 * `tenantscope usage --month YYYY-MM [--format csv|json] [--fleet FILE]`: the monthly chargeback
 * report the API serves at /api/v1/usage/:month, from TENANTSCOPE_DATABASE_URL. The fleet: --fleet,
 * else TENANTSCOPE_FLEET_FILE, else the one stored in the database.
 */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags('usage', args, {
    month: { type: 'string' },
    format: { type: 'string', default: 'json' },
    fleet: { type: 'string' },
  });
  const refuse = (problem: string) => new ConfigError([`tenantscope usage: ${problem}`]);
  if (positionals.length > 0) throw refuse(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const month = values.month;
  if (month === undefined || !isMonth(month))
    throw refuse(`--month expected YYYY-MM from 1970-01 to 9999-12, got ${JSON.stringify(month ?? null)}`);
  const format = values.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw refuse(`--format expected one of ${FORMATS.join(', ')}, got ${JSON.stringify(values.format)}`);
  const { fleet, pool, clock, close } = await openReadingContext({ name: 'usage', fleet: { command: 'usage', file: values.fleet } });
  try {
    const report = await usageReport(pool, fleet, month, clock);
    process.stdout.write(format === 'csv' ? usageCsv(report) : `${JSON.stringify(report, null, 2)}\n`);
    return 0;
  } finally {
    await close();
  }
}
