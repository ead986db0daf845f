import { isUtf8 } from 'node:buffer';
import { linePieces, OdooLogParser, parseOdooLog, type OdooLogRecord, type ParseContext } from './parser';

/**
 * What `tenantscope parse odoo-log` prints: each record with the fields of its type only and
 * its time as ISO 8601 UTC.
 */
export function odooLogParseOutput(text: string, context: ParseContext): { records: Record<string, unknown>[]; rejected: number } {
  const { records, rejected } = parseOdooLog(text.split('\n'), context);
  return { records: records.map(outputOf), rejected };
}

/**
 * The same from the file's bytes, written as NDJSON through `write` in pieces of about 64 KiB:
 * each line is the JSON.stringify of what odooLogParseOutput gives, written out field by field.
 */
export function odooLogNdjson(bytes: Buffer, context: ParseContext, write: (text: string) => void): { records: number; rejected: number } {
  const iso = new IsoTimes();
  let out = '';
  let records = 0;
  const emit = (list: readonly OdooLogRecord[], upTo: number) => {
    for (let i = 0; i < upTo; i++) {
      out += `${jsonOf(list[i]!, iso)}\n`;
      if (out.length > 1 << 16) {
        write(out);
        out = '';
      }
    }
    records += upTo;
  };
  if (!isUtf8(bytes)) {
    // as the text path decodes it (U+FFFD for what is not UTF-8), so the output is the same
    const parsed = parseOdooLog(bytes.toString('utf8').split('\n'), context);
    emit(parsed.records, parsed.records.length);
    if (out !== '') write(out);
    return { records, rejected: parsed.rejected };
  }
  // Read and written a piece at a time, so the records of a large file are never all held. The
  // last record of a piece is written with the next one: a traceback after it may still extend it.
  const parser = new OdooLogParser(context);
  let held: OdooLogRecord[] = [];
  for (const piece of linePieces(bytes)) {
    parser.bytes(piece);
    const taken = parser.take();
    if (taken.length === 0) continue;
    emit(held, held.length);
    emit(taken, taken.length - 1);
    held = [taken[taken.length - 1]!];
  }
  emit(held, held.length);
  if (out !== '') write(out);
  return { records, rejected: parser.result().rejected };
}

const text = (s: string | null): string => (s === null ? 'null' : JSON.stringify(s));
// JSON.stringify writes a finite number as String() does, and anything else as null
const num = (n: number | null): string => (n !== null && Number.isFinite(n) ? String(n) : 'null');

/** JSON.stringify(outputOf(r)), without the object in between. */
function jsonOf(r: OdooLogRecord, iso: IsoTimes): string {
  const ts = iso.of(r.ts);
  switch (r.type) {
    case 'request':
      return `{"type":"request","ts":"${ts}","pid":${num(r.pid)},"db":${text(r.db)},"method":${text(r.method)},"path":${text(r.path)},"status":${num(r.status)},"queryCount":${num(r.queryCount)},"sqlSeconds":${num(r.sqlSeconds)},"otherSeconds":${num(r.otherSeconds)}}`;
    default:
      return JSON.stringify(outputOf(r));
  }
}

/** toISOString for times that come minute after minute: the minute's text is made once. */
class IsoTimes {
  private minute = NaN;
  private prefix = '';

  of(ms: number): string {
    const minute = Math.floor(ms / 60_000) * 60_000;
    if (minute !== this.minute || !Number.isInteger(ms)) {
      const whole = new Date(ms).toISOString();
      this.minute = minute;
      // the minute's text without its `ss.mmmZ`, which is the same width in every year
      this.prefix = whole.slice(0, -7);
      return whole;
    }
    const rest = ms - minute;
    const seconds = Math.floor(rest / 1000);
    const millis = rest - seconds * 1000;
    return `${this.prefix}${seconds < 10 ? '0' : ''}${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
  }
}

function outputOf(r: OdooLogRecord): Record<string, unknown> {
  const ts = new Date(r.ts).toISOString();
  switch (r.type) {
    case 'request':
      return {
        type: r.type,
        ts,
        pid: r.pid,
        db: r.db,
        method: r.method,
        path: r.path,
        status: r.status,
        queryCount: r.queryCount,
        sqlSeconds: r.sqlSeconds,
        otherSeconds: r.otherSeconds,
      };
    case 'worker':
      return { type: r.type, ts, pid: r.pid, event: r.event, workerPid: r.workerPid };
    case 'cron':
      return { type: r.type, ts, db: r.db, job: r.job, cronId: r.cronId, event: r.event, seconds: r.seconds };
    case 'log':
      return { type: r.type, ts, pid: r.pid, level: r.level, db: r.db, logger: r.logger, message: r.message };
  }
}
