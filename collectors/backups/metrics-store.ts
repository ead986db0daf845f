import type { Queryable } from '../../services/storage/db';
import { ACTIVE_TENANTS, readActiveTenantDatabases } from '../../services/config/fleet-store';

/** What /metrics reads of the backups collector's tables (stanzas, cluster backups, recovery points, job states). */

const STANZAS = `SELECT cluster_id AS cluster, stanza, status_code, repos, archive_reach_at FROM backup_stanza ORDER BY cluster_id`;
const LAST_CLUSTER_BACKUPS = `SELECT cluster_id AS cluster, tool, coalesce(type, 'unknown') AS type, max(stopped_at) AS stopped_at
  FROM cluster_backup WHERE error IS NOT TRUE GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;
// The databases of each cluster's newest good backup: a tenant missing there is not covered by it.
const NEWEST_CLUSTER_BACKUP = `SELECT DISTINCT ON (cluster_id, tool) cluster_id AS cluster, tool, databases
  FROM cluster_backup WHERE error IS NOT TRUE ORDER BY cluster_id, tool, stopped_at DESC`;
const POINTS = `SELECT cluster_id AS cluster, tenant_id AS tenant, source, recoverable_at FROM recovery_point_latest`;
const JOBS = `SELECT s.tenant_id AS tenant, t.cluster_id AS cluster, s.kind, s.failed_total, s.last_ok_finished_at, s.last_status,
    s.last_started_at, s.last_finished_at
  FROM backup_job_state s JOIN ${ACTIVE_TENANTS} t ON t.id = s.tenant_id ORDER BY s.tenant_id, s.kind`;

export interface BackupsSnapshot {
  nowMs: number;
  tenants: { id: string; cluster: string; database: string }[];
  stanzas: {
    cluster: string;
    stanza: string;
    status_code: number | null;
    repos: { key: number | null; code: number | null }[];
    archive_reach_at: Date | null;
  }[];
  lastBackups: { cluster: string; tool: string; type: string; stopped_at: Date }[];
  newest: { cluster: string; tool: string; databases: string[] | null }[];
  points: { cluster: string; tenant: string | null; source: string; recoverable_at: Date }[];
  jobs: {
    tenant: string;
    cluster: string;
    kind: string;
    failed_total: number;
    last_ok_finished_at: Date | null;
    last_status: string;
    last_started_at: Date;
    last_finished_at: Date;
  }[];
}

/** The backup state as of `nowMs` (ages are computed against the scrape's clock). */
export async function readBackupsSnapshot(db: Queryable, nowMs: number): Promise<BackupsSnapshot> {
  const [tenants, [stanzas, lastBackups, newest, points, jobs]] = await Promise.all([
    readActiveTenantDatabases(db),
    Promise.all([STANZAS, LAST_CLUSTER_BACKUPS, NEWEST_CLUSTER_BACKUP, POINTS, JOBS].map((sql) => db.query(sql))),
  ]);
  return {
    nowMs,
    tenants,
    stanzas: stanzas!.rows,
    lastBackups: lastBackups!.rows,
    newest: newest!.rows,
    points: points!.rows,
    jobs: jobs!.rows,
  };
}
