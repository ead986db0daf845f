import { field, isObject, parseExactJson, type ExactJson } from '../lib/exact-json';
import { integerText } from '../lib/row';

/**
 * Reads `wal-g backup-list --detail --json` (docs/parse-records.md). `system_identifier` and the
 * LSNs are JSON numbers that exceed 2^53, so the document is read with the exact parser and they
 * are kept as decimal text. WAL-G logs `INFO: ... List backups from storages` on stderr; when an
 * operator captured `2>&1`, such log lines are skipped, not counted.
 */

export interface WalgBackup {
  backupName: string;
  /** `full`, or `delta` for `base_<WAL>_D_<parent WAL>`. */
  type: 'full' | 'delta';
  /** The parent's WAL segment of a delta backup. */
  deltaFrom: string | null;
  /** Storage object modify time (written with the local zone offset), Unix ms. */
  timeMs: number | null;
  walFileName: string | null;
  storageName: string | null;
  startMs: number | null;
  /** UTC, µs precision in the source; Unix ms here. Absent without `--detail`. */
  finishMs: number | null;
  hostname: string | null;
  pgVersion: number | null;
  /** PostgreSQL `X/X` text, converted exactly from WAL-G's decimal LSN. */
  startLsn: string | null;
  finishLsn: string | null;
  isPermanent: boolean | null;
  /** uint64 as exact decimal text. */
  systemIdentifier: string | null;
  uncompressedBytes: number | null;
  compressedBytes: number | null;
}

export interface WalgBackupList {
  backups: WalgBackup[];
  rejected: number;
}

const LOG_LINE = /^(?:INFO|WARNING|ERROR|DEBUG): \d{4}\/\d{2}\/\d{2} /;
const NAME = /^base_([0-9A-F]{24})(?:_D_([0-9A-F]{24}))?/i;

export function parseWalgBackupList(text: string): WalgBackupList {
  const json = text
    .split('\n')
    .filter((line) => !LOG_LINE.test(line))
    .join('\n')
    .trim();
  // `backup-list` on an empty storage prints nothing but the log line (and "No backups found").
  if (json === '' || /^no backups found$/i.test(json)) return { backups: [], rejected: 0 };
  let doc: ExactJson;
  try {
    doc = parseExactJson(json);
  } catch {
    return { backups: [], rejected: 1 };
  }
  if (!Array.isArray(doc)) return { backups: [], rejected: 1 };
  const out: WalgBackupList = { backups: [], rejected: 0 };
  for (const item of doc) {
    const backup = isObject(item) ? readBackup(item) : undefined;
    if (backup) out.backups.push(backup);
    else out.rejected += 1;
  }
  return out;
}

function readBackup(b: { [key: string]: ExactJson }): WalgBackup | undefined {
  const backupName = field.str(b, 'backup_name');
  const name = backupName?.match(NAME);
  if (!backupName || !name) return undefined;
  const id = integerText(b['system_identifier']);
  return {
    backupName,
    type: name[2] ? 'delta' : 'full',
    deltaFrom: name[2]?.toUpperCase() ?? null,
    timeMs: instant(field.str(b, 'time')),
    walFileName: field.str(b, 'wal_file_name') ?? null,
    storageName: field.str(b, 'storage_name') ?? null,
    startMs: instant(field.str(b, 'start_time')),
    finishMs: instant(field.str(b, 'finish_time')),
    hostname: field.str(b, 'hostname') ?? null,
    pgVersion: field.num(b, 'pg_version') ?? null,
    startLsn: lsnText(b['start_lsn']),
    finishLsn: lsnText(b['finish_lsn']),
    isPermanent: field.bool(b, 'is_permanent') ?? null,
    systemIdentifier: id ?? null,
    uncompressedBytes: field.num(b, 'uncompressed_size') ?? null,
    compressedBytes: field.num(b, 'compressed_size') ?? null,
  };
}

/** RFC 3339 with a zone (`Z` or an offset) to Unix ms; a zone-less or bad time is null. */
function instant(v: string | undefined): number | null {
  if (v === undefined || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/.test(v)) return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : ms;
}

/** A decimal LSN (uint64) as PostgreSQL's `%X/%X`. */
export function lsnText(v: ExactJson | undefined): string | null {
  const digits = integerText(v);
  if (digits === undefined || digits.startsWith('-')) return null;
  const n = BigInt(digits);
  if (n >= 1n << 64n) return null;
  return `${(n >> 32n).toString(16).toUpperCase()}/${(n & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** The newest finished backup: its finish (else the storage time) is the newest recoverable point WAL-G gives. */
export function newestBackup(backups: readonly WalgBackup[]): { backup: WalgBackup; atMs: number } | undefined {
  let best: { backup: WalgBackup; atMs: number } | undefined;
  for (const backup of backups) {
    const atMs = backup.finishMs ?? backup.timeMs;
    if (atMs !== null && (!best || atMs > best.atMs)) best = { backup, atMs };
  }
  return best;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** `tenantscope parse walg-backup-list`: one `backup` record per backup, times as ISO 8601 UTC. */
export function walgBackupListRecords(text: string): { records: unknown[]; rejected: number } {
  const list = parseWalgBackupList(text);
  const records = list.backups.map(({ type, timeMs, startMs, finishMs, ...rest }) => ({
    type: 'backup',
    backupType: type,
    time: iso(timeMs),
    startTime: iso(startMs),
    finishTime: iso(finishMs),
    ...rest,
  }));
  return { records, rejected: list.rejected };
}
