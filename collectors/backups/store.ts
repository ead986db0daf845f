import type { BackupJobResult } from './jobs';
import type { PgbackrestBackup, PgbackrestStanza } from './pgbackrest-info';
import type { WalgBackup } from './walg-backup-list';
import type { ArchiveState, PointEvent } from './recovery-points';
import type { Client, Queryable } from '../../services/storage/db';

/** Writes of the backups collector; every call runs inside the caller's transaction. */

const SELECT_STANZA = `SELECT archive_min, archive_max, archive_max_seen_at, archive_reach_at, observed_at FROM backup_stanza WHERE cluster_id = $1`;

const UPSERT_STANZA = `INSERT INTO backup_stanza (cluster_id, stanza, status_code, status_message, repos, system_ids, archive_min, archive_max, archive_max_seen_at, archive_reach_at, observed_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
  ON CONFLICT (cluster_id) DO UPDATE SET stanza = EXCLUDED.stanza, status_code = EXCLUDED.status_code, status_message = EXCLUDED.status_message,
    repos = EXCLUDED.repos, system_ids = EXCLUDED.system_ids, archive_min = EXCLUDED.archive_min, archive_max = EXCLUDED.archive_max,
    archive_max_seen_at = EXCLUDED.archive_max_seen_at, archive_reach_at = EXCLUDED.archive_reach_at, observed_at = EXCLUDED.observed_at
  WHERE backup_stanza.observed_at <= EXCLUDED.observed_at`;

const INSERT_CLUSTER_BACKUP = `INSERT INTO cluster_backup (cluster_id, tool, repo, label, type, started_at, stopped_at, error, permanent, wal_start, wal_stop,
    lsn_start, lsn_stop, size_bytes, repo_size_bytes, databases, system_id, first_seen_at)
  SELECT $1, $2, b.repo, b.label, b.type, b.started_at, b.stopped_at, b.error, b.permanent, b.wal_start, b.wal_stop,
    b.lsn_start, b.lsn_stop, b.size_bytes, b.repo_size_bytes, b.databases, b.system_id, $3
  FROM jsonb_to_recordset($4::jsonb) AS b(repo text, label text, type text, started_at timestamptz, stopped_at timestamptz, error boolean,
    permanent boolean, wal_start text, wal_stop text, lsn_start text, lsn_stop text, size_bytes bigint, repo_size_bytes bigint, databases text[], system_id text)
  ON CONFLICT DO NOTHING`;

const INSERT_JOBS = `INSERT INTO backup_job (tenant_id, kind, started_at, finished_at, status, bytes)
  SELECT j.tenant_id, j.kind, j.started_at, j.finished_at, j.status, j.bytes
  FROM jsonb_to_recordset($1::jsonb) AS j(tenant_id text, kind text, started_at timestamptz, finished_at timestamptz, status text, bytes bigint)
  ON CONFLICT DO NOTHING
  RETURNING tenant_id, kind, started_at, finished_at, status, bytes`;

// Totals add what was inserted; the "last" columns move only forward in finish time.
const UPSERT_JOB_STATE = `INSERT INTO backup_job_state AS s (tenant_id, kind, ok_total, failed_total, last_ok_started_at, last_ok_finished_at,
    last_finished_at, last_started_at, last_status, last_bytes)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
  ON CONFLICT (tenant_id, kind) DO UPDATE SET
    ok_total = s.ok_total + EXCLUDED.ok_total,
    failed_total = s.failed_total + EXCLUDED.failed_total,
    last_ok_started_at = CASE WHEN EXCLUDED.last_ok_finished_at > s.last_ok_finished_at OR s.last_ok_finished_at IS NULL
      THEN coalesce(EXCLUDED.last_ok_started_at, s.last_ok_started_at) ELSE s.last_ok_started_at END,
    last_ok_finished_at = greatest(s.last_ok_finished_at, EXCLUDED.last_ok_finished_at),
    last_started_at = CASE WHEN EXCLUDED.last_finished_at >= s.last_finished_at THEN EXCLUDED.last_started_at ELSE s.last_started_at END,
    last_status = CASE WHEN EXCLUDED.last_finished_at >= s.last_finished_at THEN EXCLUDED.last_status ELSE s.last_status END,
    last_bytes = CASE WHEN EXCLUDED.last_finished_at >= s.last_finished_at THEN EXCLUDED.last_bytes ELSE s.last_bytes END,
    last_finished_at = greatest(s.last_finished_at, EXCLUDED.last_finished_at)`;

const SELECT_LATEST_POINT = `SELECT recoverable_at FROM recovery_point_latest WHERE cluster_id = $1 AND tenant_id IS NOT DISTINCT FROM $2 AND source = $3`;
const INSERT_POINT = `INSERT INTO recovery_point (cluster_id, tenant_id, source, observed_at, recoverable_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`;
const UPSERT_LATEST_POINT = `INSERT INTO recovery_point_latest AS l (cluster_id, tenant_id, source, observed_at, recoverable_at) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (cluster_id, tenant_id, source) DO UPDATE SET observed_at = EXCLUDED.observed_at, recoverable_at = EXCLUDED.recoverable_at
  WHERE l.recoverable_at < EXCLUDED.recoverable_at`;

const date = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function readArchiveState(client: Client, cluster: string): Promise<ArchiveState | undefined> {
  const { rows } = await client.query<{
    archive_min: string | null;
    archive_max: string | null;
    archive_max_seen_at: Date | null;
    archive_reach_at: Date | null;
    observed_at: Date;
  }>(SELECT_STANZA, [cluster]);
  const r = rows[0];
  if (!r) return undefined;
  return {
    min: r.archive_min,
    max: r.archive_max,
    maxSeenAt: r.archive_max_seen_at?.getTime() ?? null,
    reachAt: r.archive_reach_at?.getTime() ?? null,
    observedAt: r.observed_at.getTime(),
  };
}

export async function saveStanza(client: Client, cluster: string, stanza: PgbackrestStanza, archive: ArchiveState): Promise<void> {
  await client.query(UPSERT_STANZA, [
    cluster,
    stanza.name ?? '',
    stanza.statusCode,
    stanza.statusMessage,
    JSON.stringify(stanza.repos),
    stanza.systemIds,
    archive.min,
    archive.max,
    date(archive.maxSeenAt),
    date(archive.reachAt),
    new Date(archive.observedAt),
  ]);
}

export async function insertPgbackrestBackups(
  client: Client,
  cluster: string,
  backups: readonly PgbackrestBackup[],
  systemId: string | null,
  seenAt: Date,
): Promise<number> {
  const rows = backups.map((b) => ({
    repo: b.repoKey === null ? '' : String(b.repoKey),
    label: b.label,
    type: b.type,
    started_at: date(b.startMs),
    stopped_at: date(b.stopMs),
    error: b.error,
    permanent: null,
    wal_start: b.archiveStart,
    wal_stop: b.archiveStop,
    lsn_start: b.lsnStart,
    lsn_stop: b.lsnStop,
    size_bytes: b.sizeBytes,
    repo_size_bytes: b.repoSizeBytes,
    databases: b.databases,
    system_id: systemId,
  }));
  return insertClusterBackups(client, cluster, 'pgbackrest', rows, seenAt);
}

export async function insertWalgBackups(client: Client, cluster: string, backups: readonly WalgBackup[], seenAt: Date): Promise<number> {
  const rows = backups.flatMap((b) => {
    const stop = b.finishMs ?? b.timeMs;
    if (stop === null) return [];
    return [
      {
        repo: b.storageName ?? '',
        label: b.backupName,
        type: b.type,
        started_at: date(b.startMs),
        stopped_at: date(stop),
        error: null,
        permanent: b.isPermanent,
        wal_start: b.walFileName,
        wal_stop: null,
        lsn_start: b.startLsn,
        lsn_stop: b.finishLsn,
        size_bytes: b.uncompressedBytes,
        repo_size_bytes: b.compressedBytes,
        databases: null,
        system_id: b.systemIdentifier,
      },
    ];
  });
  return insertClusterBackups(client, cluster, 'wal-g', rows, seenAt);
}

async function insertClusterBackups(client: Client, cluster: string, tool: string, rows: object[], seenAt: Date): Promise<number> {
  if (rows.length === 0) return 0;
  const { rowCount } = await client.query(INSERT_CLUSTER_BACKUP, [cluster, tool, seenAt, JSON.stringify(rows)]);
  return rowCount ?? 0;
}

/** Inserts job results not stored yet and adds exactly those to the totals. Returns the new ones. */
export async function insertJobs(client: Client, jobs: readonly BackupJobResult[]): Promise<BackupJobResult[]> {
  if (jobs.length === 0) return [];
  const payload = jobs.map((j) => ({
    tenant_id: j.tenant,
    kind: j.kind,
    started_at: date(j.startedMs),
    finished_at: date(j.finishedMs),
    status: j.status,
    bytes: j.bytes,
  }));
  const { rows } = await client.query<{
    tenant_id: string;
    kind: BackupJobResult['kind'];
    started_at: Date;
    finished_at: Date;
    status: BackupJobResult['status'];
    bytes: number | null;
  }>(INSERT_JOBS, [JSON.stringify(payload)]);
  const inserted = rows.map((r) => ({
    tenant: r.tenant_id,
    kind: r.kind,
    status: r.status,
    startedMs: r.started_at.getTime(),
    finishedMs: r.finished_at.getTime(),
    bytes: r.bytes,
  }));
  const groups = new Map<string, BackupJobResult[]>();
  for (const job of inserted) {
    const key = `${job.tenant}|${job.kind}`;
    groups.set(key, [...(groups.get(key) ?? []), job]);
  }
  for (const group of groups.values()) {
    const last = group.reduce((a, b) => (b.finishedMs >= a.finishedMs ? b : a));
    const oks = group.filter((j) => j.status === 'ok');
    const lastOk = oks.length ? oks.reduce((a, b) => (b.finishedMs >= a.finishedMs ? b : a)) : undefined;
    await client.query(UPSERT_JOB_STATE, [
      last.tenant,
      last.kind,
      oks.length,
      group.length - oks.length,
      date(lastOk?.startedMs ?? null),
      date(lastOk?.finishedMs ?? null),
      date(last.finishedMs),
      date(last.startedMs),
      last.status,
      last.bytes,
    ]);
  }
  return inserted;
}

/**
 * Adds to the recovery point history the events that move the maximum for this subject and
 * source, and keeps recovery_point_latest at that maximum. Returns how many rows it added.
 */
export async function addRecoveryPoints(
  client: Client,
  cluster: string,
  tenant: string | null,
  source: 'pgbackrest' | 'wal-g' | 'dump',
  events: readonly PointEvent[],
): Promise<number> {
  if (events.length === 0) return 0;
  const { rows } = await client.query<{ recoverable_at: Date }>(SELECT_LATEST_POINT, [cluster, tenant, source]);
  let max = rows[0]?.recoverable_at.getTime() ?? -Infinity;
  let newest: PointEvent | undefined;
  let added = 0;
  for (const e of [...events].sort((a, b) => a.observedMs - b.observedMs || a.recoverableMs - b.recoverableMs)) {
    if (e.recoverableMs <= max) continue;
    await client.query(INSERT_POINT, [cluster, tenant, source, new Date(e.observedMs), new Date(e.recoverableMs)]);
    max = e.recoverableMs;
    newest = e;
    added += 1;
  }
  if (newest)
    await client.query(UPSERT_LATEST_POINT, [cluster, tenant, source, new Date(newest.observedMs), new Date(newest.recoverableMs)]);
  return added;
}

// Recovery points observed in the month, and the newest known before it began (what was known
// then). Cluster PITR rows count for the tenant unless that tool's newest backup lists
// databases without the tenant's (as services/metrics/backups-metrics.ts recoverablePoints does).
const RECOVERY_POINTS = `SELECT t.id, p.observed_at, p.recoverable_at
  FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t (id, cluster, db, n)
  CROSS JOIN LATERAL (
    WITH listed AS (
      SELECT DISTINCT ON (tool) tool AS source, databases FROM cluster_backup
      WHERE cluster_id = t.cluster AND error IS NOT TRUE ORDER BY tool, stopped_at DESC),
    rows AS (
      SELECT source, observed_at, recoverable_at FROM recovery_point
      WHERE (tenant_id = t.id OR (tenant_id IS NULL AND cluster_id = t.cluster
             AND NOT EXISTS (SELECT 1 FROM listed l WHERE l.source = recovery_point.source AND l.databases IS NOT NULL AND NOT (t.db = ANY (l.databases)))))
        AND observed_at < to_timestamp($5))
    SELECT observed_at, recoverable_at FROM rows WHERE observed_at >= to_timestamp($4)
    UNION
    SELECT max(observed_at), max(recoverable_at) FROM rows WHERE observed_at < to_timestamp($4) HAVING count(*) > 0) p
  ORDER BY t.n, 2, 3`;

// The engine keeps the last restore test finished before the month's end; ties keep the worst.
const RESTORE_TESTS = `SELECT t.id, r.finished_at, r.ok, r.seconds
  FROM unnest($1::text[]) WITH ORDINALITY AS t (id, n)
  CROSS JOIN LATERAL (
    SELECT finished_at, status = 'ok' AS ok, extract(epoch FROM finished_at - started_at)::float8 AS seconds
    FROM backup_job WHERE tenant_id = t.id AND kind = 'restore-test'
      AND finished_at = (SELECT max(finished_at) FROM backup_job WHERE tenant_id = t.id AND kind = 'restore-test' AND finished_at < to_timestamp($2))) r
  ORDER BY t.n, r.ok, r.seconds`;

/** Each tenant's recovery points observed in [from, to), and the newest known before `from`. */
export async function readRecoveryPointsOf(
  db: Queryable,
  tenants: readonly { id: string; cluster: string; database: string }[],
  fromSeconds: number,
  toSeconds: number,
): Promise<{ id: string; observed_at: Date; recoverable_at: Date }[]> {
  const args = [tenants.map((t) => t.id), tenants.map((t) => t.cluster), tenants.map((t) => t.database), fromSeconds, toSeconds];
  return (await db.query<{ id: string; observed_at: Date; recoverable_at: Date }>(RECOVERY_POINTS, args)).rows;
}

/** Each tenant's last restore test finished before `beforeSeconds`. */
export async function readLastRestoreTests(
  db: Queryable,
  tenants: string[],
  beforeSeconds: number,
): Promise<{ id: string; finished_at: Date; ok: boolean; seconds: number }[]> {
  return (await db.query<{ id: string; finished_at: Date; ok: boolean; seconds: number }>(RESTORE_TESTS, [tenants, beforeSeconds])).rows;
}
