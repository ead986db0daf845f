import { WORKER_EVENTS } from '../../collectors/odoo-log/parser';
import { ATTRIBUTED_EVENTS } from '../../collectors/odoo-log/rollup';
import type { MetricGroup, MetricValue, StoreMetric } from './metric-group';
import { type OdooEventsSnapshot, type TenantEventTotals, readOdooEventsSnapshot } from '../../collectors/odoo-log/metrics-store';

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
export const odooEventsMetrics: MetricGroup<OdooEventsSnapshot> = { name: 'odoo-events', load: readOdooEventsSnapshot, metrics: METRICS };
