import { readFileSync } from 'node:fs';
import { ConfigError } from '../core/errors';
import { isMonth } from '../core/month';
import { recomputeBundle, writeBundle } from '../sla/store/bundle';
import { loadTenantMonth } from '../sla/store/evidence-loader';
import { tenantReport } from '../sla/store/report-store';
import { parseFlags } from './args';
import { openReadingContext } from '../root/context';

/**
 * `tenantscope sla export --month YYYY-MM --tenant ID [--fleet FILE]` writes the audit bundle of
 * the tenant's month to stdout: the newest frozen revision (else the live computation) and the
 * evidence from PostgreSQL it was computed from.
 */
export async function exportBundle(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags('sla export', args, {
    fleet: { type: 'string' },
    month: { type: 'string' },
    tenant: { type: 'string' },
  });
  if (positionals.length > 0) throw new ConfigError([`tenantscope sla export: unexpected argument ${JSON.stringify(positionals[0])}`]);
  const { month, tenant } = values;
  if (month === undefined || !isMonth(month))
    throw new ConfigError([
      `tenantscope sla export: --month expected YYYY-MM from 1970-01 to 9999-12, got ${JSON.stringify(month ?? null)}`,
    ]);
  const context = await openReadingContext({ name: 'sla-export', fleet: { command: 'sla export', file: values.fleet } });
  const { settings, pool, fleet } = context;
  try {
    if (tenant === undefined || !fleet.tenants.some((t) => t.id === tenant)) {
      throw new ConfigError([
        `tenantscope sla export: --tenant expected a tenant of ${fleet.source}, got ${JSON.stringify(tenant ?? null)}`,
      ]);
    }
    const deps = {
      db: pool,
      fleet,
      clock: context.clock,
      signingKey: context.signingKey,
      graceHours: settings.slaGraceHours,
    };
    const stored = await tenantReport(deps, tenant, month);
    if (!stored) {
      process.stderr.write(`tenantscope sla export: ${tenant} ${month} has not begun\n`);
      return 1;
    }
    const loaded = await loadTenantMonth(pool, fleet, tenant, month);
    // Buffered in chunks: a month is about 100k lines, one write each would be slow.
    let chunk: string[] = [];
    writeBundle(loaded!, stored, (line) => {
      chunk.push(line);
      if (chunk.length >= 5_000) {
        process.stdout.write(`${chunk.join('\n')}\n`);
        chunk = [];
      }
    });
    if (chunk.length > 0) process.stdout.write(`${chunk.join('\n')}\n`);
    process.stderr.write(
      `tenantscope sla export: ${tenant} ${month} revision ${stored.revision} (${stored.status}), digest ${stored.digest}\n`,
    );
    return 0;
  } finally {
    await context.close();
  }
}

/**
 * `tenantscope sla recompute BUNDLE` rebuilds the report from the bundle alone (no database) and
 * compares it byte for byte with the stored one: exit 0 when identical, 1 with the first difference.
 */
export async function recompute(args: string[]): Promise<number> {
  const { positionals } = parseFlags('sla recompute', args, {});
  if (positionals.length !== 1)
    throw new ConfigError(['tenantscope sla recompute: expected one bundle file (from tenantscope sla export)']);
  const file = positionals[0]!;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`bundle file ${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  const result = recomputeBundle(text.split('\n'));
  if (result.ok) {
    process.stdout.write(
      `reproduced: ${result.tenant} ${result.month} revision ${result.revision}, canonical JSON identical byte for byte, digest ${result.digest}\n`,
    );
    return 0;
  }
  process.stdout.write(`not reproduced: ${result.message}\n`);
  return 1;
}
