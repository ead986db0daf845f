import type { Cluster, Fleet, Tenant, Tier } from '../../config/fleet-types';
import type { Queryable } from '../../storage/db';
import type { Evidence } from '../evidence';
import { emptyMinuteEvidence, type MinuteEvidence } from '../minute-evidence';
import { monthRange, type MonthRange } from '../month';
import type { TenantMonth } from '../report';
import { activeExclusions } from './exclusion-store';

/**
 * A tenant's month of SLA evidence read from PostgreSQL: per-minute probe and request counts
 * straight into the engine's typed arrays (one query per rollup table, the rows aggregated into
 * int4 arrays by PostgreSQL and decoded from their binary form, so 44,640 minutes never become
 * 44,640 JavaScript objects), and the sparse lines (exclusions, signals, recovery points,
 * restore tests) as evidence lines, exactly as an export bundle carries them.
 */
export interface LoadedMonth {
  readonly input: TenantMonth;
  readonly range: MonthRange;
  readonly minutes: MinuteEvidence;
}

// Each array element is the minute's index in the month, or a count; minute index from the
// epoch as float8 (extract() gives numeric since PostgreSQL 14, which is several times slower).
const IDX = `((date_part('epoch', minute) - $2) / 60)::int4`;

// Odoo's total is every request it logged (held long-polling ones are also in their class).
const TENANT_MINUTES = `SELECT array_agg(${IDX}) AS idx,
    array_agg(coalesce(probes_ok, 0)) AS ok, array_agg(coalesce(probes_failed, 0)) AS failed,
    array_agg(CASE WHEN odoo_requests_2xx IS NULL THEN -1 ELSE odoo_requests_2xx + odoo_requests_3xx + odoo_requests_4xx + odoo_requests_5xx + odoo_requests_other END) AS odoo_total,
    array_agg(coalesce(odoo_requests_5xx, 0)) AS odoo_errors
  FROM tenant_minute WHERE tenant_id = $1 AND minute >= to_timestamp($2) AND minute < to_timestamp($3)`;

const INGRESS_MINUTES = `SELECT array_agg(${IDX}) AS idx, array_agg(ingress_requests) AS total, array_agg(ingress_server_errors) AS errors
  FROM ingress_minute WHERE tenant_id = $1 AND minute >= to_timestamp($2) AND minute < to_timestamp($3)`;

// A watchdog kill or crash of the worker serving the tenant explains its downtime.
const WORKER_KILLS = `SELECT minute FROM odoo_tenant_event_minute
  WHERE tenant_id = $1 AND minute >= to_timestamp($2) AND minute < to_timestamp($3)
    AND worker_timeout_kill + worker_memory_limit + worker_cpu_limit + worker_crash > 0 ORDER BY minute`;

// Failed runs of the postgres collector's stats target: the tenant's server did not answer.
const POSTGRES_DOWN = `SELECT scheduled_at FROM collector_run
  WHERE collector = 'postgres' AND target = $1 AND NOT success AND scheduled_at >= to_timestamp($2) AND scheduled_at < to_timestamp($3)
  ORDER BY scheduled_at`;

// Recovery points observed in the month, and the newest known before it began (what was known
// then). Cluster PITR rows count for the tenant unless that tool's newest backup lists
// databases without the tenant's (services/metrics/backups-metrics.ts, recoverablePoints).
const RECOVERY_POINTS = `WITH listed AS (
    SELECT DISTINCT ON (tool) tool AS source, databases FROM cluster_backup
    WHERE cluster_id = $2 AND error IS NOT TRUE ORDER BY tool, stopped_at DESC),
  rows AS (
    SELECT source, observed_at, recoverable_at FROM recovery_point
    WHERE (tenant_id = $1 OR (tenant_id IS NULL AND cluster_id = $2
           AND NOT EXISTS (SELECT 1 FROM listed l WHERE l.source = recovery_point.source AND l.databases IS NOT NULL AND NOT ($3 = ANY (l.databases)))))
      AND observed_at < to_timestamp($5))
  SELECT observed_at, recoverable_at FROM rows WHERE observed_at >= to_timestamp($4)
  UNION
  SELECT max(observed_at), max(recoverable_at) FROM rows WHERE observed_at < to_timestamp($4) HAVING count(*) > 0
  ORDER BY 1, 2`;

// The engine keeps the last restore test finished before the month's end; ties keep the worst.
const RESTORE_TESTS = `SELECT finished_at, status = 'ok' AS ok, extract(epoch FROM finished_at - started_at)::float8 AS seconds
  FROM backup_job WHERE tenant_id = $1 AND kind = 'restore-test'
    AND finished_at = (SELECT max(finished_at) FROM backup_job WHERE tenant_id = $1 AND kind = 'restore-test' AND finished_at < to_timestamp($2))
  ORDER BY ok, seconds`;

/**
 * Walks the text form of an int4[] without NULLs ("{1,-1,42}") calling `each(i, value)`: a
 * char-code scan, because a generic array parser would build a JavaScript array per column.
 * (pg's binary results would be smaller but its protocol parser decodes every value as UTF-8.)
 */
function eachInt(text: string | null | undefined, each: (i: number, v: number) => void): void {
  if (!text || text.length < 3) return;
  let i = 0;
  let v = 0;
  let negative = false;
  for (let at = 1; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (c >= 48 && c <= 57) v = v * 10 + (c - 48);
    else if (c === 45) negative = true;
    else {
      // ',' or the closing '}'
      each(i++, negative ? -v : v);
      v = 0;
      negative = false;
    }
  }
}

async function arrays(db: Queryable, sql: string, values: unknown[]): Promise<Record<string, string | null>> {
  // Returned as text, unparsed: eachInt reads it straight into the typed arrays.
  const raw = (v: string) => v;
  const result = await db.query({ text: sql, values, types: { getTypeParser: () => raw } } as never);
  return (result as unknown as { rows: Record<string, string | null>[] }).rows[0] ?? {};
}

/** Fills the month's per-minute probe and request arrays from tenant_minute and ingress_minute. */
export async function loadMinuteEvidence(db: Queryable, tenant: string, range: MonthRange): Promise<MinuteEvidence> {
  const ev = emptyMinuteEvidence(range.minutes);
  const bounds = [tenant, range.startMs / 1000, range.endMs / 1000];
  const [own, ingress] = await Promise.all([arrays(db, TENANT_MINUTES, bounds), arrays(db, INGRESS_MINUTES, bounds)]);
  const idx = new Int32Array(range.minutes);
  eachInt(own.idx, (i, v) => (idx[i] = v));
  eachInt(own.ok, (i, v) => (ev.probesOk[idx[i]!] = v));
  eachInt(own.failed, (i, v) => (ev.probesFailed[idx[i]!] = v));
  eachInt(own.odoo_total, (i, v) => {
    if (v < 0) return;
    ev.hasOdoo[idx[i]!] = 1;
    ev.odooTotal[idx[i]!] = v;
  });
  eachInt(own.odoo_errors, (i, v) => (ev.odooErrors[idx[i]!] = v));
  eachInt(ingress.idx, (i, v) => (idx[i] = v));
  eachInt(ingress.total, (i, v) => {
    ev.hasIngress[idx[i]!] = 1;
    ev.ingressTotal[idx[i]!] = v;
  });
  eachInt(ingress.errors, (i, v) => (ev.ingressErrors[idx[i]!] = v));
  return ev;
}

/** The lines other than probes and requests: recorded exclusions, signals, recovery points, restore tests. */
export async function loadSparseEvidence(db: Queryable, tenant: Tenant, range: MonthRange): Promise<{ tenant: Evidence[]; cluster: Evidence[] }> {
  const s = range.startMs / 1000;
  const e = range.endMs / 1000;
  const [windows, kills, down, points, tests] = await Promise.all([
    activeExclusions(db, range.startMs, range.endMs, [tenant.id]),
    db.query<{ minute: Date }>(WORKER_KILLS, [tenant.id, s, e]),
    db.query<{ scheduled_at: Date }>(POSTGRES_DOWN, [`${tenant.cluster}/stats`, s, e]),
    db.query<{ observed_at: Date; recoverable_at: Date }>(RECOVERY_POINTS, [tenant.id, tenant.cluster, tenant.database, s, e]),
    db.query<{ finished_at: Date; ok: boolean; seconds: number }>(RESTORE_TESTS, [tenant.id, e]),
  ]);
  const own: Evidence[] = [];
  const shared: Evidence[] = [];
  for (const w of windows) {
    const line = {
      kind: 'exclusion' as const,
      startMs: Date.parse(w.start),
      endMs: Date.parse(w.end),
      type: w.kind,
      reason: w.reason,
      recordedBy: w.recordedBy,
      recordedAt: w.recordedAt,
    };
    if (w.tenant !== null) own.push({ tenant: w.tenant, ...line });
    else shared.push({ cluster: w.cluster!, ...line });
  }
  for (const r of kills.rows) own.push({ kind: 'signal', tenant: tenant.id, tsMs: r.minute.getTime(), signal: 'worker-kill' });
  for (const r of down.rows) shared.push({ kind: 'signal', cluster: tenant.cluster, tsMs: r.scheduled_at.getTime(), signal: 'postgres-unreachable' });
  for (const r of points.rows) own.push({ kind: 'recovery-point', tenant: tenant.id, tsMs: r.observed_at.getTime(), pointMs: r.recoverable_at.getTime() });
  for (const r of tests.rows) own.push({ kind: 'restore-test', tenant: tenant.id, tsMs: r.finished_at.getTime(), ok: r.ok, durationSeconds: r.seconds });
  return { tenant: own, cluster: shared };
}

/** Everything the engine needs for one tenant's month; undefined for a tenant not in the fleet. */
export async function loadTenantMonth(db: Queryable, fleet: Fleet, tenantId: string, month: string): Promise<LoadedMonth | undefined> {
  const tenant = fleet.tenants.find((t) => t.id === tenantId);
  if (!tenant) return undefined;
  const range = monthRange(month, tenant.timezone);
  const [minutes, sparse] = await Promise.all([loadMinuteEvidence(db, tenant.id, range), loadSparseEvidence(db, tenant, range)]);
  const input: TenantMonth = {
    tenant,
    tier: fleet.tiers[tenant.tier] as Tier,
    cluster: fleet.clusters[tenant.cluster] as Cluster,
    month,
    tenantEvidence: sparse.tenant,
    clusterEvidence: sparse.cluster,
  };
  return { input, range, minutes };
}
