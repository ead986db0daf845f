/**
 * The plain Odoo line read from its bytes: `<date> <time>,<ms> <pid> <LEVEL> <db> <logger>: <message>`
 * and, for werkzeug, the request in its message. This is most of every log, and reading it as
 * bytes makes no string but the ones a record keeps. Each reader accepts only a line the general
 * parser (parser.ts, regular expressions) reads the very same way, and says no (false) to anything
 * else: a byte outside printable ASCII, a `uid:`/`rid:` field, two spaces where one is expected. The
 * general parser then reads the line; the fast one never guesses.
 */

import { isAscii } from 'node:buffer';

const SPACE = 0x20;
const COLON = 0x3a;
const QUOTE = 0x22;

export const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;

/** Where a header's fields are; filled in place so no object is made per line. */
export interface HeaderFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  pid: number;
  level: (typeof LEVELS)[number];
  dbStart: number;
  dbEnd: number;
  loggerStart: number;
  loggerEnd: number;
  messageStart: number;
  messageEnd: number;
}

export function headerFields(): HeaderFields {
  return {
    ...{ year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, millisecond: 0, pid: 0, level: 'INFO' },
    ...{ dbStart: 0, dbEnd: 0, loggerStart: 0, loggerEnd: 0, messageStart: 0, messageEnd: 0 },
  };
}

/**
 * The bytes the general parser's regular expressions read apart from the others: whitespace but
 * the space (`\S`, `trim`), \r (`.`), ESC (colour codes). Any other ASCII byte is a non-space
 * character to them, as to the readers here; a byte past ASCII sends the line to the general parser.
 */
const SPECIAL = [0x09, 0x0b, 0x0c, 0x0d, 0x1b];

/** No special byte and nothing past ASCII in [start, end): a line the readers here may take. */
export function isPlainAscii(b: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c > 0x7f || (c < 0x20 && SPECIAL.includes(c))) return false;
  }
  return true;
}

/**
 * isPlainAscii for the lines of one buffer, taken in order: when the whole buffer is ASCII (one
 * native check), by native searches for the special bytes instead of a look at every byte.
 */
export class PlainLines {
  private readonly ascii: boolean;
  private readonly next: number[];

  constructor(private readonly b: Buffer) {
    this.ascii = isAscii(b);
    this.next = SPECIAL.map(() => -1);
  }

  isPlain(start: number, end: number): boolean {
    if (!this.ascii) return isPlainAscii(this.b, start, end);
    for (let k = 0; k < SPECIAL.length; k++) {
      let at = this.next[k]!;
      if (at < start) {
        at = this.b.indexOf(SPECIAL[k]!, start);
        this.next[k] = at = at < 0 ? Infinity : at;
      }
      if (at < end) return false;
    }
    return true;
  }
}

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
/** `\w` of a regular expression without the u flag. */
const isWord = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;

function digits(b: Buffer, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const c = b[i];
    if (!isDigit(c)) return -1;
    n = n * 10 + c! - 0x30;
  }
  return n;
}

/** The next space at or after `at` before `end`, or `end`: where a token ends. */
export function nextSpace(b: Buffer, at: number, end: number): number {
  let i = at;
  while (i < end && b[i] !== SPACE) i++;
  return i;
}

/** Which of LEVELS starts at `at` (by its first letter, then the rest), or -1. */
function levelAt(b: Buffer, at: number, end: number): number {
  const first = b[at];
  const level = first === 0x49 ? 1 : first === 0x57 ? 2 : first === 0x45 ? 3 : first === 0x44 ? 0 : first === 0x43 ? 4 : -1;
  return level >= 0 && startsWith(b, at, end, (LEVELS as readonly string[])[level]!) ? level : -1;
}

const startsWith = (b: Buffer, at: number, end: number, text: string): boolean => {
  if (end - at < text.length) return false;
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text.charCodeAt(i)) return false;
  return true;
};

/**
 * Reads the header of a plain line in [start, end) (printable ASCII, checked by the caller) into
 * `h`; false when the line is not exactly that shape. The date is not checked for being real.
 */
export function readHeader(b: Buffer, start: number, end: number, h: HeaderFields): boolean {
  // `YYYY-MM-DD HH:MM:SS,mmm ` is 24 bytes
  if (end - start < 26) return false;
  const p = start;
  if (b[p + 4] !== 0x2d || b[p + 7] !== 0x2d || b[p + 10] !== SPACE || b[p + 13] !== COLON || b[p + 16] !== COLON) return false;
  if (b[p + 19] !== 0x2c || b[p + 23] !== SPACE) return false;
  h.year = digits(b, p, 4);
  h.month = digits(b, p + 5, 2);
  h.day = digits(b, p + 8, 2);
  h.hour = digits(b, p + 11, 2);
  h.minute = digits(b, p + 14, 2);
  h.second = digits(b, p + 17, 2);
  h.millisecond = digits(b, p + 20, 3);
  if (h.year < 0 || h.month < 0 || h.day < 0 || h.hour < 0 || h.minute < 0 || h.second < 0 || h.millisecond < 0) return false;
  // pid: digits, at most 15 so the number is exact
  let i = p + 24;
  let pid = 0;
  const pidStart = i;
  while (i < end && isDigit(b[i])) pid = pid * 10 + b[i++]! - 0x30;
  if (i === pidStart || i - pidStart > 15 || b[i] !== SPACE) return false;
  h.pid = pid;
  i += 1;
  const level = levelAt(b, i, end);
  if (level < 0) return false;
  h.level = LEVELS[level]!;
  i += LEVELS[level]!.length;
  if (b[i] !== SPACE || startsWith(b, i + 1, end, 'uid:')) return false;
  h.dbStart = i + 1;
  h.dbEnd = nextSpace(b, h.dbStart, end);
  if (h.dbEnd === h.dbStart || h.dbEnd >= end) return false;
  i = h.dbEnd + 1;
  if (startsWith(b, i, end, 'rid:')) return false;
  h.loggerStart = i;
  while (i < end && (isWord(b[i]!) || b[i] === 0x2e || b[i] === 0x2d)) i++;
  if (i === h.loggerStart || b[i] !== COLON) return false;
  h.loggerEnd = i;
  i += 1;
  if (b[i] === SPACE) i += 1;
  h.messageStart = i;
  h.messageEnd = end;
  return true;
}

/** Where a werkzeug request's fields are, and its numbers. */
export interface RequestFields {
  methodStart: number;
  methodEnd: number;
  /** The target up to its query string. */
  pathStart: number;
  pathEnd: number;
  status: number;
  /** Where the tokens after the size start (query count, SQL and other seconds), -1 when absent. */
  countAt: number;
  sqlAt: number;
  otherAt: number;
}

export function requestFields(): RequestFields {
  return { methodStart: 0, methodEnd: 0, pathStart: 0, pathEnd: 0, status: 0, countAt: -1, sqlAt: -1, otherAt: -1 };
}

/**
 * werkzeug's `<addr> - - [<date>] "<request>" <status> <size> [<count> <sql s> <other s> ...]` in
 * [start, end) (the message without its one trailing space), as parser.ts's WERKZEUG and
 * REQUEST_LINE read it; false for anything they might read otherwise.
 */
export function readWerkzeug(b: Buffer, start: number, end: number, r: RequestFields): boolean {
  // three tokens, then `[`
  let i = start;
  for (let token = 0; token < 3; token++) {
    const space = nextSpace(b, i, end);
    if (space === i || space >= end) return false;
    i = space + 1;
  }
  // [dd/Www/yyyy[ :]hh:mm:ss
  if (end - i < 22 || b[i] !== 0x5b || b[i + 3] !== 0x2f || b[i + 7] !== 0x2f) return false;
  if (digits(b, i + 1, 2) < 0 || !isWord(b[i + 4]!) || !isWord(b[i + 5]!) || !isWord(b[i + 6]!) || digits(b, i + 8, 4) < 0) return false;
  if ((b[i + 12] !== SPACE && b[i + 12] !== COLON) || b[i + 15] !== COLON || b[i + 18] !== COLON) return false;
  if (digits(b, i + 13, 2) < 0 || digits(b, i + 16, 2) < 0 || digits(b, i + 19, 2) < 0) return false;
  const close = b.indexOf(0x5d, i + 21);
  if (close < 0 || close + 2 >= end || b[close + 1] !== SPACE || b[close + 2] !== QUOTE) return false;
  const requestStart = close + 3;
  // the request ends at the last quote; after it: ` <3 digits>` and ` <token>` groups
  const quote = b.lastIndexOf(QUOTE, end - 1);
  if (quote < requestStart || end - quote < 5 || b[quote + 1] !== SPACE) return false;
  r.status = digits(b, quote + 2, 3);
  if (r.status < 0) return false;
  // the tail: single spaces between non-empty tokens, none at the end; the size, then the query
  // count, SQL and other seconds (the general parser looks at those three only)
  r.countAt = r.sqlAt = r.otherAt = -1;
  let token = 0;
  for (let t = quote + 5; t < end; token++) {
    if (b[t] !== SPACE || t + 1 >= end || b[t + 1] === SPACE) return false;
    if (token === 1) r.countAt = t + 1;
    else if (token === 2) r.sqlAt = t + 1;
    else if (token === 3) r.otherAt = t + 1;
    t = nextSpace(b, t + 1, end);
  }
  // `METHOD target[ version]`
  r.methodStart = requestStart;
  i = requestStart;
  const first = b[i]!;
  if (!(first >= 0x41 && first <= 0x5a)) return false;
  while (i < quote && ((b[i]! >= 0x41 && b[i]! <= 0x5a) || b[i] === 0x5f || b[i] === 0x2d)) i++;
  if (i >= quote || b[i] !== SPACE) return false;
  r.methodEnd = i;
  const targetStart = i + 1;
  const targetEnd = nextSpace(b, targetStart, quote);
  if (targetEnd === targetStart) return false;
  if (targetEnd < quote) {
    const versionEnd = nextSpace(b, targetEnd + 1, quote);
    if (versionEnd === targetEnd + 1 || versionEnd !== quote) return false;
  }
  r.pathStart = targetStart;
  const q = b.indexOf(0x3f, targetStart);
  r.pathEnd = q >= 0 && q < targetEnd ? q : targetEnd;
  return true;
}

/**
 * The number a COUNT (`\d+`) or SECONDS (`\d+(\.\d+)?`) token in [start, end) stands for, exactly
 * as Number() reads its text; NaN when it is neither. Up to 15 digits the digits divided by a power
 * of ten is that number (both exact, one correctly rounded division); longer ones go through Number.
 */
export function decimal(b: Buffer, start: number, end: number, fraction: boolean): number {
  let n = 0;
  let i = start;
  while (i < end && isDigit(b[i])) n = n * 10 + b[i++]! - 0x30;
  if (i === start) return NaN;
  let scale = 1;
  if (i < end) {
    if (!fraction || b[i] !== 0x2e || i + 1 >= end) return NaN;
    const dot = i++;
    while (i < end && isDigit(b[i])) {
      n = n * 10 + b[i++]! - 0x30;
      scale *= 10;
    }
    if (i < end || i === dot + 1) return NaN;
  }
  if (end - start > 15) return Number(b.toString('latin1', start, end));
  return n / scale;
}
