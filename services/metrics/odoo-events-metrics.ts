import { WORKER_EVENTS } from '../../collectors/odoo-log/parser';
import { ATTRIBUTED_EVENTS } from '../../collectors/odoo-log/rollup';
import type { Queryable } from '../storage/db';
import type { MetricGroup, MetricValue, StoreMetric } from './metric-group';

/** Running totals of Odoo worker lifecycle events and cron runs, read once per scrape. */
export interface OdooEventsSnapshot {
  clusters: { cluster_id: string; event: string; events: number }[];
  tenants: TenantEventTotals[];
}

interface TenantEventTotals {
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
SELECT e.cluster_id, e.event, e.events FROM odoo_worker_event_total e JOIN cluster c ON c.id = e.cluster_id
ORDER BY e.cluster_id, e.event`;

// Tenants whose log has been read (a request or an event seen): their zero counts are true zeros.
const TENANT_TOTALS = `
SELECT t.id AS tenant, t.cluster_id AS cluster,
       coalesce(e.worker_max_request, 0) AS worker_max_request, coalesce(e.worker_memory_limit, 0) AS worker_memory_limit,
       coalesce(e.worker_cpu_limit, 0) AS worker_cpu_limit, coalesce(e.worker_timeout_kill, 0) AS worker_timeout_kill,
       coalesce(e.worker_crash, 0) AS worker_crash, coalesce(e.cron_starts, 0) AS cron_starts, coalesce(e.cron_done, 0) AS cron_done,
       coalesce(e.cron_failed, 0) AS cron_failed, coalesce(e.cron_timed_runs, 0) AS cron_timed_runs, coalesce(e.cron_seconds, 0) AS cron_seconds
  FROM tenant t
  LEFT JOIN odoo_tenant_event_total e ON e.tenant_id = t.id
  LEFT JOIN tenant_total tt ON tt.tenant_id = t.id
 WHERE t.active AND (e.tenant_id IS NOT NULL OR tt.seen_odoo)
 ORDER BY t.id`;

async function load(db: Queryable): Promise<OdooEventsSnapshot> {
  const [clusters, tenants] = await Promise.all([db.query(CLUSTER_TOTALS), db.query(TENANT_TOTALS)]);
  return {
    clusters: clusters.rows.map((r) => ({ cluster_id: r.cluster_id, event: r.event, events: Number(r.events) })),
    tenants: tenants.rows.map(
      (r) =>
        Object.fromEntries(
          Object.entries(r).map(([k, v]) => [k, k === 'tenant' || k === 'cluster' ? v : Number(v)]),
        ) as unknown as TenantEventTotals,
    ),
  };
}

const COLUMN_OF_EVENT: Record<(typeof ATTRIBUTED_EVENTS)[number], keyof TenantEventTotals> = {
  'max-request': 'worker_max_request',
  'memory-limit': 'worker_memory_limit',
  'cpu-limit': 'worker_cpu_limit',
  'timeout-kill': 'worker_timeout_kill',
  crash: 'worker_crash',
};

const perTenant = (s: OdooEventsSnapshot, pick: (t: TenantEventTotals) => number): MetricValue[] =>
  s.tenants.map((t) => ({ value: pick(t), labels: { tenant: t.tenant, cluster: t.cluster } }));

const METRICS: StoreMetric<OdooEventsSnapshot>[] = [
  {
    name: 'tenantscope_odoo_worker_events_total',
    help: `Odoo prefork worker lifecycle events in the cluster's logs, by event (${WORKER_EVENTS.join(', ')}).`,
    type: 'counter',
    values: (s) => s.clusters.map((c) => ({ value: c.events, labels: { cluster: c.cluster_id, event: c.event } })),
  },
  {
    name: 'tenantscope_odoo_tenant_worker_events_total',
    help: 'Worker recycles, limit kills and crashes attributed to the tenant whose database the worker last named in the log (a best guess for a hung request).',
    type: 'counter',
    values: (s) =>
      s.tenants.flatMap((t) =>
        ATTRIBUTED_EVENTS.map((event) => ({
          value: t[COLUMN_OF_EVENT[event]] as number,
          labels: { tenant: t.tenant, cluster: t.cluster, event },
        })),
      ),
  },
  {
    name: 'tenantscope_odoo_cron_runs_total',
    help: 'Odoo cron job runs of the tenant that ended, by result (done, failed).',
    type: 'counter',
    values: (s) =>
      s.tenants.flatMap((t) => [
        { value: t.cron_done, labels: { tenant: t.tenant, cluster: t.cluster, result: 'done' } },
        { value: t.cron_failed, labels: { tenant: t.tenant, cluster: t.cluster, result: 'failed' } },
      ]),
  },
  {
    name: 'tenantscope_odoo_cron_starts_total',
    help: 'Odoo cron job runs of the tenant that started.',
    type: 'counter',
    values: (s) => perTenant(s, (t) => t.cron_starts),
  },
  {
    name: 'tenantscope_odoo_cron_seconds_total',
    help: 'Seconds of the tenant cron runs whose end line states a duration (Odoo 16+); see ..._cron_timed_runs_total.',
    type: 'counter',
    values: (s) => perTenant(s, (t) => t.cron_seconds),
  },
  {
    name: 'tenantscope_odoo_cron_timed_runs_total',
    help: 'Cron runs of the tenant whose duration the log stated: the count behind ..._cron_seconds_total.',
    type: 'counter',
    values: (s) => perTenant(s, (t) => t.cron_timed_runs),
  },
];

/** Odoo worker lifecycle per cluster; worker events and cron runs per tenant. */
export const odooEventsMetrics: MetricGroup<OdooEventsSnapshot> = { name: 'odoo-events', load, metrics: METRICS };
