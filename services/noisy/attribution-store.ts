import type { Queryable } from '../storage/db';
import type { ClusterSources, MinuteAttribution, TenantSources } from './attribution';
import { numberOrNull } from '../../collectors/lib/row';
import { readIngressMinutesOfCluster } from '../../collectors/traefik/store';
import { readRedisClientMinutesOfCluster, readRedisMemoryMinutes } from '../../collectors/redis/store';
import { readDatabaseSizesOfCluster, readMaxConnections, readPostgresMinutesOfCluster } from '../../collectors/postgres/store';
import { readCronMinutesOfCluster } from '../../collectors/odoo-log/store';
import { readOdooMinutesOfCluster } from '../../collectors/lib/tenant-minute-store';

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

export async function loadClusterWindow(db: Queryable, cluster: string, fromMs: number, toMs: number): Promise<ClusterWindow> {
  // One after the other: inside the run's transaction they share one client.
  const odoo = await readOdooMinutesOfCluster(db, cluster, fromMs, toMs);
  const cron = await readCronMinutesOfCluster(db, cluster, fromMs, toMs);
  const pg = await readPostgresMinutesOfCluster(db, cluster, fromMs, toMs);
  const redis = await readRedisClientMinutesOfCluster(db, cluster, fromMs, toMs);
  const ingress = await readIngressMinutesOfCluster(db, cluster, fromMs, toMs);
  const redisServer = await readRedisMemoryMinutes(db, cluster, fromMs, toMs);
  const pgServer = await readMaxConnections(db, cluster);
  const tenants = new Map<number, Map<string, TenantSources>>();
  const at = (row: { tenant_id: string; minute: Date }): TenantSources => {
    const m = row.minute.getTime();
    let byTenant = tenants.get(m);
    if (!byTenant) tenants.set(m, (byTenant = new Map()));
    let s = byTenant.get(row.tenant_id);
    if (!s) byTenant.set(row.tenant_id, (s = {}));
    return s;
  };
  for (const r of odoo) {
    at(r).odoo = {
      workerSeconds: numberOrNull(r.worker_seconds),
      requests: numberOrNull(r.requests),
      durationSum: numberOrNull(r.duration_sum),
      durationCount: numberOrNull(r.duration_count),
      errors5xx: numberOrNull(r.errors_5xx),
    };
  }
  for (const r of cron) at(r).cronSeconds = Number(r.cron_seconds);
  for (const r of pg) {
    at(r).pg = {
      activeSeconds: numberOrNull(r.active_seconds),
      backends: numberOrNull(r.max_backends),
      lockCausedSeconds: numberOrNull(r.lock_wait_caused_seconds),
      blksRead: numberOrNull(r.blks_read),
      tempBytes: numberOrNull(r.temp_bytes),
    };
  }
  for (const r of redis) at(r).redisClients = Number(r.clients_max);
  for (const r of ingress) at(r).ingress = { requests: Number(r.ingress_requests), serverErrors: Number(r.ingress_server_errors) };
  const maxConnections = numberOrNull(pgServer[0]?.max_connections);
  const clusterSources = new Map<number, ClusterSources>();
  for (let m = fromMs; m < toMs; m += MINUTE) clusterSources.set(m, maxConnections === null ? {} : { maxConnections });
  for (const r of redisServer) {
    const s = clusterSources.get((r.minute as Date).getTime())!;
    if (r.used_memory_max_bytes !== null) s.redisMemoryBytes = Number(r.used_memory_max_bytes);
    if (r.max_memory_bytes !== null) s.redisMaxMemoryBytes = Number(r.max_memory_bytes);
  }
  return { tenants, cluster: clusterSources };
}

const ADD_TENANT_RESOURCES = `WITH fresh AS (
         INSERT INTO tenant_resource_minute (tenant_id, minute, resource, cluster_id, usage, share)
         SELECT x.tenant, $1, x.resource, $2, x.usage, x.share FROM jsonb_to_recordset($3) AS x (tenant text, resource text, usage float8, share float8)
         ON CONFLICT DO NOTHING RETURNING tenant_id, resource, usage)
       INSERT INTO tenant_resource_total AS tot (tenant_id, resource, cluster_id, usage)
       SELECT tenant_id, resource, $2, usage FROM fresh
       ON CONFLICT (tenant_id, resource) DO UPDATE SET usage = tot.usage + EXCLUDED.usage, cluster_id = EXCLUDED.cluster_id`;
const ADD_CLUSTER_RESOURCES = `INSERT INTO cluster_resource_minute (cluster_id, minute, resource, usage, capacity, capacity_source, saturation, shares_valid)
     SELECT $1, $2, x.resource, x.usage, x.capacity, x.source, x.saturation, x.valid
     FROM jsonb_to_recordset($3) AS x (resource text, usage float8, capacity float8, source text, saturation float8, valid boolean)
     ON CONFLICT DO NOTHING`;

/** Stores one cluster-minute's attribution and adds it to the running totals. Idempotent per minute. */
export async function writeAttribution(db: Queryable, cluster: string, a: MinuteAttribution): Promise<void> {
  const minute = new Date(a.minute);
  const t: { tenant: string; resource: string; usage: number; share: number | null }[] = [];
  for (const [tenant, row] of a.tenants)
    for (const [resource, v] of Object.entries(row)) t.push({ tenant, resource, usage: v.usage, share: v.share });
  if (t.length > 0) {
    // Only rows that were new feed the totals, so a minute written twice never counts twice.
    await db.query(ADD_TENANT_RESOURCES, [minute, cluster, JSON.stringify(t)]);
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
  await db.query(ADD_CLUSTER_RESOURCES, [cluster, minute, JSON.stringify(c)]);
}

const KEEP_DAY_SIZE = `INSERT INTO tenant_storage_day AS d (tenant_id, day, size_bytes)
     SELECT x.tenant, (x.sampled_at AT TIME ZONE 'UTC')::date, x.size_bytes
     FROM unnest($1::text[], $2::timestamptz[], $3::int8[]) AS x (tenant, sampled_at, size_bytes)
     ON CONFLICT (tenant_id, day) DO UPDATE SET size_bytes = greatest(d.size_bytes, EXCLUDED.size_bytes)`;

/** Keeps the day's largest pg_database_size per tenant of the cluster, for the storage charge. */
export async function recordStorage(db: Queryable, cluster: string): Promise<void> {
  const sizes = await readDatabaseSizesOfCluster(db, cluster);
  if (sizes.length === 0) return;
  await db.query(KEEP_DAY_SIZE, [sizes.map((s) => s.tenant_id), sizes.map((s) => s.size_sampled_at), sizes.map((s) => s.size_bytes)]);
}
