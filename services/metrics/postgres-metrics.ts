import type { MetricGroup, MetricValue, StoreMetric } from './metric-group';
import { type PostgresSnapshot, type Row, readPostgresSnapshot } from '../../collectors/postgres/metrics-store';

/**
 * The postgres collector's series, read from PostgreSQL at scrape time (migrations/0005). Counters
 * are the running totals the ingest keeps; gauges come from the latest sample and disappear once
 * it is older than three of its intervals (a stopped collector leaves no stale values).
 */

type Labels = MetricValue['labels'];
const byTenant = (r: Row): Labels => ({ tenant: r.tenant_id as string, cluster: r.cluster_id as string });
const byCluster = (r: Row): Labels => ({ cluster: r.cluster_id as string });
const byStatement = (r: Row): Labels => ({ ...byTenant(r), queryid: r.queryid as string });

/** One series per row whose column holds a value; NULL (never reported) is no series. */
function column(rows: Row[], name: string, labels: (r: Row) => Labels, extra: Labels = {}): MetricValue[] {
  return rows
    .filter((r) => r[name] !== null && r[name] !== undefined)
    .map((r) => ({ value: Number(r[name]), labels: { ...labels(r), ...extra } }));
}

/** Several columns as one metric told apart by a label. */
function columns(rows: Row[], label: string, byValue: Record<string, string>, labels: (r: Row) => Labels): MetricValue[] {
  return Object.entries(byValue).flatMap(([value, col]) => column(rows, col, labels, { [label]: value }));
}

/**
 * A jsonb {key: number} column spread over a label. `known` keys missing from a present column are
 * 0: the sample saw every backend (or lock) of the database, so a state it did not see had none.
 */
function spread(rows: Row[], col: string, label: string, labels: (r: Row) => Labels, known: readonly string[] = []): MetricValue[] {
  return rows.flatMap((r) =>
    Object.entries(
      r[col] === null || r[col] === undefined
        ? {}
        : { ...Object.fromEntries(known.map((k) => [k, 0])), ...(r[col] as Record<string, number>) },
    ).map(([key, n]) => ({
      value: Number(n),
      labels: { ...labels(r), [label]: key },
    })),
  );
}

/** pg_stat_activity states of a client backend. */
const CLIENT_STATES = ['active', 'idle', 'idle in transaction', 'idle in transaction (aborted)', 'fastpath function call', 'disabled'];

type Spec = [name: string, type: 'gauge' | 'counter', help: string, pick: (s: PostgresSnapshot) => MetricValue[]];

const total = (col: string) => (s: PostgresSnapshot) => column(s.totals, col, byTenant);

const SPECS: Spec[] = [
  [
    'tenantscope_pg_backends',
    'gauge',
    'Client backends of the tenant database by pg_stat_activity state, in the latest sample.',
    (s) => spread(s.states, 'backends', 'state', byTenant, CLIENT_STATES),
  ],
  [
    'tenantscope_pg_locks',
    'gauge',
    'Heavyweight locks (held or awaited) in the tenant database by mode (pg_locks), in the latest stats sample.',
    (s) => spread(s.states, 'locks', 'mode', byTenant),
  ],
  [
    'tenantscope_pg_idle_in_transaction_oldest_seconds',
    'gauge',
    'Age of the oldest transaction left idle in transaction in the latest sample (absent when none).',
    (s) => column(s.states, 'idle_in_transaction_oldest_seconds', byTenant),
  ],
  [
    'tenantscope_pg_database_size_bytes',
    'gauge',
    'pg_database_size() of the tenant database.',
    (s) => column(s.states, 'size_bytes', byTenant),
  ],
  [
    'tenantscope_pg_database_size_age_seconds',
    'gauge',
    'Age of the published database size: sizes are measured a rotating share of the databases per run.',
    (s) => column(s.states, 'size_age_seconds', byTenant),
  ],
  [
    'tenantscope_pg_stats_reset_timestamp_seconds',
    'gauge',
    'When the statistics of the tenant database were last reset (pg_stat_database stats_reset; absent when never reset).',
    (s) => column(s.states, 'stats_reset_seconds', byTenant),
  ],
  ['tenantscope_pg_activity_samples_total', 'counter', 'pg_stat_activity samples taken of the tenant database.', total('activity_samples')],
  [
    'tenantscope_pg_active_seconds_total',
    'counter',
    'Backend-seconds the tenant ran on CPU (active, no wait event), sampled from pg_stat_activity.',
    total('active_seconds'),
  ],
  [
    'tenantscope_pg_wait_seconds_total',
    'counter',
    'Backend-seconds the tenant was active but waiting, by wait_event_type, sampled.',
    (s) => s.waits.map((r) => ({ value: Number(r.seconds), labels: { ...byTenant(r), wait_event_type: r.wait_event_type as string } })),
  ],
  [
    'tenantscope_pg_idle_in_transaction_seconds_total',
    'counter',
    'Backend-seconds the tenant sat idle in transaction, sampled.',
    total('idle_in_transaction_seconds'),
  ],
  [
    'tenantscope_pg_lock_wait_suffered_seconds_total',
    'counter',
    'Backend-seconds statements of the tenant waited on a lock, sampled.',
    total('lock_wait_suffered_seconds'),
  ],
  [
    'tenantscope_pg_lock_wait_caused_seconds_total',
    'counter',
    'Backend-seconds statements (any tenant) waited on locks this tenant held, from pg_blocking_pids(), sampled.',
    total('lock_wait_caused_seconds'),
  ],
  [
    'tenantscope_pg_transactions_total',
    'counter',
    'Transactions of the tenant database (pg_stat_database), by result.',
    (s) => columns(s.totals, 'result', { commit: 'xact_commit', rollback: 'xact_rollback' }, byTenant),
  ],
  ['tenantscope_pg_blocks_read_total', 'counter', 'Blocks read from disk or OS cache (pg_stat_database blks_read).', total('blks_read')],
  ['tenantscope_pg_blocks_hit_total', 'counter', 'Blocks found in shared buffers (pg_stat_database blks_hit).', total('blks_hit')],
  [
    'tenantscope_pg_tuples_total',
    'counter',
    'Rows returned, fetched, inserted, updated and deleted (pg_stat_database tup_*).',
    (s) =>
      columns(
        s.totals,
        'operation',
        { returned: 'tup_returned', fetched: 'tup_fetched', inserted: 'tup_inserted', updated: 'tup_updated', deleted: 'tup_deleted' },
        byTenant,
      ),
  ],
  ['tenantscope_pg_conflicts_total', 'counter', 'Queries cancelled by recovery conflicts (standby only).', total('conflicts')],
  [
    'tenantscope_pg_recovery_conflicts_total',
    'counter',
    'Queries cancelled by recovery conflicts by cause (pg_stat_database_conflicts; standby only).',
    (s) =>
      columns(
        s.totals,
        'cause',
        {
          tablespace: 'confl_tablespace',
          lock: 'confl_lock',
          snapshot: 'confl_snapshot',
          bufferpin: 'confl_bufferpin',
          deadlock: 'confl_deadlock',
        },
        byTenant,
      ),
  ],
  [
    'tenantscope_pg_checksum_failures_total',
    'counter',
    'Data page checksum failures in the tenant database (only while data checksums are on).',
    total('checksum_failures'),
  ],
  ['tenantscope_pg_deadlocks_total', 'counter', 'Deadlocks detected in the tenant database.', total('deadlocks')],
  ['tenantscope_pg_temp_files_total', 'counter', 'Temporary files created by queries of the tenant database.', total('temp_files')],
  [
    'tenantscope_pg_temp_bytes_total',
    'counter',
    'Bytes written to temporary files by queries of the tenant database.',
    total('temp_bytes'),
  ],
  [
    'tenantscope_pg_block_read_time_seconds_total',
    'counter',
    'Time spent reading blocks (only while track_io_timing is on).',
    total('blk_read_time_seconds'),
  ],
  [
    'tenantscope_pg_block_write_time_seconds_total',
    'counter',
    'Time spent writing blocks (only while track_io_timing is on).',
    total('blk_write_time_seconds'),
  ],
  [
    'tenantscope_pg_session_time_seconds_total',
    'counter',
    'Time sessions of the tenant database lasted (PostgreSQL 14+).',
    total('session_time_seconds'),
  ],
  [
    'tenantscope_pg_active_time_seconds_total',
    'counter',
    'Time backends of the tenant database executed statements (pg_stat_database active_time, PostgreSQL 14+).',
    total('active_time_seconds'),
  ],
  [
    'tenantscope_pg_idle_in_transaction_time_seconds_total',
    'counter',
    'Time backends of the tenant database were idle in transaction (PostgreSQL 14+).',
    total('idle_in_transaction_time_seconds'),
  ],
  ['tenantscope_pg_sessions_total', 'counter', 'Sessions opened on the tenant database (PostgreSQL 14+).', total('sessions')],
  [
    'tenantscope_pg_sessions_ended_total',
    'counter',
    'Sessions that ended other than by the client disconnecting, by reason (PostgreSQL 14+).',
    (s) => columns(s.totals, 'reason', { abandoned: 'sessions_abandoned', fatal: 'sessions_fatal', killed: 'sessions_killed' }, byTenant),
  ],
  [
    'tenantscope_pg_connections',
    'gauge',
    'Client backends connected to the monitored server (all databases).',
    (s) => column(s.clusters, 'connections', byCluster),
  ],
  [
    'tenantscope_pg_max_connections',
    'gauge',
    'max_connections of the monitored server.',
    (s) => column(s.clusters, 'max_connections', byCluster),
  ],
  [
    'tenantscope_pg_server_version_num',
    'gauge',
    'server_version_num of the monitored server.',
    (s) => column(s.clusters, 'server_version_num', byCluster),
  ],
  [
    'tenantscope_pg_in_recovery',
    'gauge',
    '1 when the monitored server is a standby (pg_is_in_recovery()).',
    (s) => column(s.clusters, 'in_recovery', byCluster),
  ],
  [
    'tenantscope_pg_checkpoints_total',
    'counter',
    'Checkpoints of the monitored server by kind (pg_stat_bgwriter, pg_stat_checkpointer from 17).',
    (s) => columns(s.clusters, 'kind', { timed: 'checkpoints_timed', requested: 'checkpoints_requested' }, byCluster),
  ],
  [
    'tenantscope_pg_replication_lag_seconds',
    'gauge',
    'write_lag, flush_lag and replay_lag of a standby (pg_stat_replication); absent while PostgreSQL reports NULL.',
    (s) =>
      columns(s.standbys, 'kind', { write: 'write_lag_seconds', flush: 'flush_lag_seconds', replay: 'replay_lag_seconds' }, (r) => ({
        cluster: r.cluster_id as string,
        standby: r.standby as string,
      })),
  ],
  [
    'tenantscope_pg_replication_lag_bytes',
    'gauge',
    'WAL bytes between the primary position and the standby write, flush and replay positions.',
    (s) =>
      columns(s.standbys, 'kind', { write: 'write_lag_bytes', flush: 'flush_lag_bytes', replay: 'replay_lag_bytes' }, (r) => ({
        cluster: r.cluster_id as string,
        standby: r.standby as string,
      })),
  ],
  [
    'tenantscope_pg_replication_slot_retained_bytes',
    'gauge',
    'WAL bytes a replication slot holds back (from restart_lsn).',
    (s) => column(s.slots, 'retained_bytes', bySlot),
  ],
  [
    'tenantscope_pg_replication_slot_active',
    'gauge',
    '1 when a client is streaming from the replication slot.',
    (s) => column(s.slots, 'active_value', bySlot),
  ],
  [
    'tenantscope_pg_replication_slot_safe_wal_size_bytes',
    'gauge',
    'WAL bytes that can still be written before the slot is in danger of losing its WAL (max_slot_wal_keep_size).',
    (s) => column(s.slots, 'safe_wal_size_bytes', bySlot),
  ],
  [
    'tenantscope_pg_replication_slot_wal_status',
    'gauge',
    '1 for the wal_status of the slot (reserved, extended, unreserved, lost).',
    (s) =>
      s.slots.filter((r) => r.wal_status !== null).map((r) => ({ value: 1, labels: { ...bySlot(r), wal_status: r.wal_status as string } })),
  ],
  [
    'tenantscope_pg_statement_calls_total',
    'counter',
    'Calls of one of the top statements of the tenant database by execution time (pg_stat_statements, as it counts them; only where installed).',
    (s) => column(s.statements, 'calls', byStatement),
  ],
  [
    'tenantscope_pg_statement_exec_seconds_total',
    'counter',
    'Execution time of one of the top statements of the tenant database (pg_stat_statements total_exec_time).',
    (s) => column(s.statements, 'exec_seconds', byStatement),
  ],
  [
    'tenantscope_pg_statement_rows_total',
    'counter',
    'Rows returned or affected by one of the top statements of the tenant database (pg_stat_statements).',
    (s) => column(s.statements, 'rows', byStatement),
  ],
];

function bySlot(r: Row): Labels {
  return { cluster: r.cluster_id as string, slot: r.slot_name as string, slot_type: r.slot_type as string };
}

const METRICS: StoreMetric<PostgresSnapshot>[] = SPECS.map(([name, type, help, values]) => ({ name, type, help, values }));

export const postgresMetrics: MetricGroup<PostgresSnapshot> = { name: 'postgres', load: readPostgresSnapshot, metrics: METRICS };
