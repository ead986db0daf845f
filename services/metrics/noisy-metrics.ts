import type { MetricGroup, MetricValue, StoreMetric } from './metric-group';
import { type NoisySnapshot, PER_MINUTE_COUNTS, readNoisySnapshot } from '../noisy/metrics-store';

/**
 * Noisy-neighbour and attribution series (services/noisy, migrations/0011_noisy.sql), read from
 * PostgreSQL at scrape time:
 * - `tenantscope_noisy_neighbour_active`: 1 per tenant and role of each confirmed incident still
 *   open (suspected ones are not published: they are the detector's own hysteresis);
 * - `tenantscope_tenant_resource_share`: each tenant's share of the last minute the live job closed;
 * - `tenantscope_tenant_resource_usage_total`: usage since tenantscope first attributed the tenant,
 *   in the resource's base unit (seconds for odoo_workers, odoo_cron, pg_cpu, pg_locks; 8 KiB
 *   blocks for pg_io; backend-seconds for pg_conn and client-seconds for redis, i.e. the
 *   per-minute peak count times 60; requests for ingress).
 */

const METRICS: StoreMetric<NoisySnapshot>[] = [
  {
    name: 'tenantscope_noisy_neighbour_active',
    help: 'Tenant named in an open, confirmed noisy-neighbour incident on a shared resource, by role (antagonist, victim); value 1.',
    type: 'gauge',
    values: (s): MetricValue[] =>
      s.active.map((a) => ({ value: 1, labels: { tenant: a.tenant, cluster: a.cluster, resource: a.resource, role: a.role } })),
  },
  {
    name: 'tenantscope_tenant_resource_share',
    help: 'Share of the cluster total of a shared resource the tenant used in the last closed minute (absent when the total could not be trusted).',
    type: 'gauge',
    values: (s) => s.shares.map((x) => ({ value: x.share, labels: { tenant: x.tenant, cluster: x.cluster, resource: x.resource } })),
  },
  {
    name: 'tenantscope_tenant_resource_usage_total',
    help: "Usage of a shared resource attributed to the tenant, in the resource's base unit (seconds; pg_io 8 KiB blocks; pg_conn backend-seconds; redis client-seconds; ingress requests).",
    type: 'counter',
    values: (s) =>
      s.totals.map((x) => ({
        value: PER_MINUTE_COUNTS.has(x.resource) ? x.usage * 60 : x.usage,
        labels: { tenant: x.tenant, cluster: x.cluster, resource: x.resource },
      })),
  },
];

export const noisyMetrics: MetricGroup<NoisySnapshot> = { name: 'noisy', load: readNoisySnapshot, metrics: METRICS };
