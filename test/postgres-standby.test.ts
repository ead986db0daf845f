import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../services/core/clock';
import type { Fleet } from '../services/config/fleet-types';
import { ingestPostgres, postgresTargets } from '../collectors/postgres/collector';
import { silentLogger } from '../services/core/logger';
import { postgresMetrics } from '../services/metrics/postgres-metrics';
import { PartitionKeeper } from '../services/storage/partitions';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';
import { KeptConnections } from '../collectors/lib/connections';
import { buildFleet, tenantSpec } from './helpers/fleet-builder';
import { freePort } from './helpers/processes';

// connections to the monitored servers, kept between runs as the runner keeps them
const connections = new KeptConnections();

/**
 * A real streaming standby, made by this test: a primary (initdb) and a standby
 * (pg_basebackup -R with a slot) in their own data directories and ports, run as the postgres
 * OS user. Replay is paused on the standby while the primary writes, so the primary reports
 * replay lag in seconds and bytes; everything is stopped and removed after, also on failure.
 */
const BIN = '/usr/lib/postgresql/15/bin';
const root = mkdtempSync('/tmp/ts-pgstandby-');
const primaryDir = join(root, 'primary');
const standbyDir = join(root, 'standby');
const started: string[] = [];

function asPostgres(command: string, args: string[]): string {
  return execFileSync('runuser', ['-u', 'postgres', '--', join(BIN, command), ...args], {
    encoding: 'utf8',
    timeout: 20_000,
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function startServer(dir: string): void {
  asPostgres('pg_ctl', ['-D', dir, '-l', `${dir}.log`, '-w', '-t', '15', 'start']);
  started.push(dir);
}

async function query(port: number, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

let primaryPort: number;
let standbyPort: number;
let fleet: Fleet;
let db: MigratedDatabase | undefined;

beforeAll(async () => {
  try {
    await setUp();
  } catch (err) {
    removeServers();
    throw err;
  }
}, 60_000);

async function setUp(): Promise<void> {
  chownSync(
    root,
    Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
    Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
  );
  primaryPort = await freePort();
  standbyPort = await freePort();
  asPostgres('initdb', ['-D', primaryDir, '-A', 'trust', '-U', 'postgres', '-N', '--no-instructions']);
  appendFileSync(
    join(primaryDir, 'postgresql.conf'),
    [
      `port = ${primaryPort}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${root}'`,
      'wal_level = replica',
      'max_wal_senders = 5',
      'fsync = off',
      'shared_buffers = 16MB',
      '',
    ].join('\n'),
  );
  startServer(primaryDir);
  asPostgres('pg_basebackup', [
    '-h',
    '127.0.0.1',
    '-p',
    String(primaryPort),
    '-U',
    'postgres',
    '-D',
    standbyDir,
    '-R',
    '-C',
    '-S',
    'ts_standby',
    '-X',
    'stream',
    '--checkpoint=fast',
  ]);
  appendFileSync(
    join(standbyDir, 'postgresql.conf'),
    [`port = ${standbyPort}`, "cluster_name = 'ts_standby'", 'wal_receiver_status_interval = 1', ''].join('\n'),
  );
  startServer(standbyDir);
  await query(primaryPort, 'CREATE DATABASE app');
  const url = `postgres://postgres@127.0.0.1:${primaryPort}/postgres`;
  fleet = buildFleet(
    { clusters: { c1: { timezone: 'UTC', postgres: { url } } }, tenants: [tenantSpec('app', 'c1', { database: 'app' })] },
    { source: 'standby-fleet.yaml' },
  );
  db = await migratedDatabase(fleet);
}

/** Stops both servers and removes their directories; safe to call twice. */
function removeServers(): void {
  for (const dir of started.splice(0).reverse()) {
    try {
      asPostgres('pg_ctl', ['-D', dir, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already down
    }
  }
  rmSync(root, { recursive: true, force: true });
}

afterAll(async () => {
  await connections.closeAll();
  await db?.close();
  removeServers();
});

describe('postgres collector on a real streaming standby', () => {
  it('reports replay lag in seconds and bytes while replay is paused, and the slots retained WAL', async () => {
    await query(primaryPort, "SELECT pg_create_physical_replication_slot('ts_idle', true)");
    await query(primaryPort, 'CREATE TABLE filler (id serial, pad text)');
    const writer = new pg.Client({ host: '127.0.0.1', port: primaryPort, user: 'postgres', database: 'postgres' });
    await writer.connect();
    const write = async (ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        await writer.query("INSERT INTO filler (pad) SELECT repeat('x', 200) FROM generate_series(1, 50)");
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    // the standby must be applying WAL while the pause hits, or the primary has no lag sample
    const writing = write(3_500);
    await new Promise((r) => setTimeout(r, 700));
    await query(standbyPort, 'SELECT pg_wal_replay_pause()');
    await writing;
    await writer.end();

    const deps = { pool: db!.pool, partitions: new PartitionKeeper(db!.pool), fleet, clock: systemClock, log: silentLogger };
    const target = postgresTargets(fleet).find((t) => t.kind === 'stats')!;
    const run = { scheduledAt: new Date(), startedAt: Date.now(), worker: 'test', signal: new AbortController().signal, connections };
    const outcome = await ingestPostgres(deps, target, run);
    expect(outcome).toMatchObject({ duplicate: false, rejected: 0 });

    const { rows: standbys } = await db!.pool.query('SELECT * FROM pg_replication_state');
    expect(standbys).toHaveLength(1);
    expect(standbys[0]).toMatchObject({ cluster_id: 'c1', standby: 'ts_standby', state: 'streaming' });
    // replay stopped about 2.8 s before the writes ended: the primary extrapolates a growing lag
    expect(standbys[0].replay_lag_seconds).toBeGreaterThan(1);
    expect(standbys[0].replay_lag_bytes).toBeGreaterThan(0);
    // written and flushed on the standby, only replay is held back
    expect(standbys[0].replay_lag_bytes).toBeGreaterThan(standbys[0].flush_lag_bytes);

    const data = await postgresMetrics.load(db!.pool, systemClock);
    const metric = (name: string) => postgresMetrics.metrics.find((m) => m.name === name)!.values(data);
    const replaySeconds = metric('tenantscope_pg_replication_lag_seconds').find((v) => v.labels.kind === 'replay');
    expect(replaySeconds?.labels).toEqual({ cluster: 'c1', standby: 'ts_standby', kind: 'replay' });
    expect(replaySeconds!.value).toBeGreaterThan(0);
    expect(metric('tenantscope_pg_replication_lag_bytes').find((v) => v.labels.kind === 'replay')!.value).toBeGreaterThan(0);

    const slots = metric('tenantscope_pg_replication_slot_retained_bytes');
    const idle = slots.find((v) => v.labels.slot === 'ts_idle');
    const standbySlot = slots.find((v) => v.labels.slot === 'ts_standby');
    // the idle slot reserved WAL before the writes: it holds back at least what they wrote
    expect(idle!.value).toBeGreaterThan(100_000);
    expect(standbySlot!.value).toBeGreaterThanOrEqual(0);
    expect(standbySlot!.value).toBeLessThan(idle!.value);
    expect(metric('tenantscope_pg_replication_slot_active').find((v) => v.labels.slot === 'ts_standby')!.value).toBe(1);
    expect(metric('tenantscope_pg_replication_slot_wal_status').map((v) => v.labels.wal_status)).toContain('reserved');
  });
});
