import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  collect,
  labelStandbys,
  parseBackendRow,
  parseCheckpointRow,
  parseDatabaseStatsRow,
  parseLocksRow,
  parseServerInfo,
  parseSizeRow,
  parseSlotRow,
  parseStandbyRow,
  parseStatementRow,
  type QueryConnection,
  type StandbyRecord,
} from './read';

// Rows as node-postgres returns them for our queries (float8 as numbers, int8 as text, arrays parsed).
const backend = {
  pid: 4242,
  datname: 'acme',
  backend_type: 'client backend',
  state: 'active',
  wait_event_type: 'Lock',
  wait_event: 'transactionid',
  xact_age_seconds: 12.5,
  blocking_pids: [4100, 4101],
  lock_wait_seconds: 3.25,
  self: false,
};

const stat13 = {
  datid: '16384',
  datname: 'acme',
  stats_reset: null,
  xact_commit: 1200,
  xact_rollback: 3,
  blks_read: 90,
  blks_hit: 99000,
  tup_returned: 5000,
  tup_fetched: 400,
  tup_inserted: 10,
  tup_updated: 5,
  tup_deleted: 1,
  conflicts: 0,
  temp_files: 2,
  temp_bytes: 16384,
  deadlocks: 0,
  blk_read_time: 250.5,
  blk_write_time: 0,
};
const stat14 = {
  ...stat13,
  stats_reset: 1767225600.25,
  session_time: 60000,
  active_time: 1500,
  idle_in_transaction_time: 200,
  sessions: 7,
  sessions_abandoned: 1,
  sessions_fatal: 0,
  sessions_killed: 0,
};

describe('row parsers, every variant', () => {
  it.each([
    [
      'server info (bools as JS)',
      { server_version_num: 150008, max_connections: 100, track_io_timing: false, in_recovery: false, server_now: 1767225600.5 },
      { versionNum: 150008, maxConnections: 100, serverNow: 1767225600500 },
    ],
    [
      'server info (bools as text, numbers as text)',
      { server_version_num: '170002', max_connections: '500', track_io_timing: 't', in_recovery: 'f', server_now: '1767225600' },
      { versionNum: 170002, maxConnections: 500, trackIoTiming: true },
    ],
  ])('%s', (_, row, expected) => {
    expect(parseServerInfo(row)).toMatchObject(expected);
  });
  it('server info without a version is no server info', () => {
    expect(parseServerInfo({ max_connections: 100 })).toBeUndefined();
  });

  it.each([
    ['waiting on a lock (PG14+)', backend, { pid: 4242, blockingPids: [4100, 4101], lockWaitSeconds: 3.25, waitEventType: 'Lock' }],
    ['waiting on a lock (PG13: no waitstart)', { ...backend, lock_wait_seconds: null }, { lockWaitSeconds: null }],
    ['blockers as array text', { ...backend, blocking_pids: '{4100,4101}' }, { blockingPids: [4100, 4101] }],
    ['no blockers found', { ...backend, blocking_pids: [] }, { blockingPids: [] }],
    [
      'idle in transaction',
      {
        ...backend,
        state: 'idle in transaction',
        wait_event_type: 'Client',
        wait_event: 'ClientRead',
        blocking_pids: null,
        lock_wait_seconds: null,
      },
      { state: 'idle in transaction', blockingPids: null },
    ],
    [
      'background worker without database',
      {
        pid: '77',
        datname: null,
        backend_type: 'checkpointer',
        state: null,
        wait_event_type: 'Activity',
        wait_event: 'CheckpointerMain',
        xact_age_seconds: null,
        blocking_pids: null,
        lock_wait_seconds: null,
        self: false,
      },
      { pid: 77, datname: null, state: null },
    ],
    ['the collector itself', { ...backend, self: true }, { self: true }],
  ])('backend: %s', (_, row, expected) => {
    expect(parseBackendRow(row)).toMatchObject({ type: 'backend', ...expected });
  });
  it.each([
    ['no pid', { ...backend, pid: null }],
    ['pid not a number', { ...backend, pid: 'x' }],
    ['blockers not integers', { ...backend, blocking_pids: ['a'] }],
    ['state not text', { ...backend, state: 5 }],
  ])('backend rejected: %s', (_, row) => {
    expect(parseBackendRow(row)).toBeUndefined();
  });

  it('pg_stat_database on 13: no session columns, I/O times only with track_io_timing', () => {
    const off = parseDatabaseStatsRow(stat13, false)!;
    expect(off).toMatchObject({ datid: 16384, datname: 'acme', statsReset: null });
    expect(off.counters).toMatchObject({ xact_commit: 1200, temp_bytes: 16384, blks_hit: 99000 });
    expect(off.counters).not.toHaveProperty('blk_read_time_seconds');
    expect(off.counters).not.toHaveProperty('active_time_seconds');
    const on = parseDatabaseStatsRow(stat13, true)!;
    expect(on.counters.blk_read_time_seconds).toBeCloseTo(0.2505);
  });
  it('pg_stat_database on 14+: session times in seconds, stats_reset in ms', () => {
    const r = parseDatabaseStatsRow(stat14, false)!;
    expect(r.statsReset).toBe(1767225600250);
    expect(r.counters).toMatchObject({
      session_time_seconds: 60,
      active_time_seconds: 1.5,
      idle_in_transaction_time_seconds: 0.2,
      sessions: 7,
      sessions_abandoned: 1,
    });
  });
  it('pg_stat_database_conflicts by cause; checksum_failures only when reported', () => {
    const conflicts = { confl_tablespace: 0, confl_lock: 2, confl_snapshot: 5, confl_bufferpin: 0, confl_deadlock: 1 };
    const withConflicts = parseDatabaseStatsRow({ ...stat14, ...conflicts, checksum_failures: null }, false)!;
    expect(withConflicts.counters).toMatchObject(conflicts);
    // NULL while data checksums are off: absent, not 0
    expect(withConflicts.counters).not.toHaveProperty('checksum_failures');
    expect(parseDatabaseStatsRow({ ...stat14, checksum_failures: 3 }, false)!.counters.checksum_failures).toBe(3);
    expect(parseDatabaseStatsRow({ ...stat14, confl_lock: -1 }, false)).toBeUndefined();
  });
  it('locks by database and mode', () => {
    expect(parseLocksRow({ datname: 'acme', mode: 'AccessShareLock', locks: 3 })).toEqual({
      type: 'locks',
      datname: 'acme',
      mode: 'AccessShareLock',
      locks: 3,
    });
    expect(parseLocksRow({ datname: 'acme', mode: null, locks: 3 })).toBeUndefined();
    expect(parseLocksRow({ datname: 'acme', mode: 'ShareLock', locks: -1 })).toBeUndefined();
  });
  it('statements: execution time in seconds, queryid kept as text', () => {
    expect(parseStatementRow({ datname: 'acme', queryid: '-8817', calls: 12, exec_ms: 1500, rows: 40 })).toEqual({
      type: 'statement',
      datname: 'acme',
      queryid: '-8817',
      calls: 12,
      execSeconds: 1.5,
      rows: 40,
    });
    expect(parseStatementRow({ datname: 'acme', queryid: '1', calls: -1, exec_ms: 1, rows: 0 })).toBeUndefined();
    expect(parseStatementRow({ datname: 'acme', queryid: null, calls: 1, exec_ms: 1, rows: 0 })).toBeUndefined();
  });
  it.each([
    ['negative counter', { ...stat13, xact_commit: -1 }],
    ['counter not a number', { ...stat13, blks_read: 'many' }],
    ['no datname', { ...stat13, datname: null }],
  ])('pg_stat_database rejected: %s', (_, row) => {
    expect(parseDatabaseStatsRow(row, true)).toBeUndefined();
  });

  it.each([
    ['pg_stat_bgwriter (<17)', { timed: '120', requested: '4', stats_reset: 1767225600 }],
    ['pg_stat_checkpointer (17)', { timed: 120, requested: 4, stats_reset: 1767225600 }],
  ])('checkpoints from %s', (_, row) => {
    expect(parseCheckpointRow(row)).toEqual({ type: 'checkpoints', statsReset: 1767225600000, counters: { timed: 120, requested: 4 } });
  });

  it.each([
    [
      'streaming with lags',
      {
        pid: 900,
        application_name: 'standby1',
        client_addr: '10.0.0.5',
        client_port: 50312,
        state: 'streaming',
        sync_state: 'async',
        write_lag_seconds: 0.001,
        flush_lag_seconds: 0.002,
        replay_lag_seconds: 4.5,
        write_lag_bytes: 0,
        flush_lag_bytes: 128,
        replay_lag_bytes: 81920,
      },
      { standby: 'standby1', lagSeconds: { write: 0.001, flush: 0.002, replay: 4.5 }, lagBytes: { write: 0, flush: 128, replay: 81920 } },
    ],
    [
      'caught up and idle: NULL lags stay absent',
      {
        pid: 901,
        application_name: 'walreceiver',
        client_addr: null,
        client_port: -1,
        state: 'streaming',
        sync_state: 'async',
        write_lag_seconds: null,
        flush_lag_seconds: null,
        replay_lag_seconds: null,
        write_lag_bytes: 0,
        flush_lag_bytes: 0,
        replay_lag_bytes: 0,
      },
      { standby: 'walreceiver', lagSeconds: {}, lagBytes: { write: 0, flush: 0, replay: 0 } },
    ],
    [
      'pg_receivewal: no replay_lsn',
      {
        pid: 902,
        application_name: 'barman_receive_wal',
        client_addr: '10.0.0.9',
        client_port: 40000,
        state: 'streaming',
        sync_state: 'async',
        write_lag_seconds: 0.01,
        flush_lag_seconds: 0.01,
        replay_lag_seconds: null,
        write_lag_bytes: 0,
        flush_lag_bytes: 0,
        replay_lag_bytes: null,
      },
      { standby: 'barman_receive_wal', lagSeconds: { write: 0.01, flush: 0.01 }, lagBytes: { write: 0, flush: 0 } },
    ],
    [
      'empty application_name: the client address names it',
      {
        pid: 903,
        application_name: '',
        client_addr: '10.0.0.7',
        client_port: 1,
        state: 'catchup',
        sync_state: 'async',
        write_lag_seconds: null,
        flush_lag_seconds: null,
        replay_lag_seconds: null,
        write_lag_bytes: '-8',
        flush_lag_bytes: null,
        replay_lag_bytes: null,
      },
      { standby: '10.0.0.7', state: 'catchup', lagBytes: { write: 0 } },
    ],
  ])('standby: %s', (_, row, expected) => {
    expect(parseStandbyRow(row)).toMatchObject({ type: 'standby', ...expected });
  });
  it('standbys sharing an application_name are told apart', () => {
    const row = { application_name: 'walreceiver', client_port: 1, state: 'streaming', sync_state: 'async' };
    const standbys = [
      parseStandbyRow({ ...row, pid: 1, client_addr: '10.0.0.1' }),
      parseStandbyRow({ ...row, pid: 2, client_addr: '10.0.0.2' }),
    ] as StandbyRecord[];
    labelStandbys(standbys);
    expect(standbys.map((s) => s.standby)).toEqual(['walreceiver@10.0.0.1/1', 'walreceiver@10.0.0.2/2']);
  });

  it.each([
    [
      'physical, active (13+)',
      {
        slot_name: 'standby1',
        slot_type: 'physical',
        database: null,
        active: true,
        wal_status: 'reserved',
        safe_wal_size: null,
        retained_bytes: 16777216,
      },
      { slot: 'standby1', walStatus: 'reserved', retainedBytes: 16777216, safeWalSizeBytes: null },
    ],
    [
      'logical, lost',
      {
        slot_name: 'debezium',
        slot_type: 'logical',
        database: 'acme',
        active: false,
        wal_status: 'lost',
        safe_wal_size: null,
        retained_bytes: null,
      },
      { database: 'acme', walStatus: 'lost', retainedBytes: null },
    ],
    [
      '12 and before: no wal_status',
      { slot_name: 's', slot_type: 'physical', database: null, active: 'f', wal_status: null, safe_wal_size: null, retained_bytes: '1024' },
      { active: false, walStatus: null, retainedBytes: 1024 },
    ],
  ])('slot: %s', (_, row, expected) => {
    expect(parseSlotRow(row)).toMatchObject({ type: 'slot', ...expected });
  });

  it('sizes', () => {
    expect(parseSizeRow({ datname: 'acme', size_bytes: 8_000_000 })).toEqual({ type: 'size', datname: 'acme', bytes: 8_000_000 });
    expect(parseSizeRow({ datname: 'acme', size_bytes: 'NaN' })).toBeUndefined();
  });
});

describe('collect', () => {
  const fake = (rows: Record<string, Record<string, unknown>[]>): QueryConnection => ({
    query: async (sql: string) => ({ rows: Object.entries(rows).find(([marker]) => sql.includes(marker))?.[1] ?? [] }),
  });
  const info = { server_version_num: 130010, max_connections: 100, track_io_timing: false, in_recovery: false, server_now: 1 };

  it('counts rows it cannot read and keeps the rest', async () => {
    const db = fake({ current_setting: [info], pg_stat_activity: [backend, { ...backend, pid: 'bad' }] });
    const batch = await collect({ db, kind: 'activity', now: () => 1000 });
    expect(batch).toMatchObject({ kind: 'activity', ts: 1000, rejected: 1, server: { versionNum: 130010 } });
    expect(batch.records).toHaveLength(1);
  });
  it('a database without a size (no CONNECT) is skipped, not rejected', async () => {
    const db = fake({
      current_setting: [info],
      pg_database_size: [
        { datname: 'a', size_bytes: 10 },
        { datname: 'b', size_bytes: null },
      ],
    });
    const batch = await collect({ db, kind: 'sizes', databases: ['a', 'b'], now: () => 0 });
    expect(batch.records).toEqual([{ type: 'size', datname: 'a', bytes: 10 }]);
    expect(batch.rejected).toBe(0);
  });
  const statement = { datname: 'acme', queryid: '77', calls: 3, exec_ms: 20, rows: 3 };
  it('reads the top statements where pg_stat_statements is installed', async () => {
    const db = fake({ current_setting: [info], pg_extension: [{ schema: 'public' }], total_exec_time: [statement] });
    const batch = await collect({ db, kind: 'stats', now: () => 0 });
    expect(batch.statementsRead).toBe(true);
    expect(batch.records.filter((r) => r.type === 'statement')).toEqual([
      { type: 'statement', datname: 'acme', queryid: '77', calls: 3, execSeconds: 0.02, rows: 3 },
    ]);
  });
  it('skips pg_stat_statements cleanly when it is not installed, or installed but not loaded', async () => {
    const absent = await collect({ db: fake({ current_setting: [info], pg_extension: [] }), kind: 'stats', now: () => 0 });
    expect(absent.statementsRead).toBe(false);
    expect(absent.rejected).toBe(0);
    const notLoaded: QueryConnection = {
      query: async (sql: string) => {
        if (sql.includes('total_exec_time'))
          throw Object.assign(new Error('pg_stat_statements must be loaded via shared_preload_libraries'), { code: '55000' });
        return fake({ current_setting: [info], pg_extension: [{ schema: 'public' }] }).query(sql);
      },
    };
    const batch = await collect({ db: notLoaded, kind: 'stats', now: () => 0 });
    expect(batch.statementsRead).toBe(false);
    // any other failure is the run's error, not silence
    const broken: QueryConnection = {
      query: async (sql: string) => {
        if (sql.includes('total_exec_time')) throw Object.assign(new Error('permission denied'), { code: '42501' });
        return fake({ current_setting: [info], pg_extension: [{ schema: 'public' }] }).query(sql);
      },
    };
    await expect(collect({ db: broken, kind: 'stats', now: () => 0 })).rejects.toThrow(/permission denied/);
  });
  it('refuses a server that does not say what it is', async () => {
    await expect(collect({ db: fake({}), kind: 'stats', now: () => 0 })).rejects.toThrow(/version/);
  });
});

describe('property: any row gives a record or a rejection, never an exception', () => {
  const value = fc.oneof(
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    fc.string(),
    fc.array(fc.oneof(fc.integer(), fc.string())),
    fc.constantFrom('t', 'f', '{1,2}', '12', '-3'),
  );
  const keys = [
    'pid',
    'datname',
    'backend_type',
    'state',
    'wait_event_type',
    'wait_event',
    'xact_age_seconds',
    'blocking_pids',
    'lock_wait_seconds',
    'self',
    'datid',
    'stats_reset',
    'xact_commit',
    'temp_bytes',
    'active_time',
    'blk_read_time',
    'timed',
    'requested',
    'application_name',
    'client_addr',
    'client_port',
    'sync_state',
    'replay_lag_seconds',
    'replay_lag_bytes',
    'slot_name',
    'slot_type',
    'database',
    'active',
    'wal_status',
    'safe_wal_size',
    'retained_bytes',
    'size_bytes',
    'mode',
    'locks',
    'queryid',
    'calls',
    'exec_ms',
    'rows',
    'confl_lock',
    'checksum_failures',
    'server_version_num',
    'max_connections',
    'track_io_timing',
    'in_recovery',
    'server_now',
  ];
  const row = fc.dictionary(fc.constantFrom(...keys), value);
  it('holds for every parser', () => {
    fc.assert(
      fc.property(row, fc.boolean(), (r, io) => {
        for (const parse of [
          parseBackendRow,
          parseCheckpointRow,
          parseStandbyRow,
          parseSlotRow,
          parseSizeRow,
          parseServerInfo,
          parseLocksRow,
          parseStatementRow,
          (x: Record<string, unknown>) => parseDatabaseStatsRow(x, io),
        ]) {
          const out = parse(r);
          if (out === undefined) continue;
          // whatever is read is finite and never negative where a counter is meant
          for (const n of Object.values((out as { counters?: Record<string, number> }).counters ?? {})) expect(n).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
