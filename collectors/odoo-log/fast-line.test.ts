import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OdooLogParser, plainLineRecord, type OdooLogRecord } from './parser';

/**
 * The byte reader of plain lines (fast-line.ts) against the general parser (regular expressions):
 * on random lines in the real formats, and on the same lines bent (spaces doubled, uid/rid fields,
 * quotes, non-ASCII, colour codes, impossible dates, DST gaps), whatever the fast reader returns is
 * exactly what the general parser makes of the line, and a whole buffer read as bytes gives the
 * records and rejections the lines give one by one.
 */
const context = { zone: 'Europe/Berlin', referenceMs: Date.UTC(2026, 10, 3) };

const general = (line: string): { records: OdooLogRecord[]; rejected: number } => {
  const parser = new OdooLogParser(context);
  parser.line(line);
  return parser.result();
};

const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
const date = fc.oneof(
  fc.tuple(fc.constantFrom('2026', '2025', '1999', '0000', '9999'), two(19), two(39)).map(([y, m, d]) => `${y}-${m}-${d}`),
  // the DST change days of Europe/Berlin: a skipped hour and a repeated one
  fc.constantFrom('2026-03-29', '2026-10-25', '2026-11-02'),
);
const time = fc
  .tuple(two(29), two(69), two(69), fc.integer({ min: 0, max: 999 }))
  .map(([h, m, s, ms]) => `${h}:${m}:${s},${String(ms).padStart(3, '0')}`);
const goodTime = fc
  .tuple(two(23), two(59), two(59), fc.integer({ min: 0, max: 999 }))
  .map(([h, m, s, ms]) => `${h}:${m}:${s},${String(ms).padStart(3, '0')}`);
const pid = fc.oneof(fc.integer({ min: 1, max: 99999 }).map(String), fc.constantFrom('0', '007', '1234567890123456789'));
const level = fc.oneof(fc.constantFrom('DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'), fc.constantFrom('INFOX', 'info', 'WARN'));
const db = fc.constantFrom('?', 'db_t1', 'db_t2', 'a-b.c', 'x"y', 'dé', 'uid:5', 'rid:1', '', 'a\x01b', 'a\tb', 'a\u00a0b');
const logger = fc.constantFrom(
  'werkzeug',
  'werkzeug',
  'werkzeug',
  'longpolling',
  'odoo.service.server',
  'odoo.addons.base.models.ir_cron',
  'odoo.http',
  'werkzeugs',
  'werk zeug',
);
const colon = fc.constantFrom(': ', ': ', ':', ':  ');
const token = fc.constantFrom('-', '10.0.0.1', '172.18.0.1', 'x', '');
const wdate = fc.constantFrom(
  '21/Aug/2025 11:46:04',
  '02/Nov/2026:10:00:00 +0000',
  '2/Nov/2026 10:00:00',
  '21/Aug/2025 11:46:04]x',
  '21/A_g/2025 11:46:04',
);
const method = fc.constantFrom('GET', 'POST', 'HEAD', 'M-SEARCH', 'get', '_X', 'P');
const target = fc.constantFrom(
  '/web',
  '/web/dataset/call_kw',
  '/a?b=1',
  '/longpolling/poll',
  '/websocket',
  '/x"y',
  '/ü',
  '?',
  '',
  '/\x7f',
  '/a\x0cb',
  '/a\x00',
);
const version = fc.constantFrom(' HTTP/1.1', ' HTTP/1.0', '', ' HTTP/1.1 extra', ' ');
const status = fc.constantFrom('200', '404', '500', '303', '2000', '20x', '99');
const tailToken = fc.constantFrom(
  ' -',
  ' 12',
  ' 0',
  ' 0.010',
  ' 1.5',
  ' x',
  '  ',
  ' 1e3',
  ' 123456789012345678',
  ' 0.1234567890123456789',
  ' .5',
  ' 5.',
  ' 3',
);
const tail = fc.array(tailToken, { maxLength: 6 }).map((t) => t.join(''));
const werkzeugMessage = fc
  .tuple(token, token, token, wdate, method, target, version, status, tail, fc.constantFrom('', '', ' ', '  ', '"'))
  .map(([a, b, c, w, m, t, v, s, rest, end]) => `${a} ${b} ${c} [${w}] "${m} ${t}${v}" ${s}${rest}${end}`);
const otherMessage = fc.oneof(
  fc.constantFrom(
    'Worker WorkerHTTP (15) alive',
    "Job 'Mail: Fetchmail Service' (12) done in 1.110s",
    'Worker (17) max request (8192) reached.',
  ),
  fc.string({ maxLength: 30 }),
);
const wrap = fc.constantFrom('', '', '', '\r', '\x1b[0m', ' ', '\t', '\v', '\f', '\x00', '\x7f', '\u00a0', '\u2028');

const line = fc
  .tuple(
    date,
    time,
    pid,
    level,
    fc.constantFrom('', ' uid:2'),
    db,
    fc.constantFrom('', ' rid:x'),
    logger,
    colon,
    fc.oneof(werkzeugMessage, otherMessage),
    wrap,
    wrap,
  )
  .map(
    ([d, t, p, l, uid, name, rid, log, c, message, before, after]) =>
      `${before}${d} ${t} ${p} ${l}${uid} ${name}${rid} ${log}${c}${message}${after}`,
  );

// Odoo 17's own lines, nothing bent: the fast reader must take every one of them.
const plainLine = fc
  .tuple(
    fc.constantFrom('2026-11-02', '2026-10-25', '2026-03-29'),
    goodTime,
    fc.integer({ min: 1, max: 99999 }),
    fc.constantFrom('INFO', 'WARNING'),
    fc.constantFrom('db_t1', '?'),
  )
  .chain(([d, t, p, l, name]) =>
    fc
      .tuple(
        fc.constantFrom('GET', 'POST'),
        fc.constantFrom('/web', '/a?b=1', '/longpolling/poll'),
        fc.constantFrom('200', '500'),
        fc.constantFrom(' - 3 0.010 0.020', ' -', ' - - - -'),
      )
      .map(
        ([m, path, s, perf]) =>
          `${d} ${t} ${p} ${l} ${name} werkzeug: 10.0.0.1 - - [02/Nov/2026 10:00:00] "${m} ${path} HTTP/1.1" ${s}${perf} `,
      ),
  );

describe('Odoo log lines read from bytes', () => {
  it('gives what the general parser gives, line by line', () => {
    fc.assert(
      fc.property(line, (text) => {
        const fast = plainLineRecord(Buffer.from(text, 'utf8'), context);
        if (fast !== undefined) expect(general(text)).toEqual({ records: [fast], rejected: 0 });
      }),
      { numRuns: 5000 },
    );
  });

  it('takes every plain Odoo 17 request line itself', () => {
    fc.assert(
      fc.property(plainLine, (text) => {
        const fast = plainLineRecord(Buffer.from(text, 'utf8'), context);
        expect(fast?.type).toBe('request');
        expect(general(text)).toEqual({ records: [fast], rejected: 0 });
      }),
    );
  });

  it('reads a whole buffer as the lines one by one, tracebacks and blank lines included', () => {
    const any = fc.oneof(
      line,
      plainLine,
      fc.constantFrom('', 'Traceback (most recent call last):', '  File "x.py", line 1', 'KeyError: 1', '```'),
    );
    fc.assert(
      fc.property(fc.array(any, { maxLength: 25 }), fc.boolean(), (lines, resumed) => {
        const byLine = new OdooLogParser(context, { resumed });
        for (const text of lines) byLine.line(text);
        const byBytes = new OdooLogParser(context, { resumed });
        byBytes.bytes(Buffer.from(lines.join('\n'), 'utf8'));
        expect(byBytes.result()).toEqual(byLine.result());
      }),
      { numRuns: 1000 },
    );
  });
});
