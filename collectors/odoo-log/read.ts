import { tailFile, type FileCheckpoint } from '../lib/file-tail';
import { parseOdooLog, type OdooLogRecord, type ParseContext } from './parser';
import { Rejections } from '../lib/rejections';
import { withoutLines } from '../lib/utf8-lines';

/**
 * Tails an Odoo log file from a checkpoint (file identity and byte offset), following rename
 * rotation (`odoo.log` → `odoo.log.1`) and copytruncate. It returns records and the checkpoint
 * after the last complete line; the caller commits both together, so nothing is counted twice.
 */
export const name = 'odoo-log';

export type LogCheckpoint = FileCheckpoint;

export interface OdooLogBatch {
  records: OdooLogRecord[];
  /**
   * Lines that could not be used: belonging to no record (a continuation with nothing before it:
   * malformed), longer than the read limit (too_long), or not UTF-8 (invalid_utf8).
   */
  rejections: Rejections;
  checkpoint: LogCheckpoint;
  /** Bytes consumed this run, across the rotated and the current file. */
  bytes: number;
  /** The run stopped at maxBytes with more already written: the reader is behind. */
  more: boolean;
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
  /** Aborted when the run timed out: reading and parsing stop between chunks. */
  signal?: AbortSignal;
}

export async function collect(input: OdooLogInput): Promise<OdooLogBatch> {
  const context: ParseContext = { zone: input.zone, referenceMs: input.now };
  const tail = await tailFile(input.file, input.checkpoint, input.maxBytes ?? 16 * 1024 * 1024, 'log file', input.signal);
  const out: OdooLogBatch = { records: [], rejections: new Rejections(), checkpoint: tail.checkpoint, bytes: tail.bytes, more: tail.more };
  for (const chunk of tail.chunks) {
    input.signal?.throwIfAborted();
    parseInto(out, withoutLines(chunk.lines, chunk.invalidUtf8), context, chunk.from > 0);
    out.rejections.add('too_long', chunk.oversized).add('invalid_utf8', chunk.invalidUtf8.length);
  }
  return out;
}

// Each file is parsed on its own; lines after a checkpoint may continue a record read before it.
function parseInto(out: OdooLogBatch, lines: string[], context: ParseContext, resumed: boolean): void {
  const parsed = parseOdooLog(lines, context, { resumed });
  for (const record of parsed.records) out.records.push(record);
  out.rejections.add('malformed', parsed.rejected);
}
