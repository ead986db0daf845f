import type { Queryable } from '../storage/db';
import { hasOdooData } from '../../collectors/lib/tenant-minute-store';
import type { ClusterSources, MinuteAttribution, TenantSources } from './attribution';
import { optionalNumber } from '../../collectors/lib/row';

/**
 * Reads the stored minute rollups attribution is built from, and writes what it built. The
 * rollups are already reset-safe deltas (the ingests drop an interval across a reset), so this
 * never differences counters itself.
 */

const MINUTE = 60_000;

export interface ClusterWindow {
  /** minute (ms) -> tenant -> what its sources said. */
  tenants: Map<number, Map<string, TenantSources>>;
  /** minute (ms) -> cluster gauges of that minute. */
  cluster: Map<number, ClusterSources>;
}

const ODOO = `
SELECT m.tenant_id, m.minute,
  CASE WHEN m.odoo_sql_seconds IS NULL AND m.odoo_python_seconds IS NULL THEN NULL
       ELSE coalesce(m.odoo_sql_seconds, 0) + coalesce(m.odoo_python_seconds, 0) END AS worker_seconds,
  CASE WHEN num_nonnulls(m.odoo_requests_2xx, m.odoo_requests_3xx, m.odoo_requests_4xx, m.odoo_requests_5xx, m.odoo_requests_other) = 0 THEN NULL
       ELSE coalesce(m.odoo_requests_2xx, 0) + coalesce(m.odoo_requests_3xx, 0) + coalesce(m.odoo_requests_4xx, 0)
          + coalesce(m.odoo_requests_5xx, 0) + coalesce(m.odoo_requests_other, 0) END AS requests,
  m.odoo_duration_sum AS duration_sum,
  (SELECT sum(c) FROM unnest(m.odoo_duration_counts) AS c) AS duration_count,
  m.odoo_requests_5xx AS errors_5xx
FROM tenant_minute m JOIN tenant t ON t.id = m.tenant_id
WHERE t.cluster_id = $1 AND m.minute >= $2 AND m.minute < $3
  AND ${hasOdooData('m')}`;

const CRON = `
SELECT e.tenant_id, e.minute, e.cron_seconds FROM odoo_tenant_event_minute e JOIN tenant t ON t.id = e.tenant_id
WHERE t.cluster_id = $1 AND e.minute >= $2 AND e.minute < $3`;

const PG = `
SELECT p.tenant_id, p.minute, p.active_seconds, p.max_backends, p.lock_wait_caused_seconds, p.blks_read, p.temp_bytes
FROM pg_tenant_minute p JOIN tenant t ON t.id = p.tenant_id
WHERE t.cluster_id = $1 AND p.minute >= $2 AND p.minute < $3`;

const REDIS = `SELECT tenant_id, minute, clients_max FROM redis_tenant_minute WHERE cluster_id = $1 AND minute >= $2 AND minute < $3`;

const INGRESS = `
SELECT i.tenant_id, i.minute, i.ingress_requests, i.ingress_server_errors FROM ingress_minute i JOIN tenant t ON t.id = i.tenant_id
WHERE t.cluster_id = $1 AND i.minute >= $2 AND i.minute < $3`;

const REDIS_SERVER = `
SELECT r.minute, r.used_memory_max_bytes, s.max_memory_bytes
FROM redis_minute r LEFT JOIN redis_server_state s USING (cluster_id)
WHERE r.cluster_id = $1 AND r.minute >= $2 AND r.minute < $3`;

// max_connections is a server setting: the latest reading stands for the minutes being read.
const PG_SERVER = 'SELECT max_connections FROM pg_cluster_state WHERE cluster_id = $1';

// A numeric column as a number, NULL as null (never a made-up 0).
const num = (v: unknown): number | null => optionalNumber(v) ?? null;

export async function loadClusterWindow(db: Queryable, cluster: string, fromMs: number, toMs: number): Promise<ClusterWindow> {
  const args = [cluster, new Date(fromMs), new Date(toMs)];
  // One after the other: inside the run's transaction they share one client.
  const odoo = await db.query(ODOO, args);
  const cron = await db.query(CRON, args);
  const pg = await db.query(PG, args);
  const redis = await db.query(REDIS, args);
  const ingress = await db.query(INGRESS, args);
  const redisServer = await db.query(REDIS_SERVER, args);
  const pgServer = await db.query(PG_SERVER, [cluster]);
  const tenants = new Map<number, Map<string, TenantSources>>();
  const at = (row: { tenant_id: string; minute: Date }): TenantSources => {
    const m = row.minute.getTime();
    let byTenant = tenants.get(m);
    if (!byTenant) tenants.set(m, (byTenant = new Map()));
    let s = byTenant.get(row.tenant_id);
    if (!s) byTenant.set(row.tenant_id, (s = {}));
    return s;
  };
  for (const r of odoo.rows) {
    at(r).odoo = {
      workerSeconds: num(r.worker_seconds),
      requests: num(r.requests),
      durationSum: num(r.duration_sum),
      durationCount: num(r.duration_count),
      errors5xx: num(r.errors_5xx),
    };
  }
  for (const r of cron.rows) at(r).cronSeconds = Number(r.cron_seconds);
  for (const r of pg.rows) {
    at(r).pg = {
      activeSeconds: num(r.active_seconds),
      backends: num(r.max_backends),
      lockCausedSeconds: num(r.lock_wait_caused_seconds),
      blksRead: num(r.blks_read),
      tempBytes: num(r.temp_bytes),
    };
  }
  for (const r of redis.rows) at(r).redisClients = Number(r.clients_max);
  for (const r of ingress.rows) at(r).ingress = { requests: Number(r.ingress_requests), serverErrors: Number(r.ingress_server_errors) };
  const maxConnections = num(pgServer.rows[0]?.max_connections);
  const clusterSources = new Map<number, ClusterSources>();
  for (let m = fromMs; m < toMs; m += MINUTE) clusterSources.set(m, maxConnections === null ? {} : { maxConnections });
  for (const r of redisServer.rows) {
    const s = clusterSources.get((r.minute as Date).getTime())!;
    if (r.used_memory_max_bytes !== null) s.redisMemoryBytes = Number(r.used_memory_max_bytes);
    if (r.max_memory_bytes !== null) s.redisMaxMemoryBytes = Number(r.max_memory_bytes);
  }
  return { tenants, cluster: clusterSources };
}

/** Stores one cluster-minute's attribution and adds it to the running totals. Idempotent per minute. */
export async function writeAttribution(db: Queryable, cluster: string, a: MinuteAttribution): Promise<void> {
  const minute = new Date(a.minute);
  const t: { tenant: string; resource: string; usage: number; share: number | null }[] = [];
  for (const [tenant, row] of a.tenants)
    for (const [resource, v] of Object.entries(row)) t.push({ tenant, resource, usage: v.usage, share: v.share });
  if (t.length > 0) {
    // Only rows that were new feed the totals, so a minute written twice never counts twice.
    await db.query(
      `WITH fresh AS (
         INSERT INTO tenant_resource_minute (tenant_id, minute, resource, cluster_id, usage, share)
         SELECT x.tenant, $1, x.resource, $2, x.usage, x.share FROM jsonb_to_recordset($3) AS x (tenant text, resource text, usage float8, share float8)
         ON CONFLICT DO NOTHING RETURNING tenant_id, resource, usage)
       INSERT INTO tenant_resource_total AS tot (tenant_id, resource, cluster_id, usage)
       SELECT tenant_id, resource, $2, usage FROM fresh
       ON CONFLICT (tenant_id, resource) DO UPDATE SET usage = tot.usage + EXCLUDED.usage, cluster_id = EXCLUDED.cluster_id`,
      [minute, cluster, JSON.stringify(t)],
    );
  }
  const c = Object.entries(a.totals).map(([resource, v]) => ({
    resource,
    usage: v.usage,
    capacity: v.capacity?.perMinute ?? null,
    source: v.capacity?.source ?? null,
    saturation: v.saturation ?? null,
    valid: v.sharesValid,
  }));
  if (c.length === 0) return;
  await db.query(
    `INSERT INTO cluster_resource_minute (cluster_id, minute, resource, usage, capacity, capacity_source, saturation, shares_valid)
     SELECT $1, $2, x.resource, x.usage, x.capacity, x.source, x.saturation, x.valid
     FROM jsonb_to_recordset($3) AS x (resource text, usage float8, capacity float8, source text, saturation float8, valid boolean)
     ON CONFLICT DO NOTHING`,
    [cluster, minute, JSON.stringify(c)],
  );
}

/** Keeps the day's largest pg_database_size per tenant of the cluster, for the storage charge. */
export async function recordStorage(db: Queryable, cluster: string): Promise<void> {
  await db.query(
    `INSERT INTO tenant_storage_day AS d (tenant_id, day, size_bytes)
     SELECT s.tenant_id, (s.size_sampled_at AT TIME ZONE 'UTC')::date, s.size_bytes
     FROM pg_tenant_state s JOIN tenant t ON t.id = s.tenant_id
     WHERE t.cluster_id = $1 AND s.size_bytes IS NOT NULL AND s.size_sampled_at IS NOT NULL
     ON CONFLICT (tenant_id, day) DO UPDATE SET size_bytes = greatest(d.size_bytes, EXCLUDED.size_bytes)`,
    [cluster],
  );
}
