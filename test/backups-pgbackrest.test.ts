import { execFile } from 'node:child_process';
import { appendFileSync, chownSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastGoodByType, parsePgbackrestInfo, walArchiveReach } from '../collectors/backups/pgbackrest-info';
import { ManualClock } from '../services/core/clock';
import { backupsCollector, ingestBackups } from '../collectors/backups/collector';
import { silentLogger } from '../services/core/logger';
import { backupsMetrics } from '../services/metrics/backups-metrics';
import { PartitionKeeper } from '../services/storage/partitions';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';
import { KeptConnections } from '../collectors/lib/connections';
import { buildFleet, tenantSpec } from './helpers/fleet-builder';
import { freePort } from './helpers/processes';

// connections to the monitored servers, kept between runs as the runner keeps them
const connections = new KeptConnections();

/**
 * The real pgBackRest (Debian package `pgbackrest`) against a throwaway PostgreSQL 15 that this
 * test creates in its own temp directory and port, run as the postgres OS user as pgBackRest
 * requires: stanza-create, a full backup, `info --output=json`, then the collector on that output.
 */

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';
const STANZA = 'ts_backups';

let dir: string;
let pgStarted = false;
let info: string;
let testStartMs: number;

const asPostgres = (command: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', command, ...args], { timeout: 30_000 });
const pgbackrest = (...args: string[]) =>
  asPostgres('pgbackrest', [`--config=${join(dir, 'pgbackrest.conf')}`, `--stanza=${STANZA}`, ...args]);

beforeAll(async () => {
  testStartMs = Date.now();
  dir = mkdtempSync(join(tmpdir(), 'ts-pgbackrest-'));
  const { uid, gid } = statSync('/var/lib/postgresql');
  chownSync(dir, uid, gid);
  const port = await freePort();
  const config = join(dir, 'pgbackrest.conf');
  writeFileSync(
    config,
    [
      '[global]',
      `repo1-path=${dir}/repo`,
      `log-path=${dir}/log`,
      `lock-path=${dir}/lock`,
      `spool-path=${dir}/spool`,
      'log-level-console=warn',
      'log-level-file=off',
      'start-fast=y',
      'archive-check=y',
      'repo1-retention-full=2',
      '',
      `[${STANZA}]`,
      `pg1-path=${dir}/pg`,
      `pg1-port=${port}`,
      `pg1-socket-path=${dir}`,
      '',
    ].join('\n'),
  );
  chownSync(config, uid, gid);
  await asPostgres(`${PG_BIN}/initdb`, ['-D', `${dir}/pg`, '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  appendFileSync(
    join(dir, 'pg', 'postgresql.conf'),
    [
      `port = ${port}`,
      "listen_addresses = ''",
      `unix_socket_directories = '${dir}'`,
      'archive_mode = on',
      `archive_command = 'pgbackrest --config=${config} --stanza=${STANZA} archive-push %p'`,
      'fsync = off',
      '',
    ].join('\n'),
  );
  await asPostgres(`${PG_BIN}/pg_ctl`, ['-D', `${dir}/pg`, '-l', `${dir}/postgres.log`, '-w', 'start']);
  pgStarted = true;
  await pgbackrest('stanza-create');
  await pgbackrest('backup', '--type=full');
  info = (await pgbackrest('info', '--output=json')).stdout;
}, 60_000);

afterAll(async () => {
  if (pgStarted) await asPostgres(`${PG_BIN}/pg_ctl`, ['-D', `${dir}/pg`, '-m', 'immediate', 'stop']).catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('backups collector on the real pgBackRest', () => {
  it('reads the stanza, its last full backup and its WAL range', () => {
    const parsed = parsePgbackrestInfo(info);
    expect(parsed.rejected).toBe(0);
    expect(parsed.stanzas).toHaveLength(1);
    const stanza = parsed.stanzas[0]!;
    expect(stanza).toMatchObject({ name: STANZA, statusCode: 0, statusMessage: 'ok' });
    expect(stanza.systemIds).toHaveLength(1);
    // initdb's system identifier is a uint64 above 2^53: kept exactly as pgBackRest printed it.
    expect(info).toContain(`"system-id":${stanza.systemIds[0]}`);
    const full = lastGoodByType(stanza.backups).full!;
    expect(full.label).toMatch(/^\d{8}-\d{6}F$/);
    expect(full.stopMs).toBeGreaterThanOrEqual(Math.floor(testStartMs / 1000) * 1000);
    expect(full.stopMs).toBeLessThanOrEqual(Date.now());
    const wal = walArchiveReach(stanza)!;
    expect(wal.max >= full.archiveStop!).toBe(true);
    expect(wal.min! <= full.archiveStart!).toBe(true);
  });

  it('stores the backup, the stanza status and the recovery point, and publishes them', async () => {
    const infoFile = join(dir, 'info.json');
    writeFileSync(infoFile, info);
    const fleet = buildFleet(
      {
        clusters: { c1: { timezone: 'UTC', backups: { pgbackrestInfoFile: infoFile, stanza: STANZA } } },
        tenants: [tenantSpec('t1', 'c1')],
      },
      { source: 'fleet.yaml' },
    );
    const db: MigratedDatabase = await migratedDatabase(fleet);
    try {
      const clock = new ManualClock(Date.now());
      const deps = { pool: db.pool, partitions: new PartitionKeeper(db.pool), fleet, clock, log: silentLogger };
      const [target] = backupsCollector.targets(fleet);
      const context = {
        scheduledAt: new Date(clock.now()),
        startedAt: clock.now(),
        worker: 'test',
        signal: new AbortController().signal,
        connections,
      };
      const outcome = await ingestBackups(deps, target!, context);
      expect(outcome).toMatchObject({ records: 2, rejected: 0, duplicate: false });
      const stop = lastGoodByType(parsePgbackrestInfo(info).stanzas[0]!.backups).full!.stopMs;
      const { rows } = await db.pool.query('SELECT tool, type, stopped_at FROM cluster_backup');
      expect(rows).toEqual([{ tool: 'pgbackrest', type: 'full', stopped_at: new Date(stop) }]);
      const snapshot = await backupsMetrics.load(db.pool, clock);
      expect(snapshot.stanzas[0]).toMatchObject({ cluster: 'c1', stanza: STANZA, status_code: 0 });
      const metrics = backupsMetrics.metrics;
      const values = (name: string) => metrics.find((m) => m.name === name)!.values(snapshot);
      expect(values('tenantscope_backup_last_success_timestamp_seconds')).toEqual([
        { value: stop / 1000, labels: { cluster: 'c1', tool: 'pgbackrest', type: 'full' } },
      ]);
      expect(values('tenantscope_backup_age_seconds')).toEqual([{ value: (clock.now() - stop) / 1000, labels: { cluster: 'c1' } }]);
      expect(values('tenantscope_tenant_backup_age_seconds')).toEqual([
        { value: (clock.now() - stop) / 1000, labels: { tenant: 't1', cluster: 'c1' } },
      ]);
    } finally {
      await db.close();
    }
  });
});
