import type { MinuteRow } from './minute-rollup';
import type { Client, Queryable } from '../../services/storage/db';

/** SQL: the tenant_minute row (aliased `alias`) holds something from the Odoo log, not only probes or ingress. */
export const hasOdooData = (alias: string): string =>
  `num_nonnulls(${['odoo_sql_seconds', 'odoo_python_seconds', 'odoo_requests_2xx', 'odoo_requests_5xx', 'odoo_duration_sum'].map((c) => `${alias}.${c}`).join(', ')}) > 0`;

const ADD = (col: string) => `${col} = CASE WHEN EXCLUDED.${col} IS NULL THEN t.${col} ELSE coalesce(t.${col}, 0) + EXCLUDED.${col} END`;

const ODOO_COLUMNS = [
  'odoo_requests_2xx',
  'odoo_requests_3xx',
  'odoo_requests_4xx',
  'odoo_requests_5xx',
  'odoo_requests_other',
  'odoo_requests_held',
  'odoo_queries',
  'odoo_sql_seconds',
  'odoo_python_seconds',
  'odoo_duration_sum',
] as const;
const PROBE_COLUMNS = ['probes_ok', 'probes_failed', 'probe_seconds_sum'] as const;
const SUMMED = [...ODOO_COLUMNS, ...PROBE_COLUMNS];
const TYPES: Record<string, string> = {
  odoo_sql_seconds: 'float8',
  odoo_python_seconds: 'float8',
  odoo_duration_sum: 'float8',
  probe_seconds_sum: 'float8',
  odoo_queries: 'int8',
};

/** One multi-row upsert: adds this batch's counts to the minutes already stored. */
const UPSERT_MINUTES = `
INSERT INTO tenant_minute AS t (tenant_id, minute, ${SUMMED.join(', ')}, odoo_duration_counts)
SELECT u.tenant_id, u.minute, ${SUMMED.map((c) => `u.${c}`).join(', ')}, u.counts::int4[]
FROM unnest($1::text[], $2::timestamptz[], ${SUMMED.map((c, i) => `$${i + 3}::${TYPES[c] ?? 'int4'}[]`).join(', ')},
            $${SUMMED.length + 3}::text[]) AS u(tenant_id, minute, ${SUMMED.join(', ')}, counts)
ON CONFLICT (tenant_id, minute) DO UPDATE SET
  ${SUMMED.map(ADD).join(',\n  ')},
  odoo_duration_counts = tenantscope_add_counts(t.odoo_duration_counts, EXCLUDED.odoo_duration_counts)`;

const UPSERT_TOTALS = `
INSERT INTO tenant_total AS t (tenant_id, ${SUMMED.filter((c) => c !== 'probe_seconds_sum').join(', ')}, odoo_duration_counts, seen_odoo, seen_probe)
VALUES ($1, ${SUMMED.filter((c) => c !== 'probe_seconds_sum')
  .map((_, i) => `$${i + 2}`)
  .join(', ')}, $${SUMMED.length + 1}::int8[], $${SUMMED.length + 2}, $${SUMMED.length + 3})
ON CONFLICT (tenant_id) DO UPDATE SET
  ${SUMMED.filter((c) => c !== 'probe_seconds_sum')
    .map((c) => `${c} = t.${c} + EXCLUDED.${c}`)
    .join(',\n  ')},
  odoo_duration_counts = tenantscope_add_counts(t.odoo_duration_counts, EXCLUDED.odoo_duration_counts),
  seen_odoo = t.seen_odoo OR EXCLUDED.seen_odoo,
  seen_probe = t.seen_probe OR EXCLUDED.seen_probe`;

function columnValues(row: MinuteRow): Record<(typeof SUMMED)[number], number | null> {
  const o = row.odoo;
  const p = row.probe;
  return {
    odoo_requests_2xx: o ? o.requests['2xx'] : null,
    odoo_requests_3xx: o ? o.requests['3xx'] : null,
    odoo_requests_4xx: o ? o.requests['4xx'] : null,
    odoo_requests_5xx: o ? o.requests['5xx'] : null,
    odoo_requests_other: o ? o.requests.other : null,
    odoo_requests_held: o ? o.held : null,
    odoo_queries: o ? o.queries : null,
    odoo_sql_seconds: o ? o.sqlSeconds : null,
    odoo_python_seconds: o ? o.pythonSeconds : null,
    odoo_duration_sum: o ? o.durationSum : null,
    probes_ok: p ? p.ok : null,
    probes_failed: p ? p.failed : null,
    probe_seconds_sum: p ? p.secondsSum : null,
  };
}

/**
 * Adds minute rows to tenant_minute and the same amounts to tenant_total, inside the caller's
 * transaction (the partitions for these minutes must exist: PartitionKeeper.ensure).
 */
export async function addMinuteRows(client: Client, rows: readonly MinuteRow[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map(columnValues);
  await client.query(UPSERT_MINUTES, [
    rows.map((r) => r.tenantId),
    rows.map((r) => new Date(r.minute)),
    ...SUMMED.map((c) => values.map((v) => v[c])),
    rows.map((r) => (r.odoo ? `{${r.odoo.durationCounts.join(',')}}` : null)),
  ]);
  const totals = new Map<string, { sums: Record<string, number>; counts?: number[]; odoo: boolean; probe: boolean }>();
  rows.forEach((row, i) => {
    let total = totals.get(row.tenantId);
    if (!total) {
      total = { sums: Object.fromEntries(SUMMED.map((c) => [c, 0])), odoo: false, probe: false };
      totals.set(row.tenantId, total);
    }
    for (const [column, value] of Object.entries(values[i] as object)) total.sums[column]! += (value as number | null) ?? 0;
    if (row.odoo) {
      total.odoo = true;
      total.counts = total.counts
        ? total.counts.map((n, b) => n + (row.odoo as { durationCounts: number[] }).durationCounts[b]!)
        : [...row.odoo.durationCounts];
    }
    if (row.probe) total.probe = true;
  });
  for (const [tenantId, total] of totals) {
    await client.query(UPSERT_TOTALS, [
      tenantId,
      ...SUMMED.filter((c) => c !== 'probe_seconds_sum').map((c) => total.sums[c]),
      total.counts ?? null,
      total.odoo,
      total.probe,
    ]);
  }
}

/** The per-tenant running totals of Odoo requests and probes, as /metrics publishes them. */
export interface TenantTotalRow {
  tenant_id: string;
  odoo_requests_2xx: number;
  odoo_requests_3xx: number;
  odoo_requests_4xx: number;
  odoo_requests_5xx: number;
  odoo_requests_other: number;
  odoo_requests_held: number;
  odoo_queries: number;
  odoo_sql_seconds: number;
  odoo_python_seconds: number;
  odoo_duration_counts: number[] | null;
  odoo_duration_sum: number;
  probes_ok: number;
  probes_failed: number;
  seen_odoo: boolean;
  seen_probe: boolean;
}

const TENANT_TOTALS = 'SELECT t.* FROM tenant_total t JOIN tenant ON tenant.id = t.tenant_id WHERE tenant.active ORDER BY t.tenant_id';

export async function readTenantTotals(db: Queryable): Promise<TenantTotalRow[]> {
  const { rows } = await db.query(TENANT_TOTALS);
  return rows.map((r) => ({ ...r, odoo_duration_counts: r.odoo_duration_counts?.map(Number) ?? null }));
}

/** Tenants some Odoo log line (a request) was seen for. */
export async function tenantsSeenInOdooLogs(db: Queryable): Promise<Set<string>> {
  const { rows } = await db.query<{ tenant_id: string }>('SELECT tenant_id FROM tenant_total WHERE seen_odoo');
  return new Set(rows.map((r) => r.tenant_id));
}
