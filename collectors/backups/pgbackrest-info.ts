import { field, isObject, parseExactJson, type ExactJson } from '../lib/exact-json';
import { integerText } from '../lib/row';

/**
 * Reads `pgbackrest info --output=json` (docs/parse-records.md): an array of stanzas, every field
 * optional because fields arrived over versions (2.27 has no `repo-key` nor `error`). pgBackRest
 * keeps no record of a failed backup, so failure shows as a newest `timestamp.stop` per type that
 * stops advancing, or as a stanza/repo status code other than 0.
 */

export type BackupType = 'full' | 'diff' | 'incr';

export interface PgbackrestBackup {
  label: string;
  /** null when the type is missing or unknown. */
  type: BackupType | null;
  /** Unix milliseconds (pgBackRest prints seconds). */
  startMs: number | null;
  stopMs: number;
  /** true: page checksum errors (2.36+); null when the version does not say. */
  error: boolean | null;
  repoKey: number | null;
  dbId: number | null;
  archiveStart: string | null;
  archiveStop: string | null;
  lsnStart: string | null;
  lsnStop: string | null;
  sizeBytes: number | null;
  repoSizeBytes: number | null;
  /** Databases in the backup (`database-ref[].name`); null when the version does not list them. */
  databases: string[] | null;
}

export interface PgbackrestRepo {
  key: number | null;
  code: number | null;
  message: string | null;
}

export interface PgbackrestArchive {
  /** `16-1`: PostgreSQL version and db-id. */
  id: string | null;
  dbId: number | null;
  repoKey: number | null;
  min: string | null;
  max: string | null;
}

export interface PgbackrestStanza {
  /** `[invalid]` when status 99 could not read the stanza; null when missing. */
  name: string | null;
  statusCode: number | null;
  statusMessage: string | null;
  repos: PgbackrestRepo[];
  backupLockHeld: boolean | null;
  /** `db[].system-id`, exact decimal text (it exceeds 2^53). */
  systemIds: string[];
  archives: PgbackrestArchive[];
  backups: PgbackrestBackup[];
}

export interface PgbackrestInfo {
  stanzas: PgbackrestStanza[];
  /** Stanzas and backups that could not be used (not an object, no label, no stop time). */
  rejected: number;
}

const TYPES = new Set(['full', 'diff', 'incr']);

export function parsePgbackrestInfo(text: string): PgbackrestInfo {
  let doc: ExactJson;
  try {
    doc = parseExactJson(text.trim());
  } catch {
    return { stanzas: [], rejected: 1 };
  }
  if (!Array.isArray(doc)) return { stanzas: [], rejected: 1 };
  const out: PgbackrestInfo = { stanzas: [], rejected: 0 };
  for (const s of doc) {
    if (!isObject(s)) {
      out.rejected += 1;
      continue;
    }
    const status = field.obj(s, 'status');
    const backups: PgbackrestBackup[] = [];
    for (const b of field.arr(s, 'backup')) {
      const backup = readBackup(b);
      if (backup) backups.push(backup);
      else out.rejected += 1;
    }
    out.stanzas.push({
      name: field.str(s, 'name') ?? null,
      statusCode: field.num(status, 'code') ?? null,
      statusMessage: field.str(status, 'message') ?? null,
      repos: field
        .arr(s, 'repo')
        .filter(isObject)
        .map((r) => ({
          key: field.num(r, 'key') ?? null,
          code: field.num(field.obj(r, 'status'), 'code') ?? null,
          message: field.str(field.obj(r, 'status'), 'message') ?? null,
        })),
      backupLockHeld: field.bool(field.obj(field.obj(status, 'lock'), 'backup'), 'held') ?? null,
      systemIds: field.arr(s, 'db').flatMap((d) => {
        const id = isObject(d) ? integerText(d['system-id']) : undefined;
        return id === undefined ? [] : [id];
      }),
      archives: field
        .arr(s, 'archive')
        .filter(isObject)
        .map((a) => ({
          id: field.str(a, 'id') ?? null,
          dbId: field.num(field.obj(a, 'database'), 'id') ?? dbIdOf(field.str(a, 'id')),
          repoKey: field.num(field.obj(a, 'database'), 'repo-key') ?? null,
          min: walName(field.str(a, 'min')),
          max: walName(field.str(a, 'max')),
        })),
      backups,
    });
  }
  return out;
}

function readBackup(b: ExactJson): PgbackrestBackup | undefined {
  const label = field.str(b, 'label');
  const timestamp = field.obj(b, 'timestamp');
  const stop = field.num(timestamp, 'stop');
  if (!label || stop === undefined) return undefined;
  const start = field.num(timestamp, 'start');
  const type = field.str(b, 'type');
  const info = field.obj(b, 'info');
  const refs = isObject(b) ? b['database-ref'] : undefined;
  return {
    label,
    type: type !== undefined && TYPES.has(type) ? (type as BackupType) : null,
    startMs: start === undefined ? null : start * 1000,
    stopMs: stop * 1000,
    error: field.bool(b, 'error') ?? null,
    repoKey: field.num(field.obj(b, 'database'), 'repo-key') ?? null,
    dbId: field.num(field.obj(b, 'database'), 'id') ?? null,
    archiveStart: walName(field.str(field.obj(b, 'archive'), 'start')),
    archiveStop: walName(field.str(field.obj(b, 'archive'), 'stop')),
    lsnStart: field.str(field.obj(b, 'lsn'), 'start') ?? null,
    lsnStop: field.str(field.obj(b, 'lsn'), 'stop') ?? null,
    sizeBytes: field.num(info, 'size') ?? null,
    repoSizeBytes: field.num(field.obj(info, 'repository'), 'size') ?? null,
    databases: Array.isArray(refs)
      ? refs.flatMap((r) => (field.str(r, 'name') === undefined ? [] : [field.str(r, 'name') as string]))
      : null,
  };
}

/** A WAL segment name (24 hex digits), upper-cased so names compare in WAL order; else null. */
export function walName(v: string | undefined): string | null {
  return v !== undefined && /^[0-9A-Fa-f]{24}$/.test(v) ? v.toUpperCase() : null;
}

function dbIdOf(id: string | undefined): number | null {
  const m = id?.match(/-(\d+)$/);
  return m ? Number(m[1]) : null;
}

/** Newest stop time per type among backups without checksum errors: the last good backup of each type. */
export function lastGoodByType(backups: readonly PgbackrestBackup[]): Partial<Record<BackupType, PgbackrestBackup>> {
  const out: Partial<Record<BackupType, PgbackrestBackup>> = {};
  for (const b of backups) {
    if (b.error === true || b.type === null) continue;
    const seen = out[b.type];
    if (!seen || b.stopMs > seen.stopMs) out[b.type] = b;
  }
  return out;
}

/**
 * The WAL archive reach of the stanza's current database: the highest `archive[].max` over
 * repositories for the highest db-id (a stanza-upgrade adds a db-id; older ids stop growing).
 */
export function walArchiveReach(stanza: PgbackrestStanza): { min: string | null; max: string } | undefined {
  const ids = stanza.archives.map((a) => a.dbId ?? 0);
  const current = Math.max(...ids);
  let best: { min: string | null; max: string } | undefined;
  for (const a of stanza.archives) {
    if ((a.dbId ?? 0) !== current || a.max === null) continue;
    if (!best || a.max > best.max) best = { min: a.min, max: a.max };
  }
  return best;
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** `tenantscope parse pgbackrest-info`: a `stanza` record per stanza, then a `backup` record per backup. */
export function pgbackrestInfoRecords(text: string): { records: unknown[]; rejected: number } {
  const info = parsePgbackrestInfo(text);
  const records = info.stanzas.flatMap((s) => {
    const last = lastGoodByType(s.backups);
    const wal = walArchiveReach(s);
    return [
      {
        type: 'stanza',
        stanza: s.name,
        statusCode: s.statusCode,
        statusMessage: s.statusMessage,
        repos: s.repos,
        systemIds: s.systemIds,
        backupLockHeld: s.backupLockHeld,
        walArchiveMin: wal?.min ?? null,
        walArchiveMax: wal?.max ?? null,
        lastFull: iso(last.full?.stopMs),
        lastDiff: iso(last.diff?.stopMs),
        lastIncr: iso(last.incr?.stopMs),
      },
      ...s.backups.map((b) => ({
        type: 'backup',
        stanza: s.name,
        label: b.label,
        backupType: b.type,
        start: iso(b.startMs),
        stop: iso(b.stopMs),
        error: b.error,
        repoKey: b.repoKey,
        walStart: b.archiveStart,
        walStop: b.archiveStop,
        lsnStart: b.lsnStart,
        lsnStop: b.lsnStop,
        sizeBytes: b.sizeBytes,
        repoSizeBytes: b.repoSizeBytes,
        databases: b.databases,
      })),
    ];
  });
  return { records, rejected: info.rejected };
}
