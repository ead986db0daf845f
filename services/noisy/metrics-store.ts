import type { Queryable } from '../storage/db';
import { ACTIVE_TENANTS } from '../config/fleet-store';

/** What /metrics reads of the noisy-neighbour tables: open incidents, last shares, usage totals. */

export interface NoisySnapshot {
  active: { tenant: string; cluster: string; resource: string; role: string }[];
  shares: { tenant: string; cluster: string; resource: string; share: number }[];
  totals: { tenant: string; cluster: string; resource: string; usage: number }[];
}

// Counted per minute as a peak count; as a counter they become count-seconds.
export const PER_MINUTE_COUNTS = new Set(['pg_conn', 'redis']);

const ACTIVE = `
SELECT DISTINCT x.tenant, n.cluster_id AS cluster, n.resource, x.role FROM noisy_incident n
CROSS JOIN LATERAL (SELECT unnest(n.antagonist_ids) AS tenant, 'antagonist' AS role UNION ALL SELECT unnest(n.victims), 'victim') AS x
JOIN ${ACTIVE_TENANTS} t ON t.id = x.tenant
WHERE n.end_at IS NULL AND n.confirmed_at IS NOT NULL
ORDER BY 1, 2, 3, 4`;

const SHARES = `
SELECT r.tenant_id AS tenant, r.cluster_id AS cluster, r.resource, r.share
FROM noisy_detector_state s JOIN tenant_resource_minute r ON r.cluster_id = s.cluster_id AND r.minute = s.watermark - interval '1 minute'
JOIN ${ACTIVE_TENANTS} t ON t.id = r.tenant_id
WHERE r.share IS NOT NULL ORDER BY 1, 3`;

const TOTALS = `
SELECT r.tenant_id AS tenant, r.cluster_id AS cluster, r.resource, r.usage FROM tenant_resource_total r JOIN ${ACTIVE_TENANTS} t ON t.id = r.tenant_id
ORDER BY 1, 3`;

export async function readNoisySnapshot(db: Queryable): Promise<NoisySnapshot> {
  const [active, shares, totals] = await Promise.all([db.query(ACTIVE), db.query(SHARES), db.query(TOTALS)]);
  return {
    active: active.rows,
    shares: shares.rows.map((r) => ({ ...r, share: Number(r.share) })),
    totals: totals.rows.map((r) => ({ ...r, usage: Number(r.usage) })),
  };
}
