import { isUtf8 } from 'node:buffer';
import { OdooLogParser, parseOdooLog, type OdooLogRecord, type ParseContext } from './parser';

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
  let parsed;
  if (isUtf8(bytes)) {
    const parser = new OdooLogParser(context);
    parser.bytes(bytes);
    parsed = parser.result();
  } else {
    // as the text path decodes it (U+FFFD for what is not UTF-8), so the output is the same
    parsed = parseOdooLog(bytes.toString('utf8').split('\n'), context);
  }
  const iso = new IsoTimes();
  let out = '';
  for (const record of parsed.records) {
    out += `${jsonOf(record, iso)}\n`;
    if (out.length > 1 << 16) {
      write(out);
      out = '';
    }
  }
  if (out !== '') write(out);
  return { records: parsed.records.length, rejected: parsed.rejected };
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
