import type { Queryable } from '../storage/db';
import { TENANTS } from '../config/fleet-store';

/** What the usage report (usage-report.ts) reads for one cluster and month `[from, to)`. */
export interface UsageInputs {
  /** tenant -> resource -> usage over the minutes whose shares are valid. */
  tenantUsage: Map<string, Map<string, number>>;
  /** resource -> totals: usage (valid minutes), capacity and usage over the minutes with a capacity. */
  cluster: Map<string, { usage: number; capacity: number | null; usageWithCapacity: number; capacitySource: string | null }>;
  /** tenant -> mean of the daily largest database size, bytes. */
  storage: Map<string, number>;
  /** Confirmed neighbour incidents overlapping the month: antagonists and times. */
  incidents: { id: string; resource: string; start: number; end: number | null; antagonists: { tenant: string; blame: number }[] }[];
}

// Only minutes where every tenant's interval was valid count: a reset never bills anyone twice
// and never shifts another tenant's share (counter hygiene).
const TENANT_USAGE = `
SELECT t.tenant_id, t.resource, sum(t.usage) AS usage
FROM tenant_resource_minute t JOIN cluster_resource_minute c USING (cluster_id, minute, resource)
WHERE t.cluster_id = $1 AND t.minute >= $2 AND t.minute < $3 AND c.shares_valid
GROUP BY t.tenant_id, t.resource`;

const CLUSTER = `
SELECT resource,
  coalesce(sum(usage) FILTER (WHERE shares_valid), 0) AS usage,
  sum(capacity) AS capacity,
  coalesce(sum(usage) FILTER (WHERE capacity IS NOT NULL), 0) AS usage_with_capacity,
  max(capacity_source) AS capacity_source
FROM cluster_resource_minute WHERE cluster_id = $1 AND minute >= $2 AND minute < $3
GROUP BY resource`;

const STORAGE = `
SELECT s.tenant_id, avg(s.size_bytes) AS bytes
FROM tenant_storage_day s JOIN ${TENANTS} t ON t.id = s.tenant_id
WHERE t.cluster_id = $1 AND s.day >= ($2::timestamptz AT TIME ZONE 'UTC')::date AND s.day < ($3::timestamptz AT TIME ZONE 'UTC')::date
GROUP BY s.tenant_id`;

const INCIDENTS = `
SELECT id, resource, start_at, end_at, antagonists FROM noisy_incident
WHERE cluster_id = $1 AND kind = 'neighbour' AND confirmed_at IS NOT NULL AND start_at < $3 AND (end_at IS NULL OR end_at > $2)
ORDER BY start_at, id`;

export async function loadUsageInputs(db: Queryable, cluster: string, fromMs: number, toMs: number): Promise<UsageInputs> {
  const args = [cluster, new Date(fromMs), new Date(toMs)];
  const [tenants, clusterRows, storage, incidents] = await Promise.all([
    db.query(TENANT_USAGE, args),
    db.query(CLUSTER, args),
    db.query(STORAGE, args),
    db.query(INCIDENTS, args),
  ]);
  const tenantUsage = new Map<string, Map<string, number>>();
  for (const r of tenants.rows) {
    let m = tenantUsage.get(r.tenant_id);
    if (!m) tenantUsage.set(r.tenant_id, (m = new Map()));
    m.set(r.resource, Number(r.usage));
  }
  return {
    tenantUsage,
    cluster: new Map(
      clusterRows.rows.map((r) => [
        r.resource,
        {
          usage: Number(r.usage),
          capacity: r.capacity === null ? null : Number(r.capacity),
          usageWithCapacity: Number(r.usage_with_capacity),
          capacitySource: r.capacity_source,
        },
      ]),
    ),
    storage: new Map(storage.rows.map((r) => [r.tenant_id, Number(r.bytes)])),
    incidents: incidents.rows.map((r) => ({
      id: r.id,
      resource: r.resource,
      start: r.start_at.getTime(),
      end: r.end_at === null ? null : r.end_at.getTime(),
      antagonists: (r.antagonists as { tenant: string; blame: number }[]).map((a) => ({ tenant: a.tenant, blame: a.blame })),
    })),
  };
}

const STORAGE_DAYS = `
SELECT s.tenant_id, (s.day - DATE '1970-01-01') AS day, s.size_bytes::float8 AS bytes
FROM tenant_storage_day s JOIN ${TENANTS} t ON t.id = s.tenant_id
WHERE t.cluster_id = $1 AND s.day >= $2::date AND s.day <= $3::date
ORDER BY s.tenant_id, s.day`;

/** Each tenant's daily largest database size over UTC days `[fromDay, toDay]` (days since 1970-01-01). */
export async function loadStorageDays(
  db: Queryable,
  cluster: string,
  fromDay: number,
  toDay: number,
): Promise<Map<string, [number, number][]>> {
  const day = (n: number) => new Date(n * 86_400_000).toISOString().slice(0, 10);
  const { rows } = await db.query<{ tenant_id: string; day: number; bytes: number }>(STORAGE_DAYS, [cluster, day(fromDay), day(toDay)]);
  const out = new Map<string, [number, number][]>();
  for (const r of rows) {
    let list = out.get(r.tenant_id);
    if (!list) out.set(r.tenant_id, (list = []));
    list.push([Number(r.day), Number(r.bytes)]);
  }
  return out;
}
