import type { Tenant } from '../../config/fleet-types';
import { readAll, type Queryable } from '../../storage/db';
import type { Evidence } from '../evidence';
import type { MonthRange } from '../../core/month';
import { activeExclusions } from './exclusion-store';
import { readUnreachable } from '../../../collectors/postgres/outage-store';
import { readLastRestoreTests, readRecoveryPointsOf } from '../../../collectors/backups/store';
import { readWorkerKillMinutes } from '../../../collectors/odoo-log/store';
import { readClustersOfTenants } from '../../config/fleet-store';

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

/** Each tenant's and its cluster's sparse evidence lines for the month, by tenant id. */
export async function loadSparseEvidenceOf(
  db: Queryable,
  tenants: readonly Tenant[],
  range: MonthRange,
): Promise<Map<string, SparseEvidence>> {
  const s = range.startMs / 1000;
  const e = range.endMs / 1000;
  const ids = tenants.map((t) => t.id);
  const clusters = [...new Set(tenants.map((t) => t.cluster))];
  const [windows, clusterOf, kills, down, points, tests] = await readAll(db, [
    () => activeExclusions(db, range.startMs, range.endMs, ids),
    () => readClustersOfTenants(db, ids),
    () => readWorkerKillMinutes(db, ids, s, e),
    () => readUnreachable(db, clusters, s, e),
    () => readRecoveryPointsOf(db, tenants, s, e),
    () => readLastRestoreTests(db, ids, e),
  ]);
  const out = new Map<string, SparseEvidence>(tenants.map((t) => [t.id, { tenant: [], cluster: [] }]));
  const dbCluster = new Map(clusterOf.map((r) => [r.id, r.cluster_id]));
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
  for (const r of kills)
    out.get(r.tenant_id)!.tenant.push({ kind: 'signal', tenant: r.tenant_id, tsMs: r.minute.getTime(), signal: 'worker-kill' });
  const downBy = new Map<string, number[]>();
  for (const r of down) push(downBy, r.cluster_id, r.scheduled_at.getTime());
  for (const t of tenants) {
    for (const tsMs of downBy.get(t.cluster) ?? [])
      out.get(t.id)!.cluster.push({ kind: 'signal', cluster: t.cluster, tsMs, signal: 'postgres-unreachable' });
  }
  for (const r of points)
    out
      .get(r.id)!
      .tenant.push({ kind: 'recovery-point', tenant: r.id, tsMs: r.observed_at.getTime(), pointMs: r.recoverable_at.getTime() });
  for (const r of tests)
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
