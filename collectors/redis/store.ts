import type { KeyspaceRecord, RedisCounter, RedisGauge, RedisServerStats } from './info-parser';
import type { CounterBase, TenantUsage } from './deltas';
import type { Client, Queryable } from '../../services/storage/db';
import { lockTargetForTransaction } from '../../services/storage/locks';

/** The redis collector's tables (migrations/0006_redis.sql). Every call runs in the caller's transaction. */

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const GAUGE_COLUMNS: readonly RedisGauge[] = [
  'uptimeSeconds',
  'usedMemoryBytes',
  'usedMemoryRssBytes',
  'maxMemoryBytes',
  'fragmentationRatio',
  'opsPerSecond',
  'connectedClients',
  'blockedClients',
  'maxClients',
  'connectedReplicas',
  'replicationOffsetBytes',
  'replicaOffsetBytes',
];
const COUNTER_COLUMNS: readonly RedisCounter[] = [
  'commandsProcessed',
  'connectionsReceived',
  'rejectedConnections',
  'expiredKeys',
  'evictedKeys',
  'keyspaceHits',
  'keyspaceMisses',
];

/** Serialises runs on one server across workers; the base row may not exist yet, so no row lock. */

const READ_BASE = 'SELECT run_id, sampled_at, counters, client_commands FROM redis_server_state WHERE cluster_id = $1';

const STATE_COLUMNS = [
  'run_id',
  'version',
  'role',
  'master_link_up',
  ...GAUGE_COLUMNS.map(snake),
  'unattributed_clients',
  'counters',
  'client_commands',
  'replicas',
];
const UPSERT_STATE = `
INSERT INTO redis_server_state (cluster_id, sampled_at, ${STATE_COLUMNS.join(', ')})
VALUES ($1, $2, ${STATE_COLUMNS.map((_, i) => `$${i + 3}`).join(', ')})
ON CONFLICT (cluster_id) DO UPDATE SET sampled_at = EXCLUDED.sampled_at, ${STATE_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`;

const TOTAL_COLUMNS = COUNTER_COLUMNS.map(snake);
const ADD_TOTALS = `
INSERT INTO redis_server_total AS t (cluster_id, ${TOTAL_COLUMNS.join(', ')}, resets)
VALUES ($1, ${TOTAL_COLUMNS.map((_, i) => `$${i + 2}::int8`).join(', ')}, $${TOTAL_COLUMNS.length + 2})
ON CONFLICT (cluster_id) DO UPDATE SET
  ${TOTAL_COLUMNS.map((c) => `${c} = CASE WHEN EXCLUDED.${c} IS NULL THEN t.${c} ELSE coalesce(t.${c}, 0) + EXCLUDED.${c} END`).join(',\n  ')},
  resets = t.resets + EXCLUDED.resets`;

const ADD_MINUTE = `
INSERT INTO redis_minute AS m (cluster_id, minute, samples, used_memory_max_bytes, connected_clients_max, ops_per_second_max, ${TOTAL_COLUMNS.join(', ')})
VALUES ($1, $2, 1, $3, $4, $5, ${TOTAL_COLUMNS.map((_, i) => `$${i + 6}::int8`).join(', ')})
ON CONFLICT (cluster_id, minute) DO UPDATE SET
  samples = m.samples + 1,
  used_memory_max_bytes = greatest(m.used_memory_max_bytes, EXCLUDED.used_memory_max_bytes),
  connected_clients_max = greatest(m.connected_clients_max, EXCLUDED.connected_clients_max),
  ops_per_second_max = greatest(m.ops_per_second_max, EXCLUDED.ops_per_second_max),
  ${TOTAL_COLUMNS.map((c) => `${c} = CASE WHEN EXCLUDED.${c} IS NULL THEN m.${c} ELSE coalesce(m.${c}, 0) + EXCLUDED.${c} END`).join(',\n  ')}`;

const REPLACE_DBS = `
WITH fresh AS (
  SELECT * FROM unnest($2::int4[], $3::int8[], $4::int8[], $5::int8[], $6::int8[]) AS u(db, keys, expires, avg_ttl_ms, subexpiry)
), gone AS (
  DELETE FROM redis_db_state WHERE cluster_id = $1 AND db NOT IN (SELECT db FROM fresh)
)
INSERT INTO redis_db_state (cluster_id, db, sampled_at, keys, expires, avg_ttl_ms, subexpiry)
SELECT $1, db, $7, keys, expires, avg_ttl_ms, subexpiry FROM fresh
ON CONFLICT (cluster_id, db) DO UPDATE SET sampled_at = EXCLUDED.sampled_at, keys = EXCLUDED.keys, expires = EXCLUDED.expires,
  avg_ttl_ms = EXCLUDED.avg_ttl_ms, subexpiry = EXCLUDED.subexpiry`;

const UPSERT_TENANTS = `
INSERT INTO redis_tenant_state AS s (tenant_id, cluster_id, sampled_at, clients, client_memory_bytes, keys, commands_total)
SELECT u.tenant_id, $1, $2, u.clients, u.memory, u.keys, u.commands
FROM unnest($3::text[], $4::int4[], $5::int8[], $6::int8[], $7::int8[]) AS u(tenant_id, clients, memory, keys, commands)
ON CONFLICT (tenant_id) DO UPDATE SET cluster_id = EXCLUDED.cluster_id, sampled_at = EXCLUDED.sampled_at, clients = EXCLUDED.clients,
  client_memory_bytes = EXCLUDED.client_memory_bytes, keys = EXCLUDED.keys,
  commands_total = CASE WHEN EXCLUDED.commands_total IS NULL THEN s.commands_total ELSE coalesce(s.commands_total, 0) + EXCLUDED.commands_total END`;

const ADD_TENANT_MINUTES = `
INSERT INTO redis_tenant_minute AS m (tenant_id, minute, cluster_id, samples, clients_max, client_memory_max_bytes, keys_max, commands)
SELECT u.tenant_id, $2, $1, 1, u.clients, u.memory, u.keys, u.commands
FROM unnest($3::text[], $4::int4[], $5::int8[], $6::int8[], $7::int8[]) AS u(tenant_id, clients, memory, keys, commands)
ON CONFLICT (tenant_id, minute) DO UPDATE SET
  samples = m.samples + 1,
  clients_max = greatest(m.clients_max, EXCLUDED.clients_max),
  client_memory_max_bytes = greatest(m.client_memory_max_bytes, EXCLUDED.client_memory_max_bytes),
  keys_max = greatest(m.keys_max, EXCLUDED.keys_max),
  commands = CASE WHEN EXCLUDED.commands IS NULL THEN m.commands ELSE coalesce(m.commands, 0) + EXCLUDED.commands END`;

export async function lockRedisTarget(client: Client, clusterId: string): Promise<void> {
  await lockTargetForTransaction(client, 'redis', clusterId);
}

export async function readRedisBase(client: Client, clusterId: string): Promise<CounterBase | undefined> {
  const { rows } = await client.query<{
    run_id: string | null;
    sampled_at: Date;
    counters: CounterBase['counters'];
    client_commands: Record<string, number>;
  }>(READ_BASE, [clusterId]);
  const row = rows[0];
  return row && { runId: row.run_id, sampledAt: row.sampled_at.getTime(), counters: row.counters, clientCommands: row.client_commands };
}

export interface TenantSample extends TenantUsage {
  keys: number | null;
}

export interface RedisSampleRow {
  clusterId: string;
  sampledAt: number;
  /** The minute the sample's interval is booked to (UTC, ms). */
  minute: number;
  stats: RedisServerStats;
  replicas: unknown[];
  unattributed: number;
  clientCommands: Record<string, number>;
  deltas: Partial<Record<RedisCounter, number>>;
  reset: boolean;
  keyspace: readonly KeyspaceRecord[];
  tenants: readonly TenantSample[];
}

/** Stores one sample: state, totals, minute rows, keyspace and tenants (partitions must exist). */
export async function writeRedisSample(client: Client, s: RedisSampleRow): Promise<void> {
  const at = new Date(s.sampledAt);
  const g = s.stats.gauges;
  await client.query(UPSERT_STATE, [
    s.clusterId,
    at,
    s.stats.runId ?? null,
    s.stats.version ?? null,
    s.stats.role ?? null,
    s.stats.masterLinkUp ?? null,
    ...GAUGE_COLUMNS.map((c) => g[c] ?? null),
    s.unattributed,
    JSON.stringify(s.stats.counters),
    JSON.stringify(s.clientCommands),
    JSON.stringify(s.replicas),
  ]);
  const deltas = COUNTER_COLUMNS.map((c) => s.deltas[c] ?? null);
  await client.query(ADD_TOTALS, [s.clusterId, ...deltas, s.reset ? 1 : 0]);
  await client.query(ADD_MINUTE, [
    s.clusterId,
    new Date(s.minute),
    g.usedMemoryBytes ?? null,
    g.connectedClients ?? null,
    g.opsPerSecond ?? null,
    ...deltas,
  ]);
  const k = s.keyspace;
  await client.query(REPLACE_DBS, [
    s.clusterId,
    k.map((d) => d.db),
    k.map((d) => d.keys),
    k.map((d) => d.expires),
    k.map((d) => Math.round(d.avgTtlMs)),
    k.map((d) => d.subexpiry ?? null),
    at,
  ]);
  if (s.tenants.length === 0) return;
  const t = s.tenants;
  const columns = [
    t.map((u) => u.tenantId),
    t.map((u) => u.clients),
    t.map((u) => u.clientMemoryBytes),
    t.map((u) => u.keys),
    t.map((u) => u.commands),
  ];
  await client.query(UPSERT_TENANTS, [s.clusterId, at, ...columns]);
  await client.query(ADD_TENANT_MINUTES, [s.clusterId, new Date(s.minute), ...columns]);
}

const ATTRIBUTION_REDIS = `SELECT tenant_id, minute, clients_max FROM redis_tenant_minute WHERE cluster_id = $1 AND minute >= $2 AND minute < $3`;

/** Peak Redis clients per tenant minute of a cluster in [from, to). */
export async function readRedisClientMinutesOfCluster(db: Queryable, cluster: string, fromMs: number, toMs: number) {
  return (await db.query(ATTRIBUTION_REDIS, [cluster, new Date(fromMs), new Date(toMs)])).rows;
}

const ATTRIBUTION_REDIS_SERVER = `
SELECT r.minute, r.used_memory_max_bytes, s.max_memory_bytes
FROM redis_minute r LEFT JOIN redis_server_state s USING (cluster_id)
WHERE r.cluster_id = $1 AND r.minute >= $2 AND r.minute < $3`;

/** The Redis server's peak used memory per minute of a cluster in [from, to), with its maxmemory. */
export async function readRedisMemoryMinutes(db: Queryable, cluster: string, fromMs: number, toMs: number) {
  return (await db.query(ATTRIBUTION_REDIS_SERVER, [cluster, new Date(fromMs), new Date(toMs)])).rows;
}
