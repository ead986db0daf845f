import { open, stat } from 'node:fs/promises';
import { CollectorError } from '../services/errors';
import { parseOdooLog, type OdooLogRecord, type ParseContext } from './odoo-log-parser';

/**
 * Tails an Odoo log file from a checkpoint (file identity and byte offset), following rename
 * rotation (`odoo.log` → `odoo.log.1`) and copytruncate. It returns records and the checkpoint
 * after the last complete line; the caller commits both together, so nothing is counted twice.
 */
export const name = 'odoo-log';

export interface LogCheckpoint {
  /** `device:inode` of the file the offset belongs to. */
  fileIdentity: string;
  offset: number;
}

export interface OdooLogBatch {
  records: OdooLogRecord[];
  /** Lines that could not belong to any record (a continuation with nothing before it). */
  rejected: number;
  checkpoint: LogCheckpoint;
  /** Bytes consumed this run, across the rotated and the current file. */
  bytes: number;
}

export interface OdooLogInput {
  file: string;
  /** IANA zone of the timestamps Odoo wrote (server local time). */
  zone: string;
  /** Clock reading, ms: gives a year to syslog timestamps written without one. */
  now: number;
  checkpoint?: LogCheckpoint;
  /** Most bytes read in one run, so a large backlog is taken in steps. */
  maxBytes?: number;
}

const ROTATED_SUFFIXES = ['.1', '.2', '.3'];

export async function collect(input: OdooLogInput): Promise<OdooLogBatch> {
  const maxBytes = input.maxBytes ?? 16 * 1024 * 1024;
  const context: ParseContext = { zone: input.zone, referenceMs: input.now };
  const current = await identify(input.file);
  if (!current) throw new CollectorError(`log file ${input.file} does not exist`);
  const out: OdooLogBatch = { records: [], rejected: 0, checkpoint: { fileIdentity: current.identity, offset: 0 }, bytes: 0 };
  let start = 0;
  const previous = input.checkpoint;
  if (previous && previous.fileIdentity !== current.identity) {
    // Rotated by rename: finish the old file first, wherever it went.
    const rotated = await findRotated(input.file, previous.fileIdentity);
    if (rotated && rotated.size > previous.offset) {
      const read = await readLines(rotated.path, previous.offset, rotated.size, maxBytes);
      parseInto(out, read.lines, context, previous.offset > 0);
      out.rejected += read.oversized ?? 0;
      out.bytes += read.consumed;
      if (previous.offset + read.consumed < rotated.size) {
        out.checkpoint = { fileIdentity: previous.fileIdentity, offset: previous.offset + read.consumed };
        return out;
      }
    }
  } else if (previous) {
    // Same file; a smaller size means it was truncated in place (copytruncate).
    start = current.size < previous.offset ? 0 : previous.offset;
  }
  const read = await readLines(input.file, start, current.size, maxBytes - out.bytes);
  parseInto(out, read.lines, context, start > 0);
  out.rejected += read.oversized ?? 0;
  out.bytes += read.consumed;
  out.checkpoint = { fileIdentity: current.identity, offset: start + read.consumed };
  return out;
}

// Each file is parsed on its own; lines after a checkpoint may continue a record read before it.
function parseInto(out: OdooLogBatch, lines: string[], context: ParseContext, resumed: boolean): void {
  const parsed = parseOdooLog(lines, context, { resumed });
  for (const record of parsed.records) out.records.push(record);
  out.rejected += parsed.rejected;
}

async function identify(path: string): Promise<{ identity: string; size: number } | undefined> {
  try {
    const s = await stat(path, { bigint: true });
    return { identity: `${s.dev}:${s.ino}`, size: Number(s.size) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CollectorError(`log file ${path} cannot be read (${(err as NodeJS.ErrnoException).code})`);
  }
}

async function findRotated(file: string, identity: string): Promise<{ path: string; size: number } | undefined> {
  for (const suffix of ROTATED_SUFFIXES) {
    const found = await identify(file + suffix);
    if (found?.identity === identity) return { path: file + suffix, size: found.size };
  }
  return undefined;
}

/** Reads [from, min(to, from + limit)) and keeps only complete lines. */
async function readLines(path: string, from: number, to: number, limit: number): Promise<{ lines: string[]; consumed: number; oversized?: number }> {
  const length = Math.max(0, Math.min(to - from, limit));
  if (length === 0) return { lines: [], consumed: 0 };
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, from);
    const end = buffer.lastIndexOf(0x0a, bytesRead - 1);
    // A line longer than the whole read limit would stall the tail forever: drop it, counted.
    if (end < 0 && bytesRead === limit) return { lines: [], consumed: bytesRead, oversized: 1 };
    if (end < 0) return { lines: [], consumed: 0 };
    const text = buffer.toString('utf8', 0, end);
    return { lines: text.split('\n'), consumed: end + 1 };
  } finally {
    await handle.close();
  }
}
