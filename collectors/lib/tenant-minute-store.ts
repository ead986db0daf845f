import type { MinuteRow } from './minute-rollup';
import type { Client, Queryable } from '../../services/storage/db';
import { cursorTextRows, queryTextRows } from '../../services/storage/db';
import { ACTIVE_TENANTS, TENANTS } from '../../services/config/fleet-store';

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
export async function addMinuteRows(client: Client, given: readonly MinuteRow[]): Promise<void> {
  if (given.length === 0) return;
  // Rows are locked in the order they are upserted: two batches of one cluster (two pushes, or a
  // push and the tail) that touch the same minutes in different orders would deadlock, so every
  // writer takes them in one order, by tenant then minute (and tenant_total by tenant).
  const rows = [...given].sort(byTenantMinute);
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

const TENANT_TOTALS = `SELECT t.* FROM tenant_total t JOIN ${ACTIVE_TENANTS} a ON a.id = t.tenant_id ORDER BY t.tenant_id`;

export async function readTenantTotals(db: Queryable): Promise<TenantTotalRow[]> {
  const { rows } = await db.query(TENANT_TOTALS);
  return rows.map((r) => ({ ...r, odoo_duration_counts: r.odoo_duration_counts?.map(Number) ?? null }));
}

const SEEN_ODOO = 'SELECT tenant_id FROM tenant_total WHERE seen_odoo';

/** Tenants some Odoo log line (a request) was seen for. */
export async function tenantsSeenInOdooLogs(db: Queryable): Promise<Set<string>> {
  const { rows } = await db.query<{ tenant_id: string }>(SEEN_ODOO);
  return new Set(rows.map((r) => r.tenant_id));
}

// ---- the minute evidence of the SLA engine: minute index from the range start ($2, epoch seconds), arrays as int4[] text ----

/**
 * The index in the range of the minute in `column` (the range starts at $2, epoch seconds). From
 * the epoch as float8: extract() gives numeric since PostgreSQL 14, which is several times slower.
 */
export const minuteIndexSql = (column = 'minute'): string => `((date_part('epoch', ${column}) - $2) / 60)::int4`;

const RANGE_IDX = minuteIndexSql();
// Odoo's total is every request it logged (held long-polling ones are also in their class).
const ODOO_TOTAL = 'odoo_requests_2xx + odoo_requests_3xx + odoo_requests_4xx + odoo_requests_5xx + odoo_requests_other';
const HAS_ODOO = `odoo_requests_2xx IS NOT NULL`;
const RANGE = `tenant_id = ANY($1) AND minute >= to_timestamp($2) AND minute < to_timestamp($3)`;

// Probes as counts: every minute's index, ok and failed probes.
const PROBE_COUNTS = `array_agg(${RANGE_IDX}), array_agg(coalesce(probes_ok, 0)), array_agg(coalesce(probes_failed, 0))`;
// Probes as flags, one character per minute: code point 0x10000 + index * 4 + (2: probes_ok <> 0) + (1: probes_failed <> 0).
const PROBE_CODE = `chr(65536 + ${RANGE_IDX} * 4 + (CASE WHEN probes_ok <> 0 THEN 2 ELSE 0 END) + (CASE WHEN probes_failed <> 0 THEN 1 ELSE 0 END))`;
// The complement of the usual minute (probes_ok <> 0, probes_failed 0 or NULL, no Odoo), NULL-safe.
const UNUSUAL = `probes_ok IS NULL OR probes_ok = 0 OR probes_failed <> 0 OR ${HAS_ODOO}`;
// Row count, first and last minute index, and the unusual minutes' probe codes (report-minutes.ts).
const PROBE_FLAGS = `count(*), ${minuteIndexSql('min(minute)')}, ${minuteIndexSql('max(minute)')},
    string_agg(${PROBE_CODE}, '') FILTER (WHERE ${UNUSUAL})`;

/**
 * The one minute-evidence query both SLA loaders read, per tenant of $1 in [$2, $3): the probes
 * (as counts or as flags), then the indexes, totals and 5xx of the minutes Odoo reported.
 */
const minuteEvidence = (probes: string): string => `SELECT tenant_id, ${probes},
    array_agg(${RANGE_IDX}) FILTER (WHERE ${HAS_ODOO}),
    array_agg(${ODOO_TOTAL}) FILTER (WHERE ${HAS_ODOO}),
    array_agg(coalesce(odoo_requests_5xx, 0)) FILTER (WHERE ${HAS_ODOO})
  FROM tenant_minute WHERE ${RANGE} GROUP BY tenant_id`;

const MINUTE_EVIDENCE: Record<'counts' | 'flags', string> = { counts: minuteEvidence(PROBE_COUNTS), flags: minuteEvidence(PROBE_FLAGS) };

/**
 * Per tenant of `tenants` with minutes in [from, to), a row of int4[] texts: the tenant, then the
 * probes, as `counts` (minute indexes, ok, failed: services/sla/store/evidence-loader.ts) or as
 * `flags` (row count, first and last minute index, the unusual minutes' probe codes:
 * services/sla/store/report-minutes.ts), then the Odoo minutes' indexes, totals and 5xx.
 */
export function readMinuteEvidence(
  db: Queryable,
  tenants: readonly string[],
  fromSeconds: number,
  toSeconds: number,
  probes: 'counts' | 'flags',
) {
  return queryTextRows(db, MINUTE_EVIDENCE[probes], [tenants, fromSeconds, toSeconds]);
}

// MATERIALIZED: a cursor's query is planned for its first rows (cursor_tuple_fraction), which
// picks a walk of the primary key in tenant order, a random read of every heap page; a CTE is
// planned for all its rows (one sequential scan, hash aggregate), and only its result is sorted.
const MINUTE_EVIDENCE_IN_TENANT_ORDER = `WITH m AS MATERIALIZED (${MINUTE_EVIDENCE.flags}) SELECT * FROM m ORDER BY tenant_id`;

/**
 * readMinuteEvidence's `flags` rows of every tenant of `tenants`, in tenant order, `batch`
 * tenants at a time: ONE scan of the month for all of them (minute rows of different tenants
 * share heap pages, so a read per batch of tenants reads every page again).
 */
export function streamMinuteEvidenceFlags(
  db: Queryable,
  tenants: readonly string[],
  fromSeconds: number,
  toSeconds: number,
  batch: number,
) {
  return cursorTextRows(db, MINUTE_EVIDENCE_IN_TENANT_ORDER, [tenants, fromSeconds, toSeconds], batch);
}

const EVERY_PROBE_MINUTE = `SELECT tenant_id, string_agg(${PROBE_CODE}, '') FROM tenant_minute WHERE ${RANGE} GROUP BY tenant_id`;

/** Per tenant: every minute's probe code, for tenants whose minutes have gaps. */
export function readTenantProbeCodes(db: Queryable, tenants: readonly string[], fromSeconds: number, toSeconds: number) {
  return queryTextRows(db, EVERY_PROBE_MINUTE, [tenants, fromSeconds, toSeconds]);
}

const HAS_MINUTES = 'SELECT EXISTS (SELECT 1 FROM tenant_minute WHERE tenant_id = $1 AND minute >= $2 AND minute < $3) AS any';

/** Whether the tenant has any minute row in [from, to). */
export async function hasTenantMinutes(db: Queryable, tenant: string, from: Date, to: Date): Promise<boolean> {
  const { rows } = await db.query(HAS_MINUTES, [tenant, from, to]);
  return rows[0].any === true;
}

const ATTRIBUTION_ODOO = `
SELECT m.tenant_id, m.minute,
  CASE WHEN m.odoo_sql_seconds IS NULL AND m.odoo_python_seconds IS NULL THEN NULL
       ELSE coalesce(m.odoo_sql_seconds, 0) + coalesce(m.odoo_python_seconds, 0) END AS worker_seconds,
  CASE WHEN num_nonnulls(m.odoo_requests_2xx, m.odoo_requests_3xx, m.odoo_requests_4xx, m.odoo_requests_5xx, m.odoo_requests_other) = 0 THEN NULL
       ELSE coalesce(m.odoo_requests_2xx, 0) + coalesce(m.odoo_requests_3xx, 0) + coalesce(m.odoo_requests_4xx, 0)
          + coalesce(m.odoo_requests_5xx, 0) + coalesce(m.odoo_requests_other, 0) END AS requests,
  m.odoo_duration_sum AS duration_sum,
  (SELECT sum(c) FROM unnest(m.odoo_duration_counts) AS c) AS duration_count,
  m.odoo_requests_5xx AS errors_5xx
FROM tenant_minute m JOIN ${TENANTS} t ON t.id = m.tenant_id
WHERE t.cluster_id = $1 AND m.minute >= $2 AND m.minute < $3
  AND ${hasOdooData('m')}`;

/** Odoo minutes of a cluster's tenants in [from, to): worker seconds, requests, latency sums, 5xx (NULL where Odoo said nothing). */
export async function readOdooMinutesOfCluster(db: Queryable, cluster: string, fromMs: number, toMs: number) {
  return (await db.query(ATTRIBUTION_ODOO, [cluster, new Date(fromMs), new Date(toMs)])).rows;
}

const NEWEST_ODOO_MINUTE_OF_CLUSTER = `SELECT max(m.minute) AS minute FROM tenant_minute m JOIN ${TENANTS} t ON t.id = m.tenant_id
      WHERE t.cluster_id = $1 AND m.minute >= $2 AND m.minute < $3 AND ${hasOdooData('m')}`;

/** The newest minute in [from, to) with Odoo data for a tenant of the cluster (null when none). */
export async function newestOdooMinuteOfCluster(db: Queryable, cluster: string, from: Date, to: Date): Promise<Date | null> {
  const { rows } = await db.query<{ minute: Date | null }>(NEWEST_ODOO_MINUTE_OF_CLUSTER, [cluster, from, to]);
  return rows[0]?.minute ?? null;
}

const NEWEST_ODOO_MINUTE = `SELECT max(m.minute) AS minute FROM tenant_minute m WHERE ${hasOdooData('m')}`;

/** The newest minute with Odoo data of any tenant (null when none). */
export async function newestOdooMinute(db: Queryable): Promise<Date | null> {
  const { rows } = await db.query<{ minute: Date | null }>(NEWEST_ODOO_MINUTE);
  return rows[0]?.minute ?? null;
}

/** Tenant id, then minute: the one order rows of tenant_minute and tenant_total are written in. */
export function byTenantMinute(a: { tenantId: string; minute: number }, b: { tenantId: string; minute: number }): number {
  return a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : a.minute - b.minute;
}
