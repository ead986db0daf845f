import type { Tenant } from '../../config/fleet-types';
import type { Queryable } from '../../storage/db';
import type { Evidence } from '../evidence';
import type { MonthRange } from '../../core/month';
import { activeExclusions } from './exclusion-store';

/**
 * The evidence lines other than probes and requests (recorded exclusions, signals, recovery
 * points, restore tests) for many tenants sharing one month range, in six queries whatever their
 * number: `monthReports` reads 1,000 tenants, where a query per tenant and kind cost more in
 * round trips than the rows themselves. Each query keeps, per tenant, the order and the rows the
 * single-tenant query had (recovery points and restore tests run it per tenant, LATERAL).
 */
export interface SparseEvidence {
  tenant: Evidence[];
  cluster: Evidence[];
}

// A watchdog kill or crash of the worker serving the tenant explains its downtime.
const WORKER_KILLS = `SELECT tenant_id, minute FROM odoo_tenant_event_minute
  WHERE tenant_id = ANY($1) AND minute >= to_timestamp($2) AND minute < to_timestamp($3)
    AND worker_timeout_kill + worker_memory_limit + worker_cpu_limit + worker_crash > 0 ORDER BY tenant_id, minute`;

// Failed runs of the postgres collector's stats target: the tenant's server did not answer.
const POSTGRES_DOWN = `SELECT target, scheduled_at FROM collector_run
  WHERE collector = 'postgres' AND target = ANY($1) AND NOT success AND scheduled_at >= to_timestamp($2) AND scheduled_at < to_timestamp($3)
  ORDER BY target, scheduled_at`;

// Recovery points observed in the month, and the newest known before it began (what was known
// then). Cluster PITR rows count for the tenant unless that tool's newest backup lists
// databases without the tenant's (services/metrics/backups-metrics.ts, recoverablePoints).
const RECOVERY_POINTS = `SELECT t.id, p.observed_at, p.recoverable_at
  FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t (id, cluster, db, n)
  CROSS JOIN LATERAL (
    WITH listed AS (
      SELECT DISTINCT ON (tool) tool AS source, databases FROM cluster_backup
      WHERE cluster_id = t.cluster AND error IS NOT TRUE ORDER BY tool, stopped_at DESC),
    rows AS (
      SELECT source, observed_at, recoverable_at FROM recovery_point
      WHERE (tenant_id = t.id OR (tenant_id IS NULL AND cluster_id = t.cluster
             AND NOT EXISTS (SELECT 1 FROM listed l WHERE l.source = recovery_point.source AND l.databases IS NOT NULL AND NOT (t.db = ANY (l.databases)))))
        AND observed_at < to_timestamp($5))
    SELECT observed_at, recoverable_at FROM rows WHERE observed_at >= to_timestamp($4)
    UNION
    SELECT max(observed_at), max(recoverable_at) FROM rows WHERE observed_at < to_timestamp($4) HAVING count(*) > 0) p
  ORDER BY t.n, 2, 3`;

// The engine keeps the last restore test finished before the month's end; ties keep the worst.
const RESTORE_TESTS = `SELECT t.id, r.finished_at, r.ok, r.seconds
  FROM unnest($1::text[]) WITH ORDINALITY AS t (id, n)
  CROSS JOIN LATERAL (
    SELECT finished_at, status = 'ok' AS ok, extract(epoch FROM finished_at - started_at)::float8 AS seconds
    FROM backup_job WHERE tenant_id = t.id AND kind = 'restore-test'
      AND finished_at = (SELECT max(finished_at) FROM backup_job WHERE tenant_id = t.id AND kind = 'restore-test' AND finished_at < to_timestamp($2))) r
  ORDER BY t.n, r.ok, r.seconds`;

// Cluster windows apply to the tenants the database places in that cluster (as activeExclusions does).
const CLUSTER_OF = `SELECT id, cluster_id FROM tenant WHERE id = ANY($1)`;

/** Each tenant's and its cluster's sparse evidence lines for the month, by tenant id. */
export async function loadSparseEvidenceOf(
  db: Queryable,
  tenants: readonly Tenant[],
  range: MonthRange,
): Promise<Map<string, SparseEvidence>> {
  const s = range.startMs / 1000;
  const e = range.endMs / 1000;
  const ids = tenants.map((t) => t.id);
  const targets = [...new Set(tenants.map((t) => `${t.cluster}/stats`))];
  const [windows, clusterOf, kills, down, points, tests] = await Promise.all([
    activeExclusions(db, range.startMs, range.endMs, ids),
    db.query<{ id: string; cluster_id: string }>(CLUSTER_OF, [ids]),
    db.query<{ tenant_id: string; minute: Date }>(WORKER_KILLS, [ids, s, e]),
    db.query<{ target: string; scheduled_at: Date }>(POSTGRES_DOWN, [targets, s, e]),
    db.query<{ id: string; observed_at: Date; recoverable_at: Date }>(RECOVERY_POINTS, [
      ids,
      tenants.map((t) => t.cluster),
      tenants.map((t) => t.database),
      s,
      e,
    ]),
    db.query<{ id: string; finished_at: Date; ok: boolean; seconds: number }>(RESTORE_TESTS, [ids, e]),
  ]);
  const out = new Map<string, SparseEvidence>(tenants.map((t) => [t.id, { tenant: [], cluster: [] }]));
  const dbCluster = new Map(clusterOf.rows.map((r) => [r.id, r.cluster_id]));
  const inCluster = new Map<string, Tenant[]>();
  for (const t of tenants) {
    const cluster = dbCluster.get(t.id);
    if (cluster !== undefined) push(inCluster, cluster, t);
  }
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
    if (w.tenant !== null) out.get(w.tenant)?.tenant.push({ tenant: w.tenant, ...line });
    else for (const t of inCluster.get(w.cluster!) ?? []) out.get(t.id)!.cluster.push({ cluster: w.cluster!, ...line });
  }
  for (const r of kills.rows)
    out.get(r.tenant_id)!.tenant.push({ kind: 'signal', tenant: r.tenant_id, tsMs: r.minute.getTime(), signal: 'worker-kill' });
  const downBy = new Map<string, number[]>();
  for (const r of down.rows) push(downBy, r.target, r.scheduled_at.getTime());
  for (const t of tenants) {
    for (const tsMs of downBy.get(`${t.cluster}/stats`) ?? [])
      out.get(t.id)!.cluster.push({ kind: 'signal', cluster: t.cluster, tsMs, signal: 'postgres-unreachable' });
  }
  for (const r of points.rows)
    out
      .get(r.id)!
      .tenant.push({ kind: 'recovery-point', tenant: r.id, tsMs: r.observed_at.getTime(), pointMs: r.recoverable_at.getTime() });
  for (const r of tests.rows)
    out.get(r.id)!.tenant.push({ kind: 'restore-test', tenant: r.id, tsMs: r.finished_at.getTime(), ok: r.ok, durationSeconds: r.seconds });
  return out;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** One tenant's sparse evidence lines for the month. */
export async function loadSparseEvidence(db: Queryable, tenant: Tenant, range: MonthRange): Promise<SparseEvidence> {
  return (await loadSparseEvidenceOf(db, [tenant], range)).get(tenant.id)!;
}
