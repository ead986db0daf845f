import type { Queryable } from '../storage/db';
import type { MetricGroup, MetricValue, StoreMetric } from './metric-group';

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

export interface NoisySnapshot {
  active: { tenant: string; cluster: string; resource: string; role: string }[];
  shares: { tenant: string; cluster: string; resource: string; share: number }[];
  totals: { tenant: string; cluster: string; resource: string; usage: number }[];
}

// Counted per minute as a peak count; as a counter they become count-seconds.
const PER_MINUTE_COUNTS = new Set(['pg_conn', 'redis']);

const ACTIVE = `
SELECT DISTINCT x.tenant, n.cluster_id AS cluster, n.resource, x.role FROM noisy_incident n
CROSS JOIN LATERAL (SELECT unnest(n.antagonist_ids) AS tenant, 'antagonist' AS role UNION ALL SELECT unnest(n.victims), 'victim') AS x
JOIN tenant t ON t.id = x.tenant
WHERE n.end_at IS NULL AND n.confirmed_at IS NOT NULL AND t.active
ORDER BY 1, 2, 3, 4`;

const SHARES = `
SELECT r.tenant_id AS tenant, r.cluster_id AS cluster, r.resource, r.share
FROM noisy_detector_state s JOIN tenant_resource_minute r ON r.cluster_id = s.cluster_id AND r.minute = s.watermark - interval '1 minute'
JOIN tenant t ON t.id = r.tenant_id
WHERE r.share IS NOT NULL AND t.active ORDER BY 1, 3`;

const TOTALS = `
SELECT r.tenant_id AS tenant, r.cluster_id AS cluster, r.resource, r.usage FROM tenant_resource_total r JOIN tenant t ON t.id = r.tenant_id
WHERE t.active ORDER BY 1, 3`;

async function load(db: Queryable): Promise<NoisySnapshot> {
  const [active, shares, totals] = await Promise.all([db.query(ACTIVE), db.query(SHARES), db.query(TOTALS)]);
  return {
    active: active.rows,
    shares: shares.rows.map((r) => ({ ...r, share: Number(r.share) })),
    totals: totals.rows.map((r) => ({ ...r, usage: Number(r.usage) })),
  };
}

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

export const noisyMetrics: MetricGroup<NoisySnapshot> = { name: 'noisy', load, metrics: METRICS };
