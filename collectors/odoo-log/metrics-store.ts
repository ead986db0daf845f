import { tenantsSeenInOdooLogs } from '../lib/tenant-minute-store';
import type { Queryable } from '../../services/storage/db';
import { ACTIVE_TENANTS, CLUSTERS } from '../../services/config/fleet-store';

/** What /metrics reads of the Odoo log collector's event tables. */

/** Running totals of Odoo worker lifecycle events and cron runs, read once per scrape. */
export interface OdooEventsSnapshot {
  clusters: { cluster_id: string; event: string; events: number }[];
  tenants: TenantEventTotals[];
}

export interface TenantEventTotals {
  tenant: string;
  cluster: string;
  worker_max_request: number;
  worker_memory_limit: number;
  worker_cpu_limit: number;
  worker_timeout_kill: number;
  worker_crash: number;
  cron_starts: number;
  cron_done: number;
  cron_failed: number;
  cron_timed_runs: number;
  cron_seconds: number;
}

const CLUSTER_TOTALS = `
SELECT e.cluster_id, e.event, e.events FROM odoo_worker_event_total e JOIN ${CLUSTERS} c ON c.id = e.cluster_id
ORDER BY e.cluster_id, e.event`;

// Every active tenant with its event totals; has_events tells a row of the table from no row.
const TENANT_TOTALS = `
SELECT t.id AS tenant, t.cluster_id AS cluster, e.tenant_id IS NOT NULL AS has_events,
       coalesce(e.worker_max_request, 0) AS worker_max_request, coalesce(e.worker_memory_limit, 0) AS worker_memory_limit,
       coalesce(e.worker_cpu_limit, 0) AS worker_cpu_limit, coalesce(e.worker_timeout_kill, 0) AS worker_timeout_kill,
       coalesce(e.worker_crash, 0) AS worker_crash, coalesce(e.cron_starts, 0) AS cron_starts, coalesce(e.cron_done, 0) AS cron_done,
       coalesce(e.cron_failed, 0) AS cron_failed, coalesce(e.cron_timed_runs, 0) AS cron_timed_runs, coalesce(e.cron_seconds, 0) AS cron_seconds
  FROM ${ACTIVE_TENANTS} t
  LEFT JOIN odoo_tenant_event_total e ON e.tenant_id = t.id
 ORDER BY t.id`;

/**
 * Tenants whose log has been read (an event, or a request seen: tenant_minute's totals say so)
 * get their totals, zeros included: those zeros are true zeros. Others get no series.
 */
export async function readOdooEventsSnapshot(db: Queryable): Promise<OdooEventsSnapshot> {
  const [clusters, tenants, seen] = await Promise.all([db.query(CLUSTER_TOTALS), db.query(TENANT_TOTALS), tenantsSeenInOdooLogs(db)]);
  return {
    clusters: clusters.rows.map((r) => ({ cluster_id: r.cluster_id, event: r.event, events: Number(r.events) })),
    tenants: tenants.rows
      .filter((r) => r.has_events === true || seen.has(r.tenant))
      .map(
        ({ has_events: _, ...r }) =>
          Object.fromEntries(
            Object.entries(r).map(([k, v]) => [k, k === 'tenant' || k === 'cluster' ? v : Number(v)]),
          ) as unknown as TenantEventTotals,
      ),
  };
}
