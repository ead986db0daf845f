import { ConfigError } from '../core/errors';
import { monthReportsText, tenantReportText } from '../sla/render/report-text';
import { isMonth } from '../core/month';
import { monthReports, tenantReport, type ReportDeps, type StoredReport } from '../sla/store/report-store';
import { parseFlags } from './args';
import { openReadingContext } from '../root/context';

const FORMATS = ['json', 'csv', 'html'] as const;
type Format = (typeof FORMATS)[number];

/**
 * `tenantscope report --month YYYY-MM [--tenant ID] [--format json|csv|html] [--fleet FILE]`: the
 * reports the API serves, from the same store and serializer, so the bytes on stdout are the
 * API's. HTML is one tenant's page. Without a signing key the reports are unsigned, and stderr
 * says so.
 */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags('report', args, {
    month: { type: 'string' },
    tenant: { type: 'string' },
    format: { type: 'string', default: 'json' },
    fleet: { type: 'string' },
  });
  const refuse = (problem: string) => new ConfigError([`tenantscope report: ${problem}`]);
  if (positionals.length > 0) throw refuse(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const { month, tenant } = values;
  const format = values.format as Format;
  if (month === undefined || !isMonth(month))
    throw refuse(`--month expected YYYY-MM from 1970-01 to 9999-12, got ${JSON.stringify(month ?? null)}`);
  if (!FORMATS.includes(format)) throw refuse(`--format expected one of ${FORMATS.join(', ')}, got ${JSON.stringify(values.format)}`);
  if (format === 'html' && tenant === undefined) throw refuse("--format html is one tenant's page: pass --tenant ID");
  const context = await openReadingContext({ name: 'report', fleet: { command: 'report', file: values.fleet } });
  const { settings, pool, fleet } = context;
  try {
    if (tenant !== undefined && !fleet.tenants.some((x) => x.id === tenant))
      throw refuse(`--tenant expected a tenant of ${fleet.source}, got ${JSON.stringify(tenant)}`);
    const deps: ReportDeps = {
      db: pool,
      fleet,
      clock: context.clock,
      signingKey: context.signingKey,
      graceHours: settings.slaGraceHours,
    };
    let reports: StoredReport[];
    if (tenant !== undefined) {
      const one = await tenantReport(deps, tenant, month);
      if (!one) throw refuse(`no report for ${tenant} in ${month}: the month has not begun`);
      reports = [one];
    } else reports = await monthReports(deps, month);
    const nameOf = (id: string) => fleet.tenants.find((x) => x.id === id)?.name ?? id;
    if (reports.some((r) => r.signature === null))
      process.stderr.write(
        'tenantscope report: UNSIGNED: no signing key is configured (TENANTSCOPE_SIGNING_KEY_FILE); the digest identifies the content but proves nothing about who produced it\n',
      );
    process.stdout.write(
      tenant !== undefined && format !== 'csv'
        ? tenantReportText(reports[0]!, nameOf(tenant), format)
        : monthReportsText(month, reports, nameOf, format === 'csv' ? 'csv' : 'json'),
    );
    return 0;
  } finally {
    await context.close();
  }
}
