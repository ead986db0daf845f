import type { CounterReading } from './delta';
import { DATABASE_CONFLICTS, DATABASE_COUNTERS } from './queries';
import type { SlotRecord, StandbyRecord, StatementRecord } from './read';
import type { TenantActivity } from './rollup';
import type { Client, Queryable } from '../../services/storage/db';
import { LOCK, lockKeyForTransaction } from '../../services/storage/locks';
import { TENANTS } from '../../services/config/fleet-store';

/**
 * Writes of the postgres collector, each inside the caller's transaction. Rows travel as one
 * JSON array per statement (jsonb_populate_recordset), so a cluster of hundreds of tenants is
 * one statement per table and sample.
 */

/** pg_stat_database deltas as stored in pg_tenant_minute and pg_tenant_total. */
export const DATABASE_DELTA_COLUMNS = [
  ...DATABASE_COUNTERS,
  'blk_read_time_seconds',
  'blk_write_time_seconds',
  'session_time_seconds',
  'active_time_seconds',
  'idle_in_transaction_time_seconds',
  'sessions',
  'sessions_abandoned',
  'sessions_fatal',
  'sessions_killed',
  ...DATABASE_CONFLICTS,
  'checksum_failures',
] as const;

const ACTIVITY_SUMS = [
  'activity_samples',
  'active_seconds',
  'idle_in_transaction_seconds',
  'lock_wait_suffered_seconds',
  'lock_wait_caused_seconds',
] as const;

const addTo = (col: string) => `${col} = CASE WHEN EXCLUDED.${col} IS NULL THEN t.${col} ELSE coalesce(t.${col}, 0) + EXCLUDED.${col} END`;

/** Adds `summed` columns to what is stored (NULL adds nothing); `merged` columns use their own expression. */
function upsertSums(table: 'pg_tenant_minute' | 'pg_tenant_total', summed: readonly string[], merged: Record<string, string> = {}): string {
  const key = table === 'pg_tenant_minute' ? 'tenant_id, minute' : 'tenant_id';
  const columns = [...summed, ...Object.keys(merged)].join(', ');
  const sets = [...summed.map(addTo), ...Object.entries(merged).map(([column, expression]) => `${column} = ${expression}`)];
  return `
INSERT INTO ${table} AS t (${key}, ${columns})
SELECT ${key}, ${columns} FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)
ON CONFLICT (${key}) DO UPDATE SET
  ${sets.join(',\n  ')}`;
}

const ACTIVITY_MINUTE = upsertSums('pg_tenant_minute', ACTIVITY_SUMS, {
  wait_seconds: 'tenantscope_add_jsonb_numbers(t.wait_seconds, EXCLUDED.wait_seconds)',
  lock_wait_blockers: 'tenantscope_add_jsonb_numbers(t.lock_wait_blockers, EXCLUDED.lock_wait_blockers)',
  idle_in_transaction_oldest_seconds: 'greatest(t.idle_in_transaction_oldest_seconds, EXCLUDED.idle_in_transaction_oldest_seconds)',
  max_backends: 'greatest(t.max_backends, EXCLUDED.max_backends)',
});
const ACTIVITY_TOTAL = upsertSums('pg_tenant_total', ACTIVITY_SUMS);
const DELTA_MINUTE = upsertSums('pg_tenant_minute', DATABASE_DELTA_COLUMNS);
const DELTA_TOTAL = upsertSums('pg_tenant_total', DATABASE_DELTA_COLUMNS);

export interface ActivityWrite {
  clusterId: string;
  minute: Date;
  sampledAt: Date;
  freshUntil: Date;
  weightSeconds: number;
  tenants: ReadonlyMap<string, TenantActivity>;
  server: { versionNum: number; inRecovery: boolean; maxConnections: number };
  connections: number;
}

const ADD_WAIT_TOTALS = `INSERT INTO pg_tenant_wait_total AS t (tenant_id, wait_event_type, seconds)
         SELECT tenant_id, wait_event_type, seconds FROM jsonb_populate_recordset(NULL::pg_tenant_wait_total, $1::jsonb)
         ON CONFLICT (tenant_id, wait_event_type) DO UPDATE SET seconds = t.seconds + EXCLUDED.seconds`;
const SAVE_TENANT_STATE = `INSERT INTO pg_tenant_state AS t (tenant_id, sampled_at, fresh_until, backends, idle_in_transaction_oldest_seconds)
       SELECT r.tenant_id, $2, $3, r.backends, r.oldest FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, backends jsonb, oldest float8)
       ON CONFLICT (tenant_id) DO UPDATE SET sampled_at = EXCLUDED.sampled_at, fresh_until = EXCLUDED.fresh_until,
         backends = EXCLUDED.backends, idle_in_transaction_oldest_seconds = EXCLUDED.idle_in_transaction_oldest_seconds
       WHERE t.sampled_at IS NULL OR t.sampled_at < EXCLUDED.sampled_at`;
const SAVE_CLUSTER_STATE = `INSERT INTO pg_cluster_state AS t (cluster_id, sampled_at, fresh_until, server_version_num, in_recovery, connections, max_connections)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (cluster_id) DO UPDATE SET sampled_at = EXCLUDED.sampled_at, fresh_until = EXCLUDED.fresh_until,
       server_version_num = EXCLUDED.server_version_num, in_recovery = EXCLUDED.in_recovery,
       connections = EXCLUDED.connections, max_connections = EXCLUDED.max_connections
     WHERE t.sampled_at < EXCLUDED.sampled_at`;

/** One pg_stat_activity sample: minute rows, totals, the tenants' and the cluster's gauges. */
export async function addActivitySample(client: Client, w: ActivityWrite): Promise<void> {
  const rows = [...w.tenants].map(([tenantId, a]) => ({
    tenant_id: tenantId,
    minute: w.minute.toISOString(),
    activity_samples: 1,
    active_seconds: a.activeSeconds,
    wait_seconds: a.waitSeconds,
    idle_in_transaction_seconds: a.idleInTransactionSeconds,
    idle_in_transaction_oldest_seconds: a.idleInTransactionOldestSeconds,
    max_backends: Object.values(a.backends).reduce((s, n) => s + n, 0),
    lock_wait_suffered_seconds: a.lockWaitSufferedSeconds,
    lock_wait_caused_seconds: a.lockWaitCausedSeconds,
    lock_wait_blockers: Object.keys(a.blockers).length > 0 ? a.blockers : null,
  }));
  if (rows.length > 0) {
    await client.query(ACTIVITY_MINUTE, [JSON.stringify(rows)]);
    await client.query(ACTIVITY_TOTAL, [JSON.stringify(rows)]);
    const waits = rows.flatMap((r) =>
      Object.entries(r.wait_seconds).map(([type, seconds]) => ({ tenant_id: r.tenant_id, wait_event_type: type, seconds })),
    );
    if (waits.length > 0) {
      await client.query(ADD_WAIT_TOTALS, [JSON.stringify(waits)]);
    }
    await client.query(SAVE_TENANT_STATE, [
      JSON.stringify([...w.tenants].map(([id, a]) => ({ tenant_id: id, backends: a.backends, oldest: a.idleInTransactionOldestSeconds }))),
      w.sampledAt,
      w.freshUntil,
    ]);
  }
  await client.query(SAVE_CLUSTER_STATE, [
    w.clusterId,
    w.sampledAt,
    w.freshUntil,
    w.server.versionNum,
    w.server.inRecovery,
    w.connections,
    w.server.maxConnections,
  ]);
}

const STATS_SAMPLED_AT = 'SELECT stats_sampled_at FROM pg_cluster_total WHERE cluster_id = $1';

/**
 * Serialises stats runs of one cluster (two workers must never take the same delta) and says
 * when the cluster's last stats run was taken; null for the first one.
 */
export async function lockClusterStats(client: Client, clusterId: string): Promise<Date | null> {
  await lockKeyForTransaction(client, LOCK.postgresStats, clusterId);
  const { rows } = await client.query(STATS_SAMPLED_AT, [clusterId]);
  return (rows[0]?.stats_sampled_at as Date | undefined) ?? null;
}

const COUNTER_STATE = 'SELECT object, identity, stats_reset, sampled_at, counters FROM pg_counter_state WHERE cluster_id = $1';

export async function readCounterStates(client: Client, clusterId: string): Promise<Map<string, CounterReading>> {
  const { rows } = await client.query(COUNTER_STATE, [clusterId]);
  return new Map(
    rows.map((r) => [
      r.object as string,
      {
        identity: r.identity,
        statsReset: r.stats_reset ? (r.stats_reset as Date).getTime() : null,
        sampledAt: (r.sampled_at as Date).getTime(),
        counters: r.counters,
      },
    ]),
  );
}

const SAVE_COUNTER_STATE = `INSERT INTO pg_counter_state AS t (cluster_id, object, identity, stats_reset, sampled_at, counters)
     SELECT $2, r.object, r.identity, r.stats_reset, r.sampled_at, r.counters
     FROM jsonb_to_recordset($1::jsonb) AS r(object text, identity text, stats_reset timestamptz, sampled_at timestamptz, counters jsonb)
     ON CONFLICT (cluster_id, object) DO UPDATE SET identity = EXCLUDED.identity, stats_reset = EXCLUDED.stats_reset,
       sampled_at = EXCLUDED.sampled_at, counters = EXCLUDED.counters`;

export async function writeCounterStates(client: Client, clusterId: string, readings: ReadonlyMap<string, CounterReading>): Promise<void> {
  if (readings.size === 0) return;
  const rows = [...readings].map(([object, r]) => ({
    object,
    identity: r.identity,
    stats_reset: r.statsReset === null ? null : new Date(r.statsReset).toISOString(),
    sampled_at: new Date(r.sampledAt).toISOString(),
    counters: r.counters,
  }));
  await client.query(SAVE_COUNTER_STATE, [JSON.stringify(rows), clusterId]);
}

export interface DatabaseDelta {
  tenantId: string;
  deltas: Partial<Record<(typeof DATABASE_DELTA_COLUMNS)[number], number>>;
}

/** pg_stat_database deltas, booked on the minute of the reading that closed the interval. */
export async function addDatabaseDeltas(client: Client, minute: Date, deltas: readonly DatabaseDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  const rows = JSON.stringify(deltas.map((d) => ({ tenant_id: d.tenantId, minute: minute.toISOString(), ...d.deltas })));
  await client.query(DELTA_MINUTE, [rows]);
  await client.query(DELTA_TOTAL, [rows]);
}

const ADD_CLUSTER_TOTALS = `INSERT INTO pg_cluster_total AS t (cluster_id, stats_sampled_at, checkpoints_timed, checkpoints_requested) VALUES ($1, $2, $3, $4)
     ON CONFLICT (cluster_id) DO UPDATE SET stats_sampled_at = EXCLUDED.stats_sampled_at,
       ${addTo('checkpoints_timed')}, ${addTo('checkpoints_requested')}`;

export async function writeClusterStats(
  client: Client,
  clusterId: string,
  sampledAt: Date,
  checkpoints: { timed: number; requested: number } | undefined,
): Promise<void> {
  await client.query(ADD_CLUSTER_TOTALS, [clusterId, sampledAt, checkpoints?.timed ?? null, checkpoints?.requested ?? null]);
}

const FORGET_STANDBYS = 'DELETE FROM pg_replication_state WHERE cluster_id = $1';
const FORGET_SLOTS = 'DELETE FROM pg_replication_slot_state WHERE cluster_id = $1';
const SAVE_STANDBY = `INSERT INTO pg_replication_state (cluster_id, standby, sampled_at, fresh_until, state, sync_state, write_lag_seconds, flush_lag_seconds,
         replay_lag_seconds, write_lag_bytes, flush_lag_bytes, replay_lag_bytes)
       SELECT $2, standby, $3, $4, state, sync_state, write_lag_seconds, flush_lag_seconds, replay_lag_seconds, write_lag_bytes, flush_lag_bytes, replay_lag_bytes
       FROM jsonb_populate_recordset(NULL::pg_replication_state, $1::jsonb)`;
const SAVE_SLOT = `INSERT INTO pg_replication_slot_state (cluster_id, slot_name, sampled_at, fresh_until, slot_type, active, wal_status, retained_bytes, safe_wal_size_bytes)
       SELECT $2, slot_name, $3, $4, slot_type, active, wal_status, retained_bytes, safe_wal_size_bytes
       FROM jsonb_populate_recordset(NULL::pg_replication_slot_state, $1::jsonb)`;

/** Replaces the cluster's standbys and slots with those of this run. */
export async function replaceReplication(
  client: Client,
  clusterId: string,
  sampledAt: Date,
  freshUntil: Date,
  standbys: readonly StandbyRecord[],
  slots: readonly SlotRecord[],
): Promise<void> {
  await client.query(FORGET_STANDBYS, [clusterId]);
  await client.query(FORGET_SLOTS, [clusterId]);
  if (standbys.length > 0) {
    const rows = standbys.map((s) => ({
      standby: s.standby,
      state: s.state,
      sync_state: s.syncState,
      write_lag_seconds: s.lagSeconds.write ?? null,
      flush_lag_seconds: s.lagSeconds.flush ?? null,
      replay_lag_seconds: s.lagSeconds.replay ?? null,
      write_lag_bytes: s.lagBytes.write ?? null,
      flush_lag_bytes: s.lagBytes.flush ?? null,
      replay_lag_bytes: s.lagBytes.replay ?? null,
    }));
    await client.query(SAVE_STANDBY, [JSON.stringify(rows), clusterId, sampledAt, freshUntil]);
  }
  if (slots.length > 0) {
    const rows = slots.map((s) => ({
      slot_name: s.slot,
      slot_type: s.slotType,
      active: s.active,
      wal_status: s.walStatus,
      retained_bytes: s.retainedBytes,
      safe_wal_size_bytes: s.safeWalSizeBytes,
    }));
    await client.query(SAVE_SLOT, [JSON.stringify(rows), clusterId, sampledAt, freshUntil]);
  }
}

const SAVE_TENANT_SIZES = `INSERT INTO pg_tenant_state AS t (tenant_id, size_bytes, size_sampled_at, size_fresh_until)
     SELECT r.tenant_id, r.bytes, $2, $3 FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, bytes float8)
     ON CONFLICT (tenant_id) DO UPDATE SET size_bytes = EXCLUDED.size_bytes, size_sampled_at = EXCLUDED.size_sampled_at,
       size_fresh_until = EXCLUDED.size_fresh_until
     WHERE t.size_sampled_at IS NULL OR t.size_sampled_at < EXCLUDED.size_sampled_at`;

export async function writeSizes(
  client: Client,
  sizes: readonly { tenantId: string; bytes: number }[],
  sampledAt: Date,
  freshUntil: Date,
): Promise<void> {
  if (sizes.length === 0) return;
  await client.query(SAVE_TENANT_SIZES, [
    JSON.stringify(sizes.map((s) => ({ tenant_id: s.tenantId, bytes: s.bytes }))),
    sampledAt,
    freshUntil,
  ]);
}

export interface DatabaseGauges {
  tenantId: string;
  /** Locks by mode, every mode present. */
  locks: Record<string, number>;
  /** stats_reset of the database, ms; null when never reset. */
  statsReset: number | null;
}

const SAVE_DATABASE_GAUGES = `INSERT INTO pg_tenant_state AS t (tenant_id, stats_sampled_at, stats_fresh_until, locks, stats_reset)
     SELECT r.tenant_id, $2, $3, r.locks, r.stats_reset
     FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, locks jsonb, stats_reset timestamptz)
     ON CONFLICT (tenant_id) DO UPDATE SET stats_sampled_at = EXCLUDED.stats_sampled_at, stats_fresh_until = EXCLUDED.stats_fresh_until,
       locks = EXCLUDED.locks, stats_reset = EXCLUDED.stats_reset
     WHERE t.stats_sampled_at IS NULL OR t.stats_sampled_at < EXCLUDED.stats_sampled_at`;

/** The stats run's gauges per tenant database: locks by mode and stats_reset. */
export async function writeDatabaseGauges(
  client: Client,
  gauges: readonly DatabaseGauges[],
  sampledAt: Date,
  freshUntil: Date,
): Promise<void> {
  if (gauges.length === 0) return;
  const rows = gauges.map((g) => ({
    tenant_id: g.tenantId,
    locks: g.locks,
    stats_reset: g.statsReset === null ? null : new Date(g.statsReset).toISOString(),
  }));
  await client.query(SAVE_DATABASE_GAUGES, [JSON.stringify(rows), sampledAt, freshUntil]);
}

const FORGET_STATEMENTS = `DELETE FROM pg_statement_state s USING ${TENANTS} t WHERE t.id = s.tenant_id AND t.cluster_id = $1`;
const SAVE_STATEMENTS = `INSERT INTO pg_statement_state (tenant_id, queryid, sampled_at, fresh_until, calls, exec_seconds, rows)
     SELECT r.tenant_id, r.queryid, $2, $3, r.calls, r.exec_seconds, r.rows
     FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, queryid text, calls float8, exec_seconds float8, rows float8)`;

/** Replaces the cluster's top statements with those of this run. */
export async function replaceStatements(
  client: Client,
  clusterId: string,
  statements: readonly (StatementRecord & { tenantId: string })[],
  sampledAt: Date,
  freshUntil: Date,
): Promise<void> {
  await client.query(FORGET_STATEMENTS, [clusterId]);
  if (statements.length === 0) return;
  const rows = statements.map((s) => ({
    tenant_id: s.tenantId,
    queryid: s.queryid,
    calls: s.calls,
    exec_seconds: s.execSeconds,
    rows: s.rows,
  }));
  await client.query(SAVE_STATEMENTS, [JSON.stringify(rows), sampledAt, freshUntil]);
}

const ATTRIBUTION_PG = `
SELECT p.tenant_id, p.minute, p.active_seconds, p.max_backends, p.lock_wait_caused_seconds, p.blks_read, p.temp_bytes
FROM pg_tenant_minute p JOIN ${TENANTS} t ON t.id = p.tenant_id
WHERE t.cluster_id = $1 AND p.minute >= $2 AND p.minute < $3`;

/** PostgreSQL usage per tenant minute of a cluster in [from, to): CPU-active seconds, peak backends, lock waits caused, blocks read, temp bytes. */
export async function readPostgresMinutesOfCluster(db: Queryable, cluster: string, fromMs: number, toMs: number) {
  return (await db.query(ATTRIBUTION_PG, [cluster, new Date(fromMs), new Date(toMs)])).rows;
}

// max_connections is a server setting: the latest reading stands for the minutes being read.
const MAX_CONNECTIONS = 'SELECT max_connections FROM pg_cluster_state WHERE cluster_id = $1';

/** The monitored server's max_connections, from its latest reading. */
export async function readMaxConnections(db: Queryable, cluster: string) {
  return (await db.query(MAX_CONNECTIONS, [cluster])).rows;
}

const DATABASE_SIZES_OF_CLUSTER = `SELECT s.tenant_id, s.size_sampled_at, s.size_bytes FROM pg_tenant_state s JOIN ${TENANTS} t ON t.id = s.tenant_id
     WHERE t.cluster_id = $1 AND s.size_bytes IS NOT NULL AND s.size_sampled_at IS NOT NULL`;

/** The latest pg_database_size of each tenant database of a cluster, with when it was sampled. */
export async function readDatabaseSizesOfCluster(
  db: Queryable,
  cluster: string,
): Promise<{ tenant_id: string; size_sampled_at: Date; size_bytes: string }[]> {
  const { rows } = await db.query<{ tenant_id: string; size_sampled_at: Date; size_bytes: string }>(DATABASE_SIZES_OF_CLUSTER, [cluster]);
  return rows;
}
