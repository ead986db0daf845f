import type { TenantJobs } from './read';
import type { Client, Queryable } from '../../services/storage/db';
import { ACTIVE_TENANTS } from '../../services/config/fleet-store';

/** One tenant's backlogs as stored; an error instead when its database could not be read. */
export interface BacklogRow {
  tenantId: string;
  jobs?: TenantJobs;
  error?: string;
}

const UPSERT = `
INSERT INTO odoo_job_backlog AS b (tenant_id, sampled_at, fresh_until, read_error, cron_active, cron_overdue, cron_oldest_overdue_seconds,
  queue_wait_dependencies, queue_pending, queue_enqueued, queue_started, queue_failed, queue_oldest_pending_seconds)
SELECT r.tenant_id, $2, $3, r.read_error, r.cron_active, r.cron_overdue, r.cron_oldest_overdue_seconds,
  r.queue_wait_dependencies, r.queue_pending, r.queue_enqueued, r.queue_started, r.queue_failed, r.queue_oldest_pending_seconds
FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, read_error text, cron_active int, cron_overdue int, cron_oldest_overdue_seconds float8,
  queue_wait_dependencies int, queue_pending int, queue_enqueued int, queue_started int, queue_failed int, queue_oldest_pending_seconds float8)
ON CONFLICT (tenant_id) DO UPDATE SET sampled_at = EXCLUDED.sampled_at, fresh_until = EXCLUDED.fresh_until, read_error = EXCLUDED.read_error,
  cron_active = EXCLUDED.cron_active, cron_overdue = EXCLUDED.cron_overdue, cron_oldest_overdue_seconds = EXCLUDED.cron_oldest_overdue_seconds,
  queue_wait_dependencies = EXCLUDED.queue_wait_dependencies, queue_pending = EXCLUDED.queue_pending, queue_enqueued = EXCLUDED.queue_enqueued,
  queue_started = EXCLUDED.queue_started, queue_failed = EXCLUDED.queue_failed, queue_oldest_pending_seconds = EXCLUDED.queue_oldest_pending_seconds
WHERE b.sampled_at <= EXCLUDED.sampled_at`;

/** Replaces the tenants' backlog rows, inside the caller's transaction; an older read never overwrites a newer one. */
export async function writeBacklogs(client: Client, rows: readonly BacklogRow[], sampledAt: Date, freshUntil: Date): Promise<void> {
  if (rows.length === 0) return;
  const records = [...rows]
    .sort((a, b) => (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0))
    .map((r) => ({
      tenant_id: r.tenantId,
      read_error: r.error ?? null,
      cron_active: r.jobs?.cron?.active ?? null,
      cron_overdue: r.jobs?.cron?.overdue ?? null,
      cron_oldest_overdue_seconds: r.jobs?.cron?.oldestOverdueSeconds ?? null,
      queue_wait_dependencies: r.jobs?.queue?.jobs.wait_dependencies ?? null,
      queue_pending: r.jobs?.queue?.jobs.pending ?? null,
      queue_enqueued: r.jobs?.queue?.jobs.enqueued ?? null,
      queue_started: r.jobs?.queue?.jobs.started ?? null,
      queue_failed: r.jobs?.queue?.jobs.failed ?? null,
      queue_oldest_pending_seconds: r.jobs?.queue?.oldestPendingSeconds ?? null,
    }));
  await client.query(UPSERT, [JSON.stringify(records), sampledAt, freshUntil]);
}

export interface BacklogSnapshotRow {
  tenant_id: string;
  cluster_id: string;
  read_error: string | null;
  cron_active: number | null;
  cron_overdue: number | null;
  cron_oldest_overdue_seconds: number | null;
  queue_wait_dependencies: number | null;
  queue_pending: number | null;
  queue_enqueued: number | null;
  queue_started: number | null;
  queue_failed: number | null;
  queue_oldest_pending_seconds: number | null;
}

const SNAPSHOT = `
SELECT b.tenant_id, t.cluster_id, b.read_error, b.cron_active, b.cron_overdue, b.cron_oldest_overdue_seconds,
  b.queue_wait_dependencies, b.queue_pending, b.queue_enqueued, b.queue_started, b.queue_failed, b.queue_oldest_pending_seconds
FROM odoo_job_backlog b JOIN ${ACTIVE_TENANTS} t ON t.id = b.tenant_id
WHERE b.fresh_until > $1 ORDER BY b.tenant_id`;

/** The backlog rows still fresh at `now`, for /metrics. */
export async function readBacklogSnapshot(db: Queryable, now: Date): Promise<BacklogSnapshotRow[]> {
  return (await db.query<BacklogSnapshotRow>(SNAPSHOT, [now])).rows;
}
