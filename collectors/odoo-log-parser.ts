import { localToEpochMs } from './local-time';

/**
 * Odoo log lines (reference/source-formats.md §1) turned into typed records. A line that starts
 * no record (traceback, `bad query` block) is a continuation of the one before it.
 */

export interface OdooRequestRecord {
  type: 'request';
  ts: number;
  pid: number;
  /** Null where Odoo printed `?`. */
  db: string | null;
  method: string;
  path: string;
  status: number;
  queryCount: number | null;
  sqlSeconds: number | null;
  otherSeconds: number | null;
}

export interface OdooGenericRecord {
  type: 'log';
  ts: number;
  pid: number;
  level: string;
  db: string | null;
  logger: string;
  message: string;
}

export type OdooLogRecord = OdooRequestRecord | OdooGenericRecord;

export type ParsedLine = { kind: 'record'; record: OdooLogRecord } | { kind: 'continuation'; text: string };

const ANSI = /\x1b\[[0-9;]*m/g;
// Container and journald prefixes before the Odoo header: `odoo_1  | `, `Mar 01 10:00:00 host odoo[12]: `.
const PREFIX = /^(?:[\w.-]+\s+\|\s?|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ [\w.\-/]+(?:\[\d+\])?: )/;
const HEADER =
  /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3}) (\d+) (DEBUG|INFO|WARNING|ERROR|CRITICAL)(?: uid:\S+)? (\S+)(?: rid:\S+)? ([\w.-]+): ?(.*)$/;
const WERKZEUG =
  /^(\S+) - - \[[^\]]*\] "([A-Z_]+) (\S+)(?: [^"]*)?" (\d{3}) (\S+)(?: (\d+|-) (\d+\.\d+|-) (\d+\.\d+|-)(?: (?:ro|rw|ro->rw|-))?)?\s*$/;

/** Parses one line. Returns undefined only for an empty line. */
export function parseOdooLogLine(raw: string, zone: string): ParsedLine | undefined {
  let line = raw.replace(ANSI, '');
  if (line.trim() === '') return undefined;
  let header = HEADER.exec(line);
  if (!header) {
    const prefixed = PREFIX.exec(line);
    if (prefixed) {
      line = line.slice(prefixed[0].length);
      header = HEADER.exec(line);
    }
  }
  if (!header) return { kind: 'continuation', text: line };
  const [, y, mo, d, h, mi, s, ms, pid, level, db, logger, message] = header as unknown as string[];
  const ts = localToEpochMs(zone, +y!, +mo!, +d!, +h!, +mi!, +s!, +ms!);
  const dbName = db === '?' ? null : (db as string);
  const text = (message as string).replace(/ $/, '');
  if (logger === 'werkzeug') {
    const request = WERKZEUG.exec(text);
    if (request) {
      const [, , method, path, status, , qc, qt, rest] = request as unknown as string[];
      return {
        kind: 'record',
        record: {
          type: 'request',
          ts,
          pid: Number(pid),
          db: dbName,
          method: method as string,
          path: path as string,
          status: Number(status),
          queryCount: qc === undefined || qc === '-' ? null : Number(qc),
          sqlSeconds: qt === undefined || qt === '-' ? null : Number(qt),
          otherSeconds: rest === undefined || rest === '-' ? null : Number(rest),
        },
      };
    }
  }
  return {
    kind: 'record',
    record: { type: 'log', ts, pid: Number(pid), level: level as string, db: dbName, logger: logger as string, message: text },
  };
}
