import {
  DATABASE_CONFLICTS,
  DATABASE_COUNTERS,
  DATABASE_COUNTERS_14,
  DATABASE_SIZES,
  DATABASE_TIMES,
  DATABASE_TIMES_14,
  LOCKS,
  REPLICATION,
  STATEMENTS_SCHEMA,
  SERVER_INFO,
  activityQuery,
  checkpointQuery,
  databaseStatsQuery,
  slotsQuery,
  statementsQuery,
} from './queries';
import { boolean, integer, integerArray, number, optionalNumber, optionalText } from '../lib/row';

/**
 * Reads one monitored PostgreSQL server (13 to 17) through its statistics views, in three kinds
 * of run: `activity` (pg_stat_activity with the blockers of lock waits, sampled often),
 * `stats` (pg_stat_database and checkpoint counters, replication, slots) and `sizes`
 * (pg_database_size, slow, so rarer). Rows are turned into typed records; a row that cannot be
 * read is counted as rejected and skipped. Counters are returned raw: deltas are the caller's.
 */
export const name = 'postgres';

export type PostgresRunKind = 'activity' | 'stats' | 'sizes';

export interface ServerInfo {
  versionNum: number;
  maxConnections: number;
  trackIoTiming: boolean;
  inRecovery: boolean;
  /** The server's now(), ms since the epoch. */
  serverNow: number;
}

export interface BackendRecord {
  type: 'backend';
  pid: number;
  datname: string | null;
  backendType: string | null;
  /** `active`, `idle`, `idle in transaction`, ...; null for background processes. */
  state: string | null;
  waitEventType: string | null;
  waitEvent: string | null;
  /** Age of the open transaction, seconds; null when none is open. */
  xactAgeSeconds: number | null;
  /** pg_blocking_pids() of a backend waiting on a heavyweight lock, else null. */
  blockingPids: number[] | null;
  /** Age of the ungranted lock (pg_locks.waitstart, PG14+), else null. */
  lockWaitSeconds: number | null;
  /** The collector's own connection. */
  self: boolean;
}

/** Counter names as stored: pg_stat_database columns, the millisecond times in seconds. */
export type DatabaseCounter =
  | (typeof DATABASE_COUNTERS)[number]
  | (typeof DATABASE_COUNTERS_14)[number]
  | (typeof DATABASE_CONFLICTS)[number]
  | 'checksum_failures'
  | 'blk_read_time_seconds'
  | 'blk_write_time_seconds'
  | 'session_time_seconds'
  | 'active_time_seconds'
  | 'idle_in_transaction_time_seconds';

export interface DatabaseStatsRecord {
  type: 'database-stats';
  datid: number;
  datname: string;
  /** stats_reset, whole ms since the epoch (as stored); null when never reset. */
  statsReset: number | null;
  /** Only the counters this server version has (and I/O times only with track_io_timing on). */
  counters: Partial<Record<DatabaseCounter, number>>;
}

export interface CheckpointRecord {
  type: 'checkpoints';
  statsReset: number | null;
  counters: { timed: number; requested: number };
}

export type LagKind = 'write' | 'flush' | 'replay';

export interface StandbyRecord {
  type: 'standby';
  /** application_name, made unique with the client address when several share it. */
  standby: string;
  pid: number;
  clientAddr: string | null;
  state: string | null;
  syncState: string | null;
  /** Only the lags PostgreSQL reported (NULL intervals and LSNs stay absent). */
  lagSeconds: Partial<Record<LagKind, number>>;
  lagBytes: Partial<Record<LagKind, number>>;
}

export interface SlotRecord {
  type: 'slot';
  slot: string;
  slotType: string;
  database: string | null;
  active: boolean;
  walStatus: string | null;
  safeWalSizeBytes: number | null;
  /** WAL held back by the slot (from restart_lsn); null when the slot never reserved WAL. */
  retainedBytes: number | null;
}

export interface SizeRecord {
  type: 'size';
  datname: string;
  bytes: number;
}

/** Heavyweight locks of one database by mode, in this sample. */
export interface LocksRecord {
  type: 'locks';
  datname: string;
  mode: string;
  locks: number;
}

/** One of the top statements of a database (pg_stat_statements), its cumulative counters as the source keeps them. */
export interface StatementRecord {
  type: 'statement';
  datname: string;
  queryid: string;
  calls: number;
  execSeconds: number;
  rows: number;
}

export type PostgresRecord =
  BackendRecord | DatabaseStatsRecord | CheckpointRecord | StandbyRecord | SlotRecord | SizeRecord | LocksRecord | StatementRecord;

export interface PostgresBatch {
  kind: PostgresRunKind;
  /** When the sample was taken (the collector's clock, read before the queries), ms. */
  ts: number;
  server: ServerInfo;
  records: PostgresRecord[];
  rejected: number;
  /** Stats runs: whether pg_stat_statements could be read (installed here and loaded). */
  statementsRead?: boolean;
}

type Row = Record<string, unknown>;

/** What collect() needs of a connection: node-postgres' query(). */
export interface QueryConnection {
  query(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

export interface PostgresInput {
  db: QueryConnection;
  kind: PostgresRunKind;
  /** Tenant databases to size (sizes runs). */
  databases?: readonly string[];
  now: () => number;
}

export async function collect(input: PostgresInput): Promise<PostgresBatch> {
  const ts = input.now();
  const infoRow = (await input.db.query(SERVER_INFO)).rows[0];
  const server = infoRow && parseServerInfo(infoRow);
  if (!server) throw new Error('postgres: the server did not report its version and max_connections');
  const batch: PostgresBatch = { kind: input.kind, ts, server, records: [], rejected: 0 };
  const add = (rows: Row[], parse: (row: Row) => PostgresRecord | undefined) => {
    for (const row of rows) {
      const record = parse(row);
      if (record) batch.records.push(record);
      else batch.rejected += 1;
    }
  };
  const v = server.versionNum;
  if (input.kind === 'activity') {
    add((await input.db.query(activityQuery(v))).rows, parseBackendRow);
  } else if (input.kind === 'stats') {
    add((await input.db.query(databaseStatsQuery(v))).rows, (row) => parseDatabaseStatsRow(row, server.trackIoTiming));
    add((await input.db.query(LOCKS)).rows, parseLocksRow);
    add((await input.db.query(checkpointQuery(v))).rows, parseCheckpointRow);
    const standbys: StandbyRecord[] = [];
    add((await input.db.query(REPLICATION)).rows, (row) => {
      const record = parseStandbyRow(row);
      if (record) standbys.push(record);
      return record;
    });
    labelStandbys(standbys);
    add((await input.db.query(slotsQuery(v))).rows, parseSlotRow);
    const statements = await readStatements(input.db);
    batch.statementsRead = statements !== undefined;
    add(statements ?? [], parseStatementRow);
  } else {
    const rows = (await input.db.query(DATABASE_SIZES, [input.databases ?? []])).rows;
    add(
      rows.filter((row) => row.size_bytes !== null),
      parseSizeRow,
    );
  }
  return batch;
}

/** pg_stat_statements rows, or undefined when the extension is not installed or not loaded: then there is nothing to read. */
async function readStatements(db: QueryConnection): Promise<Row[] | undefined> {
  const schema = optionalText((await db.query(STATEMENTS_SCHEMA)).rows[0]?.schema);
  if (typeof schema !== 'string') return undefined;
  try {
    return (await db.query(statementsQuery(schema))).rows;
  } catch (error) {
    // 55000: created but not in shared_preload_libraries, so the view has nothing to give
    if ((error as { code?: string }).code === '55000') return undefined;
    throw error;
  }
}

// ---- row parsers: any row gives a record or undefined (rejected), never an exception ----

export function parseServerInfo(row: Row): ServerInfo | undefined {
  const versionNum = number(row.server_version_num);
  const maxConnections = number(row.max_connections);
  const serverNow = number(row.server_now);
  const trackIoTiming = boolean(row.track_io_timing);
  const inRecovery = boolean(row.in_recovery);
  if (
    versionNum === undefined ||
    maxConnections === undefined ||
    serverNow === undefined ||
    trackIoTiming === undefined ||
    inRecovery === undefined
  )
    return undefined;
  return { versionNum, maxConnections, trackIoTiming, inRecovery, serverNow: serverNow * 1000 };
}

export function parseBackendRow(row: Row): BackendRecord | undefined {
  const pid = integer(row.pid);
  const datname = optionalText(row.datname);
  const backendType = optionalText(row.backend_type);
  const state = optionalText(row.state);
  const waitEventType = optionalText(row.wait_event_type);
  const waitEvent = optionalText(row.wait_event);
  const xactAgeSeconds = optionalNumber(row.xact_age_seconds);
  const blockingPids = integerArray(row.blocking_pids);
  const lockWaitSeconds = optionalNumber(row.lock_wait_seconds);
  const self = row.self === undefined || row.self === null ? false : boolean(row.self);
  if (pid === undefined || self === undefined) return undefined;
  if ([datname, backendType, state, waitEventType, waitEvent, xactAgeSeconds, blockingPids, lockWaitSeconds].includes(undefined))
    return undefined;
  return {
    type: 'backend',
    pid,
    datname: datname as string | null,
    backendType: backendType as string | null,
    state: state as string | null,
    waitEventType: waitEventType as string | null,
    waitEvent: waitEvent as string | null,
    xactAgeSeconds: xactAgeSeconds as number | null,
    blockingPids: blockingPids as number[] | null,
    lockWaitSeconds: lockWaitSeconds as number | null,
    self,
  };
}

/** Millisecond columns and the name they are stored under, in seconds. */
const TIME_COLUMNS: Record<string, DatabaseCounter> = {
  blk_read_time: 'blk_read_time_seconds',
  blk_write_time: 'blk_write_time_seconds',
  session_time: 'session_time_seconds',
  active_time: 'active_time_seconds',
  idle_in_transaction_time: 'idle_in_transaction_time_seconds',
};

const COUNTER_COLUMNS = [...DATABASE_COUNTERS, ...DATABASE_COUNTERS_14, ...DATABASE_CONFLICTS, 'checksum_failures'] as const;

/**
 * One pg_stat_database row (with its conflicts). A counter column the row does not have (older version) is absent;
 * one that is present but not a non-negative number rejects the row. I/O times are left out
 * while track_io_timing is off: PostgreSQL then reports 0, which would be a made-up 0.
 */
export function parseDatabaseStatsRow(row: Row, trackIoTiming: boolean): DatabaseStatsRecord | undefined {
  const datid = number(row.datid);
  const datname = optionalText(row.datname);
  const statsReset = optionalNumber(row.stats_reset);
  if (datid === undefined || typeof datname !== 'string' || statsReset === undefined) return undefined;
  const counters: Partial<Record<DatabaseCounter, number>> = {};
  for (const column of [...COUNTER_COLUMNS, ...DATABASE_TIMES, ...DATABASE_TIMES_14]) {
    if (!(column in row)) continue;
    if ((column === 'blk_read_time' || column === 'blk_write_time') && !trackIoTiming) continue;
    const value = optionalNumber(row[column]);
    if (value === undefined || (value !== null && value < 0)) return undefined;
    if (value === null) continue;
    const key = TIME_COLUMNS[column];
    if (key) counters[key] = value / 1000;
    else counters[column as DatabaseCounter] = value;
  }
  return { type: 'database-stats', datid, datname, statsReset: statsReset === null ? null : Math.round(statsReset * 1000), counters };
}

export function parseLocksRow(row: Row): LocksRecord | undefined {
  const datname = optionalText(row.datname);
  const mode = optionalText(row.mode);
  const locks = integer(row.locks);
  if (typeof datname !== 'string' || typeof mode !== 'string' || locks === undefined || locks < 0) return undefined;
  return { type: 'locks', datname, mode, locks };
}

export function parseCheckpointRow(row: Row): CheckpointRecord | undefined {
  const timed = number(row.timed);
  const requested = number(row.requested);
  const statsReset = optionalNumber(row.stats_reset);
  if (timed === undefined || requested === undefined || timed < 0 || requested < 0 || statsReset === undefined) return undefined;
  return { type: 'checkpoints', statsReset: statsReset === null ? null : Math.round(statsReset * 1000), counters: { timed, requested } };
}

const LAG_KINDS: readonly LagKind[] = ['write', 'flush', 'replay'];

export function parseStandbyRow(row: Row): StandbyRecord | undefined {
  const pid = number(row.pid);
  const applicationName = optionalText(row.application_name);
  const clientAddr = optionalText(row.client_addr);
  const clientPort = optionalNumber(row.client_port);
  const state = optionalText(row.state);
  const syncState = optionalText(row.sync_state);
  if (
    pid === undefined ||
    applicationName === undefined ||
    clientAddr === undefined ||
    clientPort === undefined ||
    state === undefined ||
    syncState === undefined
  )
    return undefined;
  const lagSeconds: Partial<Record<LagKind, number>> = {};
  const lagBytes: Partial<Record<LagKind, number>> = {};
  for (const kind of LAG_KINDS) {
    const seconds = optionalNumber(row[`${kind}_lag_seconds`]);
    const bytes = optionalNumber(row[`${kind}_lag_bytes`]);
    if (seconds === undefined || bytes === undefined) return undefined;
    if (seconds !== null) lagSeconds[kind] = seconds;
    // a standby can report a position a moment ahead of the one read here: no negative lag
    if (bytes !== null) lagBytes[kind] = Math.max(0, bytes);
  }
  const standby = applicationName === null || applicationName === '' ? (clientAddr ?? `pid ${pid}`) : applicationName;
  return { type: 'standby', standby, pid, clientAddr, state, syncState, lagSeconds, lagBytes };
}

/** Several standbys may share an application_name (the default `walreceiver`): tell them apart. */
export function labelStandbys(standbys: StandbyRecord[]): void {
  const counts = new Map<string, number>();
  for (const s of standbys) counts.set(s.standby, (counts.get(s.standby) ?? 0) + 1);
  for (const s of standbys) {
    if ((counts.get(s.standby) ?? 0) > 1) s.standby = `${s.standby}@${s.clientAddr ?? 'local'}/${s.pid}`;
  }
}

export function parseSlotRow(row: Row): SlotRecord | undefined {
  const slot = optionalText(row.slot_name);
  const slotType = optionalText(row.slot_type);
  const database = optionalText(row.database);
  const active = boolean(row.active);
  const walStatus = optionalText(row.wal_status);
  const safeWalSizeBytes = optionalNumber(row.safe_wal_size);
  const retainedBytes = optionalNumber(row.retained_bytes);
  if (typeof slot !== 'string' || typeof slotType !== 'string' || database === undefined || active === undefined) return undefined;
  if (walStatus === undefined || safeWalSizeBytes === undefined || retainedBytes === undefined) return undefined;
  return {
    type: 'slot',
    slot,
    slotType,
    database,
    active,
    walStatus,
    safeWalSizeBytes,
    retainedBytes: retainedBytes === null ? null : Math.max(0, retainedBytes),
  };
}

export function parseStatementRow(row: Row): StatementRecord | undefined {
  const datname = optionalText(row.datname);
  const queryid = optionalText(row.queryid);
  const calls = number(row.calls);
  const execMs = number(row.exec_ms);
  const rows = number(row.rows);
  if (typeof datname !== 'string' || typeof queryid !== 'string' || calls === undefined || execMs === undefined || rows === undefined)
    return undefined;
  if (calls < 0 || execMs < 0 || rows < 0) return undefined;
  return { type: 'statement', datname, queryid, calls, execSeconds: execMs / 1000, rows };
}

/** A database we may not connect to has no size (NULL): skipped, not rejected. */
export function parseSizeRow(row: Row): SizeRecord | undefined {
  const datname = optionalText(row.datname);
  const bytes = number(row.size_bytes);
  if (typeof datname !== 'string' || bytes === undefined || bytes < 0) return undefined;
  return { type: 'size', datname, bytes };
}
