import type { MetricGroup, MetricValue, StoreMetric } from './metric-group';
import { type RedisSnapshot, type Row, readRedisSnapshot } from '../../collectors/redis/metrics-store';

/** The redis collector's series, read from PostgreSQL at scrape time (migrations/0006_redis.sql). */

/** One series per row whose column holds a value; a NULL (the server did not say) is no series. */
function column(rows: Row[], name: string, labels: (r: Row) => MetricValue['labels'], scale = 1): MetricValue[] {
  return rows.filter((r) => r[name] !== null && r[name] !== undefined).map((r) => ({ value: Number(r[name]) * scale, labels: labels(r) }));
}

const byCluster = (r: Row) => ({ cluster: r.cluster_id });
const byTenant = (r: Row) => ({ tenant: r.tenant_id as string, cluster: r.cluster_id });
const byDb = (r: Row) => ({ cluster: r.cluster_id, db: String(r.db) });

type Spec = [name: string, type: 'gauge' | 'counter', help: string, pick: (s: RedisSnapshot) => MetricValue[]];

const server = (col: string) => (s: RedisSnapshot) => column(s.servers, col, byCluster);

const SPECS: Spec[] = [
  ['tenantscope_redis_memory_used_bytes', 'gauge', 'Bytes Redis allocated (INFO used_memory).', server('used_memory_bytes')],
  [
    'tenantscope_redis_memory_rss_bytes',
    'gauge',
    'Resident memory of the Redis process (INFO used_memory_rss).',
    server('used_memory_rss_bytes'),
  ],
  ['tenantscope_redis_memory_max_bytes', 'gauge', 'Configured maxmemory (INFO maxmemory); 0 means no limit.', server('max_memory_bytes')],
  [
    'tenantscope_redis_memory_fragmentation_ratio',
    'gauge',
    'RSS over allocated memory (INFO mem_fragmentation_ratio).',
    server('fragmentation_ratio'),
  ],
  [
    'tenantscope_redis_ops_per_second',
    'gauge',
    'Commands per second as Redis measures it (INFO instantaneous_ops_per_sec).',
    server('ops_per_second'),
  ],
  [
    'tenantscope_redis_connected_clients',
    'gauge',
    'Client connections, replicas excepted (INFO connected_clients).',
    server('connected_clients'),
  ],
  [
    'tenantscope_redis_blocked_clients',
    'gauge',
    'Clients waiting in a blocking command (INFO blocked_clients).',
    server('blocked_clients'),
  ],
  ['tenantscope_redis_max_clients', 'gauge', 'Configured maxclients (INFO maxclients).', server('max_clients')],
  [
    'tenantscope_redis_unattributed_clients',
    'gauge',
    'Clients whose name and db map to no tenant of the cluster (the collector itself excluded).',
    server('unattributed_clients'),
  ],
  ['tenantscope_redis_uptime_seconds', 'gauge', 'Seconds since the Redis server started.', server('uptime_seconds')],
  [
    'tenantscope_redis_connected_replicas',
    'gauge',
    'Replicas attached to this server (INFO connected_slaves).',
    server('connected_replicas'),
  ],
  [
    'tenantscope_redis_replication_offset_bytes',
    'gauge',
    'Replication stream offset of this server (INFO master_repl_offset).',
    server('replication_offset_bytes'),
  ],
  [
    'tenantscope_redis_replica_applied_offset_bytes',
    'gauge',
    'On a replica: offset applied from its master (INFO slave_repl_offset).',
    server('replica_offset_bytes'),
  ],
  [
    'tenantscope_redis_commands_processed_total',
    'counter',
    'Commands Redis processed while tenantscope watched (restarts and stats resets dropped).',
    server('commands_processed'),
  ],
  [
    'tenantscope_redis_connections_received_total',
    'counter',
    'Connections Redis accepted while tenantscope watched.',
    server('connections_received'),
  ],
  [
    'tenantscope_redis_rejected_connections_total',
    'counter',
    'Connections refused for maxclients while tenantscope watched.',
    server('rejected_connections'),
  ],
  ['tenantscope_redis_expired_keys_total', 'counter', 'Keys removed on expiry while tenantscope watched.', server('expired_keys')],
  ['tenantscope_redis_evicted_keys_total', 'counter', 'Keys evicted for maxmemory while tenantscope watched.', server('evicted_keys')],
  ['tenantscope_redis_keyspace_hits_total', 'counter', 'Successful key lookups while tenantscope watched.', server('keyspace_hits')],
  ['tenantscope_redis_keyspace_misses_total', 'counter', 'Failed key lookups while tenantscope watched.', server('keyspace_misses')],
  [
    'tenantscope_redis_stats_resets_total',
    'counter',
    'Sample intervals dropped because Redis restarted or its stats were reset.',
    server('resets'),
  ],
  [
    'tenantscope_redis_last_sample_timestamp_seconds',
    'gauge',
    'When the last sample of the server was taken, Unix seconds.',
    (s) => s.servers.map((r) => ({ value: (r.sampled_at as Date).getTime() / 1000, labels: byCluster(r) })),
  ],
  [
    'tenantscope_redis_instance_info',
    'gauge',
    'Version and role of the server, value 1.',
    (s) =>
      s.servers.map((r) => ({
        value: 1,
        labels: { cluster: r.cluster_id, version: (r.version as string | null) ?? '', role: (r.role as string | null) ?? '' },
      })),
  ],
  [
    'tenantscope_redis_master_link_up',
    'gauge',
    'On a replica: 1 when the link to its master is up, else 0.',
    (s) => s.servers.filter((r) => r.master_link_up !== null).map((r) => ({ value: r.master_link_up ? 1 : 0, labels: byCluster(r) })),
  ],
  [
    'tenantscope_redis_replica_offset_bytes',
    'gauge',
    'Replication offset a replica acknowledged (INFO slaveN offset).',
    (s) => replicas(s, 'offset'),
  ],
  [
    'tenantscope_redis_replica_lag_seconds',
    'gauge',
    'Seconds since a replica last acknowledged (INFO slaveN lag).',
    (s) => replicas(s, 'lag'),
  ],
  ['tenantscope_redis_db_keys', 'gauge', 'Keys in the db (INFO keyspace).', (s) => column(s.dbs, 'keys', byDb)],
  ['tenantscope_redis_db_keys_expiring', 'gauge', 'Keys with an expiry in the db (INFO keyspace).', (s) => column(s.dbs, 'expires', byDb)],
  [
    'tenantscope_redis_db_avg_ttl_seconds',
    'gauge',
    "Average time to live of the db's expiring keys (INFO keyspace avg_ttl).",
    (s) => column(s.dbs, 'avg_ttl_ms', byDb, 1 / 1000),
  ],
  [
    'tenantscope_redis_tenant_clients',
    'gauge',
    'Client connections of the tenant, by client-name prefix or db index.',
    (s) => column(s.tenants, 'clients', byTenant),
  ],
  [
    'tenantscope_redis_tenant_client_memory_bytes',
    'gauge',
    "Memory of the tenant's client connections (CLIENT LIST tot-mem, Redis 6.0+).",
    (s) => column(s.tenants, 'client_memory_bytes', byTenant),
  ],
  [
    'tenantscope_redis_tenant_keys',
    'gauge',
    "Keys in the tenant's db, for tenants mapped by db index.",
    (s) => column(s.tenants, 'keys', byTenant),
  ],
  [
    'tenantscope_redis_tenant_commands_total',
    'counter',
    "Commands of the tenant's clients (CLIENT LIST tot-cmds, Redis 8 / Valkey 8); a lower bound.",
    (s) => column(s.tenants, 'commands_total', byTenant),
  ],
];

function replicas(s: RedisSnapshot, field: 'offset' | 'lag'): MetricValue[] {
  return s.servers.flatMap((r) =>
    ((r.replicas as { ip: string; port: number; offset: number; lag: number | null }[] | null) ?? [])
      .filter((x) => x[field] !== null && x[field] !== undefined)
      .map((x) => ({ value: Number(x[field]), labels: { cluster: r.cluster_id, replica: `${x.ip}:${x.port}` } })),
  );
}

const METRICS: StoreMetric<RedisSnapshot>[] = SPECS.map(([name, type, help, values]) => ({ name, type, help, values }));

/** Redis memory, clients, commands and keyspace per cluster, clients and memory per tenant. */
export const redisMetrics: MetricGroup<RedisSnapshot> = { name: 'redis', load: readRedisSnapshot, metrics: METRICS };
