/**
 * The SQL the postgres collector runs on a monitored server, one named constant per view, with
 * the variants chosen by `server_version_num` (docs/parse-records.md). A column a version does
 * not have is simply not selected, so its value is absent rather than 0.
 */

/** Asked first on every run: it picks the variants below and carries the cluster gauges. */
export const SERVER_INFO = `
SELECT current_setting('server_version_num')::int AS server_version_num,
       current_setting('max_connections')::int AS max_connections,
       current_setting('track_io_timing')::bool AS track_io_timing,
       pg_is_in_recovery() AS in_recovery,
       extract(epoch FROM now())::float8 AS server_now`;

/**
 * Every backend, with the blockers of those waiting on a heavyweight lock. pg_blocking_pids()
 * takes the lock manager's locks, so it is called only for backends that wait on one.
 * `waitstart` (PG14+) gives the age of the lock wait.
 */
export function activityQuery(versionNum: number): string {
  const lockWait =
    versionNum >= 140000
      ? `(SELECT extract(epoch FROM now() - min(l.waitstart))::float8 FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted)`
      : `NULL::float8`;
  return `
SELECT a.pid, a.datname, a.backend_type, a.state, a.wait_event_type, a.wait_event,
       extract(epoch FROM now() - a.xact_start)::float8 AS xact_age_seconds,
       CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid) END AS blocking_pids,
       CASE WHEN a.wait_event_type = 'Lock' THEN ${lockWait} END AS lock_wait_seconds,
       a.pid = pg_backend_pid() AS self
FROM pg_stat_activity a`;
}

/** Counters of pg_stat_database present in every supported version (13+). */
export const DATABASE_COUNTERS = [
  'xact_commit',
  'xact_rollback',
  'blks_read',
  'blks_hit',
  'tup_returned',
  'tup_fetched',
  'tup_inserted',
  'tup_updated',
  'tup_deleted',
  'conflicts',
  'temp_files',
  'temp_bytes',
  'deadlocks',
] as const;

/** Milliseconds in pg_stat_database, read as seconds; blk_*_time only while track_io_timing is on. */
export const DATABASE_TIMES = ['blk_read_time', 'blk_write_time'] as const;

/** Added in PG14 (session statistics). */
export const DATABASE_TIMES_14 = ['session_time', 'active_time', 'idle_in_transaction_time'] as const;
export const DATABASE_COUNTERS_14 = ['sessions', 'sessions_abandoned', 'sessions_fatal', 'sessions_killed'] as const;

/** pg_stat_database_conflicts: queries of a standby cancelled by recovery, by cause (0 on a primary). */
export const DATABASE_CONFLICTS = ['confl_tablespace', 'confl_lock', 'confl_snapshot', 'confl_bufferpin', 'confl_deadlock'] as const;

/**
 * One row per database: pg_stat_database with its pg_stat_database_conflicts row (same datid, a
 * view over the same statistics entry, so one query). checksum_failures is NULL while data
 * checksums are off, and stays absent then.
 */
export function databaseStatsQuery(versionNum: number): string {
  const columns: string[] = [...DATABASE_COUNTERS, ...DATABASE_TIMES, 'checksum_failures'];
  if (versionNum >= 140000) columns.push(...DATABASE_TIMES_14, ...DATABASE_COUNTERS_14);
  return `
SELECT d.datid::int8 AS datid, d.datname, extract(epoch FROM d.stats_reset)::float8 AS stats_reset,
       ${columns.map((c) => `d.${c}::float8 AS ${c}`).join(', ')},
       ${DATABASE_CONFLICTS.map((c) => `c.${c}::float8 AS ${c}`).join(', ')}
FROM pg_stat_database d LEFT JOIN pg_stat_database_conflicts c ON c.datid = d.datid
WHERE d.datname IS NOT NULL`;
}

/** Heavyweight locks per database and mode, held or awaited (relation and object locks carry a database). */
export const LOCKS = `
SELECT d.datname, l.mode, count(*)::int AS locks
FROM pg_locks l JOIN pg_database d ON d.oid = l.database
GROUP BY d.datname, l.mode`;

/** The lock modes pg_locks reports: every one is published, a mode nobody holds as 0. */
export const LOCK_MODES = [
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock',
  'SIReadLock',
] as const;

/** PG17 moved the checkpoint counters from pg_stat_bgwriter to pg_stat_checkpointer. */
export function checkpointQuery(versionNum: number): string {
  return versionNum >= 170000
    ? `SELECT num_timed::float8 AS timed, num_requested::float8 AS requested, extract(epoch FROM stats_reset)::float8 AS stats_reset FROM pg_stat_checkpointer`
    : `SELECT checkpoints_timed::float8 AS timed, checkpoints_req::float8 AS requested, extract(epoch FROM stats_reset)::float8 AS stats_reset FROM pg_stat_bgwriter`;
}

/** Where WAL stands on this server: a standby (cascading) has no pg_current_wal_lsn(). */
const WAL_POSITION = `CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END`;

/**
 * Standbys streaming from this server (primary side). The lag intervals are NULL for a standby
 * that caught up and went idle, and *_lsn are NULL for pg_receivewal clients: both stay absent.
 */
export const REPLICATION = `
SELECT pid, application_name, client_addr::text AS client_addr, client_port, state, sync_state,
       extract(epoch FROM write_lag)::float8 AS write_lag_seconds,
       extract(epoch FROM flush_lag)::float8 AS flush_lag_seconds,
       extract(epoch FROM replay_lag)::float8 AS replay_lag_seconds,
       pg_wal_lsn_diff(${WAL_POSITION}, write_lsn)::float8 AS write_lag_bytes,
       pg_wal_lsn_diff(${WAL_POSITION}, flush_lsn)::float8 AS flush_lag_bytes,
       pg_wal_lsn_diff(${WAL_POSITION}, replay_lsn)::float8 AS replay_lag_bytes
FROM pg_stat_replication`;

/** Slots and the WAL they hold back; `wal_status` and `safe_wal_size` exist from PG13. */
export function slotsQuery(versionNum: number): string {
  const status =
    versionNum >= 130000 ? 'wal_status, safe_wal_size::float8 AS safe_wal_size' : 'NULL::text AS wal_status, NULL::float8 AS safe_wal_size';
  return `
SELECT slot_name, slot_type, database, active, ${status},
       pg_wal_lsn_diff(${WAL_POSITION}, restart_lsn)::float8 AS retained_bytes
FROM pg_replication_slots`;
}

/**
 * Sizes of the named databases. pg_database_size() walks every file of a database, which is why
 * it runs on its own slower target; a database we may not connect to is skipped, not an error.
 */
export const DATABASE_SIZES = `
SELECT datname, CASE WHEN has_database_privilege(datname, 'CONNECT') THEN pg_database_size(datname)::float8 END AS size_bytes
FROM pg_database
WHERE datname = ANY($1::text[]) AND datallowconn`;

// pg_stat_user_tables is not read: it shows only the database a session is connected to, so its
// aggregates would cost a connection per tenant database and run (500 at 500 tenants, what makes
// postgres_exporter's --auto-discover-databases scrape slow and hold 500 connections). The
// per-database picture it would add (seq vs index scans, dead tuples) is left to a slower,
// bounded per-database collector like odoo-jobs, not to this one.

/** Where pg_stat_statements is installed in the database the collector connects to (no row: not installed). */
export const STATEMENTS_SCHEMA = `
SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'`;

/** Statements published per database: the ones with the most execution time. */
export const STATEMENTS_PER_DATABASE = 5;

/**
 * The top statements of every database by execution time (the view covers all databases from
 * the one it is installed in), summed over users and nesting levels. total_exec_time is the
 * 1.8 name (PostgreSQL 13+).
 */
export function statementsQuery(schema: string): string {
  const view = `"${schema.replaceAll('"', '""')}".pg_stat_statements`;
  return `
SELECT d.datname, s.queryid, s.calls, s.exec_ms, s.rows
FROM (SELECT dbid, queryid::text AS queryid, sum(calls)::float8 AS calls, sum(total_exec_time)::float8 AS exec_ms, sum(rows)::float8 AS rows,
             row_number() OVER (PARTITION BY dbid ORDER BY sum(total_exec_time) DESC, queryid) AS rank
      FROM ${view} WHERE queryid IS NOT NULL GROUP BY dbid, queryid) s
JOIN pg_database d ON d.oid = s.dbid
WHERE s.rank <= ${STATEMENTS_PER_DATABASE}`;
}
