import { isWallTime, localToEpochMs, syslogTimestampToMs } from '../lib/local-time';
import { decimal, headerFields, isPlainAscii, nextSpace, PlainLines, readHeader, readWerkzeug, requestFields } from './fast-line';

/**
 * Odoo log lines (docs/parse-records.md) turned into typed records: werkzeug and gevent
 * requests, prefork worker lifecycle, cron runs, and every other line as a generic record. A
 * line that starts no record (traceback, `bad query` block, `^^^` line) continues the one before.
 */

export interface OdooRequestRecord {
  type: 'request';
  ts: number;
  /** Null where the line carries no pid (syslog format without a `tag[pid]`). */
  pid: number | null;
  /** Null where Odoo printed `?`. */
  db: string | null;
  method: string;
  /** Without the query string. */
  path: string;
  status: number;
  queryCount: number | null;
  sqlSeconds: number | null;
  otherSeconds: number | null;
}

export const WORKER_EVENTS = ['alive', 'exiting', 'max-request', 'memory-limit', 'cpu-limit', 'timeout-kill', 'crash'] as const;
export type WorkerEvent = (typeof WORKER_EVENTS)[number];

export interface OdooWorkerRecord {
  type: 'worker';
  ts: number;
  /** The pid that wrote the line: the worker itself, or the master for a timeout kill. */
  pid: number | null;
  event: WorkerEvent;
  /** The worker the event is about. */
  workerPid: number;
}

export interface OdooCronRecord {
  type: 'cron';
  ts: number;
  /** The cron worker's pid; kept for attribution, not part of the `parse` output. */
  pid: number | null;
  db: string | null;
  job: string;
  /** The `ir.cron` id; null in versions that do not print it (≤ 16). */
  cronId: number | null;
  event: 'start' | 'done' | 'failed';
  /** Duration the line states (16+); null when Odoo did not print one. */
  seconds: number | null;
}

export interface OdooGenericRecord {
  type: 'log';
  ts: number;
  pid: number | null;
  level: string;
  db: string | null;
  logger: string;
  message: string;
}

export type OdooLogRecord = OdooRequestRecord | OdooWorkerRecord | OdooCronRecord | OdooGenericRecord;

export interface ParseContext {
  /** IANA zone of timestamps written without an offset (server local time). */
  zone: string;
  /** Clock reading that gives a year to syslog timestamps written without one. */
  referenceMs: number;
}

export interface ParsedLog {
  records: OdooLogRecord[];
  /** Lines that belong to no record: a continuation with nothing before it, or after a request. */
  rejected: number;
}

// eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
const LEVEL = '(DEBUG|INFO|WARNING|ERROR|CRITICAL)';
const HEADER = new RegExp(
  String.raw`^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3}) (\d+) ${LEVEL}(?: uid:\S+)? (\S+)(?: rid:\S+)? ([\w.\-]+): ?(.*)$`,
);
// `syslog = True`: "<description> <version>:<db>:<LEVEL>:<logger>:<message>", after the syslog prefix.
const SYSLOG_BODY = new RegExp(String.raw`^(?:Odoo|OpenERP)(?: Server)? [\w.~+\-]+:(\S*?):${LEVEL}:([\w.\-]+):(.*)$`);
const SYSLOG_TS = String.raw`(?:<\d{1,3}>)?(?<ts>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d{1,9})?|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?)`;

interface Prefix {
  re: RegExp;
  /** Syslog and journald prefixes give the time of a syslog-format body. */
  timed?: boolean;
}
// Wrappers seen around real Odoo lines; tried in order, nested up to three deep.
const PREFIXES: Prefix[] = [
  { re: /^(?:>\s?)+/ }, // markdown quote
  { re: /^[\w.-]+\s*\|\s?/ }, // docker-compose `odoo_1   | `, `odoo-1  | `
  { re: /^\[[\w.\-/]+\] / }, // kubectl logs --prefix `[pod/odoo-0/odoo] `
  { re: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z (?=\d{4}-\d\d-\d\d \d\d:)/ }, // docker logs -t
  { re: new RegExp(String.raw`^${SYSLOG_TS} (?<host>\S+) (?:(?<tag>[^\s:\[\]]+)(?:\[(?<tagpid>\d+)\])?: )?`), timed: true }, // syslog, journald
  { re: /^ {1,4}|^\t/ }, // markdown indented code
];
const FENCE = /^\s*(?:```|~~~)/;

type Line =
  | { kind: 'record'; record: OdooLogRecord; signature: string }
  | { kind: 'continuation'; text: string; signature: string }
  | { kind: 'blank' };

/**
 * Parses lines in order. `resumed` says the lines start mid-file (a tail after its checkpoint):
 * continuation lines before the first record then belong to a record already read, not rejected.
 */
export function parseOdooLog(lines: Iterable<string>, context: ParseContext, options: { resumed?: boolean } = {}): ParsedLog {
  const parser = new OdooLogParser(context, options);
  for (const raw of lines) parser.line(raw);
  return parser.result();
}

/**
 * `bytes` cut at newlines into pieces of about `size` bytes, without the newline between two: fed
 * to OdooLogParser.bytes one after the other, they give the records the whole buffer gives (a
 * trailing newline's empty line aside, which is blank). A reader takes records after each piece,
 * so those of a large buffer are never all held at once.
 */
export function* linePieces(bytes: Buffer, size = 1 << 20): Generator<Buffer> {
  for (let start = 0; start < bytes.length;) {
    const newline = bytes.indexOf(0x0a, Math.min(bytes.length, start + size));
    const end = newline < 0 ? bytes.length : newline;
    yield bytes.subarray(start, end);
    start = end + 1;
  }
}

/**
 * The same parse, one line at a time, for lines that arrive in pieces (a pushed body read as it
 * streams in): no line has to wait for the others, and none is kept once it has been read.
 */
export class OdooLogParser {
  private records: OdooLogRecord[] = [];
  private rejected = 0;
  private last: OdooLogRecord | undefined;
  private lastSignature = '';
  private blanks = 0;

  constructor(
    private readonly context: ParseContext,
    private readonly options: { resumed?: boolean } = {},
  ) {}

  line(raw: string): void {
    const line = classify(raw, this.context, this.lastSignature);
    if (line.kind === 'blank') {
      this.blanks += 1;
      return;
    }
    if (line.kind === 'record') {
      this.addRecord(line.record, line.signature);
      return;
    }
    if (this.last === undefined) {
      if (!this.options.resumed) this.rejected += 1;
    } else if (this.last.type === 'log') {
      // blank lines inside a chained exception are part of it; trailing ones are not
      this.last.message += '\n'.repeat(this.blanks + 1) + line.text;
    } else if (this.last.type === 'request') {
      this.rejected += 1;
    }
    // a worker crash or failed cron job carries its traceback: those lines belong to it
    this.blanks = 0;
  }

  /**
   * Every line of `bytes` (UTF-8, cut at newlines as `split('\n')` cuts text): a plain line is read
   * from its bytes (fast-line.ts), any other decoded and read as `line` reads it. Same records.
   */
  bytes(bytes: Buffer): void {
    const plain = new PlainLines(bytes);
    for (let start = 0; start <= bytes.length;) {
      const newline = bytes.indexOf(0x0a, start);
      const end = newline < 0 ? bytes.length : newline;
      const record = plain.isPlain(start, end) ? plainRecord(bytes, start, end, this.context) : undefined;
      if (record) this.addRecord(record, '');
      else this.line(bytes.toString('utf8', start, end));
      start = end + 1;
    }
  }

  private addRecord(record: OdooLogRecord, signature: string): void {
    this.records.push(record);
    this.last = record;
    this.lastSignature = signature;
    this.blanks = 0;
  }

  /** Lines that did not parse so far; a caller may count others (an unreadable line) with `reject`. */
  reject(n = 1): void {
    this.rejected += n;
  }

  /**
   * The records parsed since the last call, handed over so this parser keeps none of them. The
   * last one may still gain continuation lines (a traceback on a generic log line's message);
   * nothing that rolls records up reads that message.
   */
  take(): OdooLogRecord[] {
    const taken = this.records;
    this.records = [];
    return taken;
  }

  /** Every record not taken yet, and the lines that did not parse. */
  result(): ParsedLog {
    return { records: this.records, rejected: this.rejected };
  }
}

function classify(raw: string, context: ParseContext, lastSignature: string): Line {
  let line = raw.replace(ANSI, '');
  if (line.endsWith('\r')) line = line.slice(0, -1);
  if (line.trim() === '' || FENCE.test(line)) return { kind: 'blank' };
  let signature = '';
  let syslogTs: { text: string; pid: number | null } | undefined;
  for (let depth = 0; depth <= 3; depth++) {
    const header = HEADER.exec(line);
    if (header && isWallTime(+header[1]!, +header[2]!, +header[3]!, +header[4]!, +header[5]!, +header[6]!))
      return { kind: 'record', record: fromHeader(header, context), signature };
    if (syslogTs) {
      const body = SYSLOG_BODY.exec(line);
      const ts = body ? syslogTimestampToMs(syslogTs.text, context.zone, context.referenceMs) : undefined;
      if (body && ts !== undefined) return { kind: 'record', record: fromSyslog(body, ts, syslogTs.pid), signature };
    }
    const prefix = depth < 3 ? matchPrefix(line) : undefined;
    if (!prefix) break;
    line = line.slice(prefix.match[0].length);
    signature += signatureOf(prefix.match);
    if (prefix.timed && prefix.match.groups?.ts) {
      const tagpid = prefix.match.groups.tagpid;
      syslogTs = { text: prefix.match.groups.ts, pid: tagpid === undefined ? null : Number(tagpid) };
    }
  }
  return { kind: 'continuation', text: continuationText(raw.replace(ANSI, '').replace(/\r$/, ''), lastSignature), signature: '' };
}

// Filled in place line after line: the fast reader makes no object for a line's fields.
const header = headerFields();
const request = requestFields();

/**
 * The record of a plain line (no wrapper; ASCII without special bytes, as the caller checked), read from its bytes; undefined for
 * any other line, which `classify` then reads. A werkzeug request makes no string but its
 * database, method and path.
 */
function plainRecord(b: Buffer, start: number, end: number, context: ParseContext): OdooLogRecord | undefined {
  const h = header;
  if (!readHeader(b, start, end, h)) return undefined;
  if (!isWallTime(h.year, h.month, h.day, h.hour, h.minute, h.second)) return undefined;
  const ts = localToEpochMs(context.zone, h.year, h.month, h.day, h.hour, h.minute, h.second, h.millisecond);
  const db = h.dbEnd - h.dbStart === 1 && b[h.dbStart] === 0x3f ? null : b.toString('latin1', h.dbStart, h.dbEnd);
  // perf_info's one space after the message, as fromHeader drops it
  const messageEnd = h.messageEnd > h.messageStart && b[h.messageEnd - 1] === 0x20 ? h.messageEnd - 1 : h.messageEnd;
  const r = request;
  if (isWerkzeug(b, h.loggerStart, h.loggerEnd) && readWerkzeug(b, h.messageStart, messageEnd, r)) {
    const queryCount = perfToken(b, r.countAt, messageEnd, false);
    const sqlSeconds = perfToken(b, r.sqlAt, messageEnd, true);
    const otherSeconds = perfToken(b, r.otherAt, messageEnd, true);
    const perf = !Number.isNaN(queryCount) && !Number.isNaN(sqlSeconds) && !Number.isNaN(otherSeconds);
    return {
      type: 'request',
      ts,
      pid: h.pid,
      db,
      method: methodOf(b, r.methodStart, r.methodEnd),
      path: b.toString('latin1', r.pathStart, r.pathEnd),
      status: r.status,
      queryCount: perf ? queryCount : null,
      sqlSeconds: perf ? sqlSeconds : null,
      otherSeconds: perf ? otherSeconds : null,
    };
  }
  const logger = b.toString('latin1', h.loggerStart, h.loggerEnd);
  return classifyMessage(ts, h.pid, h.level, db, logger, b.toString('latin1', h.messageStart, messageEnd));
}

/** plainRecord for one whole line: what the fast reader makes of it (tests compare it with `line`). */
export function plainLineRecord(line: Buffer, context: ParseContext): OdooLogRecord | undefined {
  return isPlainAscii(line, 0, line.length) ? plainRecord(line, 0, line.length, context) : undefined;
}

const WERKZEUG_LOGGER = 'werkzeug';

function isWerkzeug(b: Buffer, start: number, end: number): boolean {
  if (end - start !== 8) return false;
  for (let i = 0; i < 8; i++) if (b[start + i] !== WERKZEUG_LOGGER.charCodeAt(i)) return false;
  return true;
}

function perfToken(b: Buffer, at: number, end: number, fraction: boolean): number {
  return at < 0 ? NaN : decimal(b, at, nextSpace(b, at, end), fraction);
}

function methodOf(b: Buffer, start: number, end: number): string {
  if (end - start === 3 && b[start] === 0x47 && b[start + 1] === 0x45 && b[start + 2] === 0x54) return 'GET';
  if (end - start === 4 && b[start] === 0x50 && b[start + 1] === 0x4f && b[start + 2] === 0x53 && b[start + 3] === 0x54) return 'POST';
  return b.toString('latin1', start, end);
}

function matchPrefix(line: string): { match: RegExpExecArray; timed: boolean } | undefined {
  for (const p of PREFIXES) {
    const match = p.re.exec(line);
    if (match && match[0].length > 0) return { match, timed: p.timed === true };
  }
  return undefined;
}

/** What identifies a wrapper across lines: the container or host and tag, not the time. */
function signatureOf(match: RegExpExecArray): string {
  const g = match.groups;
  if (g?.ts !== undefined) return `journal:${g.host ?? ''}:${g.tag ?? ''}:${g.tagpid ?? ''}|`;
  if (/^\d{4}-/.test(match[0])) return 'docker-ts|';
  return `${match[0].replace(/\s+/g, '')}|`;
}

/** Removes from a continuation line the wrappers its record's header had, and only those. */
function continuationText(line: string, signature: string): string {
  if (signature === '') return line;
  let text = line;
  let seen = '';
  while (seen.length < signature.length) {
    const prefix = matchPrefix(text);
    if (!prefix) break;
    const next = seen + signatureOf(prefix.match);
    if (!signature.startsWith(next)) break;
    seen = next;
    text = text.slice(prefix.match[0].length);
  }
  return seen === signature ? text : line;
}

function fromHeader(h: RegExpExecArray, context: ParseContext): OdooLogRecord {
  const [, y, mo, d, hh, mi, s, ms, pid, level, db, logger, message] = h as unknown as string[];
  const ts = localToEpochMs(context.zone, +y!, +mo!, +d!, +hh!, +mi!, +s!, +ms!);
  // Odoo appends perf_info ("" except on werkzeug lines) after one space: drop that space only
  return classifyMessage(ts, Number(pid), level!, db === '?' ? null : db!, logger!, message!.replace(/ $/, ''));
}

function fromSyslog(b: RegExpExecArray, ts: number, pid: number | null): OdooLogRecord {
  const [, db, level, logger, message] = b as unknown as string[];
  // rsyslog escapes control characters: a traceback arrives as one line with #012 for newlines
  const text = message!
    .replace(/(?:\0|#000)$/, '')
    .replace(/#012/g, '\n')
    .replace(/#011/g, '\t');
  return classifyMessage(ts, pid, level!, db === '?' || db === '' ? null : db!, logger!, text);
}

function classifyMessage(ts: number, pid: number | null, level: string, db: string | null, logger: string, message: string): OdooLogRecord {
  if (logger === 'werkzeug' || logger === 'longpolling' || logger.endsWith('.longpolling')) {
    const request = werkzeugRequest(message) ?? geventRequest(message);
    if (request) return { type: 'request', ts, pid, db, ...request };
  }
  if (logger.endsWith('.service.server')) {
    const worker = workerEvent(message, pid);
    if (worker) return { type: 'worker', ts, pid, ...worker };
  }
  if (logger.endsWith('ir_cron')) {
    const cron = cronEvent(message);
    if (cron) return { type: 'cron', ts, pid, db, ...cron };
  }
  return { type: 'log', ts, pid, level, db, logger, message };
}

type RequestFields = Pick<OdooRequestRecord, 'method' | 'path' | 'status' | 'queryCount' | 'sqlSeconds' | 'otherSeconds'>;
const WERKZEUG = /^\S+ \S+ \S+ \[\d\d\/\w{3}\/\d{4}[ :]\d\d:\d\d:\d\d[^\]]*\] "(.*)" (\d{3})((?: \S+)*)$/;
const GEVENT = /^\S+ - - \[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] "(.*)" (\d{3}) \S+ \S+$/;
const REQUEST_LINE = /^([A-Z][A-Z_-]*) (\S+)(?: \S+)?$/;
const COUNT = /^\d+$/;
const SECONDS = /^\d+(?:\.\d+)?$/;

/** `<addr> - - [<date>] "<request>" <status> <size> [<count> <sql s> <other s> [<cursor mode>]]`. */
function werkzeugRequest(message: string): RequestFields | undefined {
  const m = WERKZEUG.exec(message);
  const request = m && REQUEST_LINE.exec(m[1]!);
  if (!m || !request) return undefined;
  // after the size: the perf triple (12+), `- - -` when no counters ran, none in ≤ 10 or cut lines
  const [, qc, qt, rest] = m[3]!.trim().split(' ');
  const perf = qc !== undefined && COUNT.test(qc) && SECONDS.test(qt ?? '') && SECONDS.test(rest ?? '');
  return {
    method: request[1]!,
    path: pathOf(request[2]!),
    status: Number(m[2]),
    queryCount: perf ? Number(qc) : null,
    sqlSeconds: perf ? Number(qt) : null,
    otherSeconds: perf ? Number(rest) : null,
  };
}

/** gevent's pywsgi format, logger `longpolling`: wall seconds but no SQL split, so no perf fields. */
function geventRequest(message: string): RequestFields | undefined {
  const m = GEVENT.exec(message);
  const request = m && REQUEST_LINE.exec(m[1]!);
  if (!m || !request) return undefined;
  return { method: request[1]!, path: pathOf(request[2]!), status: Number(m[2]), queryCount: null, sqlSeconds: null, otherSeconds: null };
}

function pathOf(target: string): string {
  const q = target.indexOf('?');
  return q < 0 ? target : target.slice(0, q);
}

// Odoo's worker lifecycle lines, logger odoo.service.server. The pid in the message is the worker's.
const WORKER_MESSAGES: [RegExp, WorkerEvent][] = [
  [/^Worker \w+ \((\d+)\) alive$/, 'alive'],
  [/^Worker \((\d+)\) exiting\. request_count: /, 'exiting'],
  [/^Worker \((\d+)\) max request \(.*\) reached\.?$/, 'max-request'],
  [/^Worker \((\d+)\) virtual memory limit \(.*\) reached\.?$/, 'memory-limit'],
  [/^Worker \((\d+)\) CPU time limit \(.*\) reached\.?$/, 'cpu-limit'],
  [/^Worker\w* \((\d+)\) timeout after \d+s$/, 'timeout-kill'],
  [/^Criti(?:c)?al worker error \((\d+)\)$/, 'crash'],
  [/^Worker (?:\w+ )?\((\d+)\) Exception occ?urr?ed, exiting\.\.\.$/, 'crash'],
];
// Logged by the process the event is about, which the line's pid names.
const SELF_MESSAGES: [RegExp, WorkerEvent][] = [
  [/^Evented Service \(longpolling\) running on /, 'alive'],
  [/^LongPolling virtual memory limit reached: /, 'memory-limit'],
  [/^Server virtual memory limit \(.*\) reached\.?$/, 'memory-limit'], // threaded mode
  [/^Thread .* virtual real time limit \(.*\) reached\.?$/, 'timeout-kill'], // threaded mode
];

function workerEvent(message: string, pid: number | null): Pick<OdooWorkerRecord, 'event' | 'workerPid'> | undefined {
  for (const [re, event] of WORKER_MESSAGES) {
    const m = re.exec(message);
    if (m) return { event, workerPid: Number(m[1]) };
  }
  if (pid === null) return undefined;
  for (const [re, event] of SELF_MESSAGES) if (re.test(message)) return { event, workerPid: pid };
  return undefined;
}

type CronFields = Pick<OdooCronRecord, 'job' | 'cronId' | 'event' | 'seconds'>;
// Python repr of the job name: 'Name', or "Name's" when it holds a quote.
const REPR = String.raw`('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")`;
const CRON_MESSAGES: [RegExp, (m: RegExpExecArray) => CronFields][] = [
  // 17 to 19
  [new RegExp(`^Job ${REPR} \\((\\d+)\\) starting$`), (m) => cron(unrepr(m[1]!), m[2], 'start')],
  [new RegExp(`^Job ${REPR} \\((\\d+)\\) done in (\\d+\\.\\d+)s$`), (m) => cron(unrepr(m[1]!), m[2], 'done', m[3])],
  [new RegExp(`^Job ${REPR} \\((\\d+)\\) server action #\\d+ failed$`), (m) => cron(unrepr(m[1]!), m[2], 'failed')],
  [new RegExp(`^Job ${REPR} \\((\\d+)\\) timed out$`), (m) => cron(unrepr(m[1]!), m[2], 'failed')],
  // 19: one summary per run
  [
    new RegExp(
      `^Job ${REPR} \\((\\d+)\\) (fully done|partially done|failed) \\(#loop \\d+; done \\d+; remaining \\d+; duration (\\d+\\.\\d+)s\\)$`,
    ),
    (m) => cron(unrepr(m[1]!), m[2], m[3] === 'failed' ? 'failed' : 'done', m[4]),
  ],
  // ≤ 16
  [/^Starting job `(.*)`\.$/, (m) => cron(m[1]!, undefined, 'start')],
  [/^Job `(.*)` done\.$/, (m) => cron(m[1]!, undefined, 'done')],
  [/^Job done: `(.*)` \((\d+\.\d+)s\)\.$/, (m) => cron(m[1]!, undefined, 'done', m[2])],
  [/^Call from cron (.*) for server action #\d+ failed in Job #(\d+)$/, (m) => cron(m[1]!, m[2], 'failed')],
];

function cron(job: string, id: string | undefined, event: CronFields['event'], seconds?: string): CronFields {
  return { job, cronId: id === undefined ? null : Number(id), event, seconds: seconds === undefined ? null : Number(seconds) };
}

function unrepr(quoted: string): string {
  return quoted
    .slice(1, -1)
    .replace(/\\(x[0-9a-f]{2}|.)/g, (_, c: string) =>
      c.length === 3 ? String.fromCharCode(parseInt(c.slice(1), 16)) : c === 'n' ? '\n' : c === 't' ? '\t' : c,
    );
}

function cronEvent(message: string): CronFields | undefined {
  for (const [re, make] of CRON_MESSAGES) {
    const m = re.exec(message);
    if (m) return make(m);
  }
  return undefined;
}
