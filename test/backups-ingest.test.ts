import { appendFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../services/core/clock';
import { backupsCollector, ingestBackups, type BackupsTarget } from '../collectors/backups/collector';
import { silentLogger } from '../services/core/logger';
import { backupsMetrics } from '../services/metrics/backups-metrics';
import { PartitionKeeper } from '../services/storage/partitions';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';
import { KeptConnections } from '../collectors/lib/connections';
import { buildFleet, tenantSpec } from './helpers/fleet-builder';

// connections to the monitored servers, kept between runs as the runner keeps them
const connections = new KeptConnections();

const T0 = Date.UTC(2026, 2, 10, 12, 0);
const sec = (ms: number) => Math.floor(ms / 1000);
const info = (max: string) =>
  JSON.stringify([
    {
      name: 'c1',
      status: { code: 0, message: 'ok' },
      repo: [{ key: 1, status: { code: 0, message: 'ok' } }],
      db: [{ id: 1, 'system-id': 1 }],
      archive: [{ database: { id: 1 }, id: '16-1', min: '000000010000000000000001', max }],
      backup: [
        {
          label: '20260310-010000F',
          type: 'full',
          error: false,
          timestamp: { start: sec(T0 - 11 * 3600_000), stop: sec(T0 - 10 * 3600_000) },
          archive: { start: '000000010000000000000002', stop: '000000010000000000000003' },
          'database-ref': [{ name: 'db_t1' }, { name: 'db_t2' }],
        },
        {
          label: '20260310-010000F_20260310-100000I',
          type: 'incr',
          error: true,
          timestamp: { start: sec(T0 - 2 * 3600_000), stop: sec(T0 - 2 * 3600_000 + 60_000) },
        },
      ],
    },
  ]).replace('"system-id":1', '"system-id":7444571391340179561');
const line = (tenant: string, kind: string, status: string, startMs: number, finishMs: number) =>
  `${JSON.stringify({ tenant, kind, status, started: new Date(startMs).toISOString(), finished: new Date(finishMs).toISOString(), bytes: 100 })}\n`;

let dir: string;
let db: MigratedDatabase;
let target: BackupsTarget;
let deps: Parameters<typeof ingestBackups>[0];
const clock = new ManualClock(T0);
const files = { info: '', walg: '', jobs: '' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ts-backups-ingest-'));
  files.info = join(dir, 'info.json');
  files.walg = join(dir, 'walg.json');
  files.jobs = join(dir, 'jobs.ndjson');
  const fleet = buildFleet(
    {
      clusters: {
        c1: {
          timezone: 'UTC',
          backups: { pgbackrestInfoFile: 'info.json', walgBackupListFile: 'walg.json', jobResultsFile: 'jobs.ndjson' },
        },
      },
      tenants: ['t1', 't2', 't3'].map((t) => tenantSpec(t, 'c1', { database: `db_${t}` })),
    },
    { source: join(dir, 'fleet.yaml'), baseDir: dir },
  );
  db = await migratedDatabase(fleet);
  deps = { pool: db.pool, partitions: new PartitionKeeper(db.pool), fleet, clock, log: silentLogger };
  target = backupsCollector.targets(fleet)[0]!;
});

afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const write = (path: string, text: string, mtimeMs: number) => {
  writeFileSync(path, text);
  utimesSync(path, mtimeMs / 1000, mtimeMs / 1000);
};
const ingest = () =>
  ingestBackups(deps, target, {
    scheduledAt: new Date(clock.now()),
    startedAt: clock.now(),
    worker: 'test',
    signal: new AbortController().signal,
    connections,
  });
const metric = async (name: string) => {
  const group = backupsMetrics;
  const snapshot = await group.load(db.pool, clock);
  return group.metrics.find((m) => m.name === name)!.values(snapshot);
};

describe('backups ingest', () => {
  it('stores backups, jobs and recovery points once, however often the files are read', async () => {
    write(files.info, info('000000010000000000000008'), T0 - 60_000);
    write(
      files.walg,
      '[{"backup_name":"base_000000010000000000000004","finish_time":"2026-03-10T01:00:00.5Z","system_identifier":7444571391340179561,"start_lsn":67108904}]',
      T0 - 60_000,
    );
    write(
      files.jobs,
      line('t1', 'backup', 'ok', T0 - 3600_000, T0 - 3500_000) +
        line('t1', 'backup', 'failed', T0 - 1800_000, T0 - 1790_000) +
        line('t1', 'restore-test', 'ok', T0 - 3000_000, T0 - 1200_000) +
        line('zz', 'backup', 'ok', T0 - 600_000, T0 - 500_000) +
        'not json\n',
      T0 - 60_000,
    );
    const first = await ingest();
    expect(first).toMatchObject({ duplicate: false, rejected: 1, unattributed: 1 });
    clock.advance(60_000);
    await Promise.all([ingest(), ingest()]);
    const counts = await db.pool.query(`SELECT (SELECT count(*) FROM cluster_backup) AS backups, (SELECT count(*) FROM backup_job) AS jobs,
      (SELECT failed_total FROM backup_job_state WHERE tenant_id = 't1' AND kind = 'backup') AS failed`);
    expect(counts.rows[0]).toEqual({ backups: 3, jobs: 3, failed: 1 });
    const { rows } = await db.pool.query(
      'SELECT tenant_id, source, observed_at, recoverable_at FROM recovery_point ORDER BY source, observed_at',
    );
    expect(rows).toEqual([
      { tenant_id: 't1', source: 'dump', observed_at: new Date(T0 - 3500_000), recoverable_at: new Date(T0 - 3600_000) },
      { tenant_id: null, source: 'pgbackrest', observed_at: new Date(T0 - 10 * 3600_000), recoverable_at: new Date(T0 - 10 * 3600_000) },
      {
        tenant_id: null,
        source: 'wal-g',
        observed_at: new Date(Date.UTC(2026, 2, 10, 1, 0, 0, 500)),
        recoverable_at: new Date(Date.UTC(2026, 2, 10, 1, 0, 0, 500)),
      },
    ]);
    const system = await db.pool.query("SELECT system_id FROM cluster_backup WHERE tool = 'wal-g'");
    expect(system.rows[0].system_id).toBe('7444571391340179561');
  });

  it('bounds the WAL reach by the read before a new segment appeared, and ages it at scrape time', async () => {
    write(files.info, info('000000010000000000000009'), T0 + 30_000);
    clock.set(T0 + 120_000);
    await ingest();
    const { rows } = await db.pool.query("SELECT archive_max, archive_reach_at FROM backup_stanza WHERE cluster_id = 'c1'");
    expect(rows[0]).toEqual({ archive_max: '000000010000000000000009', archive_reach_at: new Date(T0 - 60_000) });
    expect(await metric('tenantscope_backup_age_seconds')).toEqual([{ value: 180, labels: { cluster: 'c1' } }]);
    expect(await metric('tenantscope_backup_wal_archive_last_timestamp_seconds')).toEqual([
      { value: (T0 - 60_000) / 1000, labels: { cluster: 'c1' } },
    ]);
    clock.advance(3_600_000);
    expect(await metric('tenantscope_backup_age_seconds')).toEqual([{ value: 3780, labels: { cluster: 'c1' } }]);
  });

  it('publishes per-tenant job series and tenant ages', async () => {
    clock.set(T0 + 120_000);
    expect(await metric('tenantscope_backup_failures_total')).toEqual([
      { value: 1, labels: { tenant: 't1', cluster: 'c1', kind: 'backup' } },
      { value: 0, labels: { tenant: 't1', cluster: 'c1', kind: 'restore-test' } },
    ]);
    expect(await metric('tenantscope_restore_test_last_duration_seconds')).toEqual([
      { value: 1800, labels: { tenant: 't1', cluster: 'c1' } },
    ]);
    expect(await metric('tenantscope_restore_test_last_success')).toEqual([{ value: 1, labels: { tenant: 't1', cluster: 'c1' } }]);
    expect(await metric('tenantscope_backup_last_success_timestamp_seconds')).toEqual([
      { value: sec(T0 - 10 * 3600_000), labels: { cluster: 'c1', tool: 'pgbackrest', type: 'full' } },
      { value: Date.UTC(2026, 2, 10, 1, 0, 0, 500) / 1000, labels: { cluster: 'c1', tool: 'wal-g', type: 'full' } },
    ]);
    // t1 and t2 share pgBackRest's PITR (their databases are in its newest backup); t3's is not: only WAL-G's older backup covers it.
    expect(await metric('tenantscope_tenant_backup_age_seconds')).toEqual([
      { value: 180, labels: { tenant: 't1', cluster: 'c1' } },
      { value: 180, labels: { tenant: 't2', cluster: 'c1' } },
      { value: (T0 + 120_000 - Date.UTC(2026, 2, 10, 1, 0, 0, 500)) / 1000, labels: { tenant: 't3', cluster: 'c1' } },
    ]);
  });

  it('counts a job line once across a rotation and fails the run naming a missing file', async () => {
    appendFileSync(files.jobs, line('t2', 'backup', 'failed', T0, T0 + 1000));
    rmSync(files.walg);
    clock.advance(60_000);
    await expect(ingest()).rejects.toThrow(`backup file ${files.walg} cannot be read (ENOENT)`);
    write(files.walg, '[]', T0);
    clock.advance(60_000);
    await ingest();
    const { rows } = await db.pool.query("SELECT failed_total FROM backup_job_state WHERE tenant_id = 't2'");
    expect(rows).toEqual([{ failed_total: 1 }]);
  });

  it('stores what it can of files with a backup or a line PostgreSQL cannot take, and counts the rest by reason', async () => {
    clock.advance(60_000);
    const doc = JSON.parse(info('000000010000000000000009')) as { backup: Record<string, unknown>[] }[];
    const stop = sec(clock.now() - 600_000);
    doc[0]!.backup.push(
      { label: '20260310-120000F', type: 'full', timestamp: { start: stop - 60, stop } },
      { label: 'bad\u0000label', type: 'full', timestamp: { start: stop - 60, stop } },
      { label: '20260310-120100F', type: 'full', timestamp: { start: stop - 60, stop }, info: { size: 1e30 } },
    );
    write(files.info, JSON.stringify(doc), clock.now() - 1000);
    write(
      files.walg,
      JSON.stringify([
        { backup_name: 'base_000000010000000000000010', finish_time: '2026-03-10T11:00:00Z' },
        { backup_name: 'base_000000010000000000000011', finish_time: '0000-01-01T00:00:00Z' },
        { backup_name: 'base_000000010000000000000012', finish_time: '2026-03-10T11:01:00Z', storage_name: 's\u0000' },
      ]),
      clock.now() - 1000,
    );
    appendFileSync(
      files.jobs,
      Buffer.concat([
        Buffer.from(line('t3', 'backup', 'ok', T0 + 5000, T0 + 6000)),
        Buffer.from(`{"tenant":"t3","kind":"backup","status":"ok","started":"0000-01-01T00:00:00Z","finished":"0000-01-01T00:01:00Z"}\n`),
        Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]),
      ]),
    );
    const outcome = await ingest();
    expect(outcome).toMatchObject({ duplicate: false });
    const stored = await db.pool.query(
      `SELECT label FROM cluster_backup WHERE label IN ('20260310-120000F', 'base_000000010000000000000010') ORDER BY label`,
    );
    expect(stored.rows.map((r) => r.label)).toEqual(['20260310-120000F', 'base_000000010000000000000010']);
    const jobs = await db.pool.query("SELECT count(*)::int AS n FROM backup_job WHERE tenant_id = 't3'");
    expect(jobs.rows).toEqual([{ n: 1 }]);
    const reasons = await db.pool.query<{ reason: string; records: string }>(
      "SELECT reason, records FROM collector_rejection WHERE collector = 'backups' AND target = 'c1' ORDER BY reason",
    );
    expect(Object.fromEntries(reasons.rows.map((r) => [r.reason, Number(r.records)]))).toEqual({
      malformed: 1, // the first test's "not json" line
      invalid_text: 2,
      number_out_of_range: 1,
      time_out_of_range: 2,
      invalid_utf8: 1,
    });
  });
});
