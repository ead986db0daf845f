import type { OdooLogRecord } from './parser';

/**
 * What PostgreSQL can store of a parsed Odoo log record. A line can parse and still not fit a
 * column (a pid past int4, a NUL in a database name, a duration of 1e300 s); one such line used to
 * fail its whole batch, so the tail never moved again and a retrying shipper never got through.
 * Such a record is rejected and counted with the others; the rest of the batch is stored.
 */
const INT4_MAX = 2 ** 31 - 1;
// Longer than any request or cron run, and small enough that a month of sums stays exact in float8.
const MAX_SECONDS = 1e7;

const int4 = (v: number | null) => v === null || (Number.isInteger(v) && v >= 0 && v <= INT4_MAX);
const count = (v: number | null) => v === null || (Number.isSafeInteger(v) && v >= 0 && v <= INT4_MAX);
const seconds = (v: number | null) => v === null || (Number.isFinite(v) && v >= 0 && v <= MAX_SECONDS);
// PostgreSQL text has no NUL; a lone UTF-16 surrogate would be stored as a replacement character.
const text = (v: string | null) => v === null || (!v.includes('\u0000') && (v as string & { isWellFormed(): boolean }).isWellFormed());

/** Why `record` cannot be stored, or undefined when it can. */
export function unstorableReason(record: OdooLogRecord): string | undefined {
  if (!Number.isFinite(record.ts)) return 'time out of range';
  if (!int4(record.pid)) return 'pid out of range';
  switch (record.type) {
    case 'request':
      if (!text(record.db)) return 'invalid text';
      if (!Number.isInteger(record.status) || record.status < 0 || record.status > 999) return 'status out of range';
      if (!count(record.queryCount)) return 'query count out of range';
      if (!seconds(record.sqlSeconds) || !seconds(record.otherSeconds)) return 'duration out of range';
      return undefined;
    case 'worker':
      return int4(record.workerPid) ? undefined : 'pid out of range';
    case 'cron':
      if (!text(record.db) || !text(record.job)) return 'invalid text';
      if (!int4(record.cronId)) return 'cron id out of range';
      return seconds(record.seconds) ? undefined : 'duration out of range';
    case 'log':
      return text(record.db) ? undefined : 'invalid text';
  }
}

/** The records PostgreSQL can store, and how many were rejected. */
export function storableRecords(records: readonly OdooLogRecord[]): { records: OdooLogRecord[]; rejected: number } {
  const kept = records.filter((r) => unstorableReason(r) === undefined);
  return { records: kept, rejected: records.length - kept.length };
}
