import { tailFile, type FileCheckpoint } from '../lib/file-tail';
import { isUtf8 } from 'node:buffer';
import { linePieces, OdooLogParser, type OdooLogRecord, type ParseContext } from './parser';
import { Rejections } from '../lib/rejections';
import { utf8Lines, withoutLines } from '../lib/utf8-lines';

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

/**
 * `onRecords`, when given, takes the records as they are read, a piece of the file at a time, and
 * the batch's `records` stays empty: a caller that rolls them up never holds a whole run's records.
 */
export async function collect(input: OdooLogInput, onRecords?: (records: OdooLogRecord[]) => void): Promise<OdooLogBatch> {
  const context: ParseContext = { zone: input.zone, referenceMs: input.now };
  const tail = await tailFile(input.file, input.checkpoint, input.maxBytes ?? 16 * 1024 * 1024, 'log file', input.signal);
  const out: OdooLogBatch = { records: [], rejections: new Rejections(), checkpoint: tail.checkpoint, bytes: tail.bytes, more: tail.more };
  const take = (records: OdooLogRecord[]) => (onRecords ? onRecords(records) : records.forEach((r) => out.records.push(r)));
  for (const chunk of tail.chunks) {
    input.signal?.throwIfAborted();
    // Each file is parsed on its own; lines after a checkpoint may continue a record read before it.
    const parser = new OdooLogParser(context, { resumed: chunk.from > 0 });
    if (isUtf8(chunk.bytes)) {
      for (const piece of linePieces(chunk.bytes)) {
        parser.bytes(piece);
        take(parser.take());
      }
    } else {
      const { lines, invalidUtf8 } = utf8Lines(chunk.bytes);
      for (const line of withoutLines(lines, invalidUtf8)) parser.line(line);
      take(parser.take());
      out.rejections.add('invalid_utf8', invalidUtf8.length);
    }
    out.rejections.add('malformed', parser.result().rejected).add('too_long', chunk.oversized);
  }
  return out;
}
