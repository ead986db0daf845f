import type { RejectReason } from '../lib/rejections';
import { isStorableTime } from '../lib/storable';

/**
 * The per-tenant backup job results file (docs/configuration.md): one JSON object per line,
 * `{"tenant","kind":"backup"|"restore-test","status":"ok"|"failed","started","finished","bytes"}`,
 * times RFC 3339 with a zone. Written by the dump and restore-test jobs; a line that is not that
 * shape is rejected with its reason, never guessed at.
 */

export interface BackupJobResult {
  tenant: string;
  kind: 'backup' | 'restore-test';
  status: 'ok' | 'failed';
  startedMs: number;
  finishedMs: number;
  /** Bytes dumped or restored; null when the job did not say. */
  bytes: number | null;
}

/** A refused line says why in words (for the log) and as a reason label (for the counter). */
export type JobLine = { ok: true; result: BackupJobResult } | { ok: false; reason: string; kind: RejectReason };

const TENANT = /^[a-z0-9][a-z0-9_-]*$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Parses one line (without its newline). Blank lines are the caller's to skip. */
export function parseJobLine(line: string): JobLine {
  const malformed = (reason: string): JobLine => ({ ok: false, reason, kind: 'malformed' });
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return malformed('not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return malformed('not a JSON object');
  const o = v as Record<string, unknown>;
  if (typeof o.tenant !== 'string' || !TENANT.test(o.tenant)) return malformed('tenant: expected a tenant id');
  if (o.kind !== 'backup' && o.kind !== 'restore-test') return malformed('kind: expected "backup" or "restore-test"');
  if (o.status !== 'ok' && o.status !== 'failed') return malformed('status: expected "ok" or "failed"');
  const startedMs = instant(o.started);
  const finishedMs = instant(o.finished);
  if (startedMs === undefined) return malformed('started: expected an RFC 3339 time with a zone');
  if (finishedMs === undefined) return malformed('finished: expected an RFC 3339 time with a zone');
  // year 0 parses, but no partition or report covers it: refused before it can fail the batch
  if (!isStorableTime(startedMs) || !isStorableTime(finishedMs))
    return { ok: false, reason: 'started, finished: expected a time from 1970 to 9999', kind: 'time_out_of_range' };
  if (finishedMs < startedMs) return malformed('finished: before started');
  let bytes: number | null = null;
  if (o.bytes !== undefined && o.bytes !== null) {
    if (typeof o.bytes !== 'number' || !Number.isSafeInteger(o.bytes) || o.bytes < 0)
      return { ok: false, reason: 'bytes: expected a whole number of bytes', kind: 'number_out_of_range' };
    bytes = o.bytes;
  }
  return { ok: true, result: { tenant: o.tenant, kind: o.kind, status: o.status, startedMs, finishedMs, bytes } };
}

function instant(v: unknown): number | undefined {
  if (typeof v !== 'string' || !INSTANT.test(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

export interface JobFileParse {
  results: BackupJobResult[];
  /** Each rejected line with its 1-based number (counted from `firstLine`) and why. */
  rejected: { line: number; reason: string; kind: RejectReason }[];
}

/** Parses complete lines; `firstLine` is the number of the first one in its file. */
export function parseJobLines(lines: readonly string[], firstLine = 1): JobFileParse {
  const out: JobFileParse = { results: [], rejected: [] };
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const parsed = parseJobLine(line);
    if (parsed.ok) out.results.push(parsed.result);
    else out.rejected.push({ line: firstLine + i, reason: parsed.reason, kind: parsed.kind });
  });
  return out;
}

/** `tenantscope parse backup-jobs`: one `job` record per good line, with its line number and duration. */
export function backupJobRecords(text: string): { records: unknown[]; rejected: number } {
  const lines = text.split('\n');
  const records: unknown[] = [];
  let rejected = 0;
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const parsed = parseJobLine(line);
    if (!parsed.ok) {
      rejected += 1;
      return;
    }
    const j = parsed.result;
    records.push({
      type: 'job',
      line: i + 1,
      tenant: j.tenant,
      kind: j.kind,
      status: j.status,
      started: new Date(j.startedMs).toISOString(),
      finished: new Date(j.finishedMs).toISOString(),
      durationSeconds: (j.finishedMs - j.startedMs) / 1000,
      bytes: j.bytes,
    });
  });
  return { records, rejected };
}
