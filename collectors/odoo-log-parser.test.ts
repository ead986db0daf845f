import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOdooLogLine, type OdooRequestRecord } from './odoo-log-parser';

const ZONE = 'Europe/Berlin';
const request = (line: string) => {
  const parsed = parseOdooLogLine(line, ZONE);
  expect(parsed?.kind).toBe('record');
  const record = (parsed as { record: OdooRequestRecord }).record;
  expect(record.type).toBe('request');
  return record;
};

describe('parseOdooLogLine: werkzeug request lines', () => {
  it.each([
    [
      'perf triple (Odoo 12 to 18)',
      '2025-08-21 11:46:04,123 4242 INFO steg_stock werkzeug: 172.18.0.1 - - [21/Aug/2025 11:46:04] "POST /mail/data HTTP/1.1" 200 - 30 0.021 0.032 ',
      { db: 'steg_stock', method: 'POST', path: '/mail/data', status: 200, queryCount: 30, sqlSeconds: 0.021, otherSeconds: 0.032, pid: 4242 },
    ],
    [
      'no counters (- - -), db ?',
      '2025-08-21 11:46:04,123 4242 INFO ? werkzeug: 10.0.0.1 - - [21/Aug/2025 11:46:04] "GET /web/static/src/img/logo.png HTTP/1.1" 200 - - - -',
      { db: null, status: 200, queryCount: null, sqlSeconds: null, otherSeconds: null },
    ],
    [
      'cursor mode column (18+ with a replica)',
      '2025-08-21 11:46:04,123 4242 INFO acme werkzeug: 10.0.0.1 - - [21/Aug/2025 11:46:04] "POST /web/dataset/call_kw HTTP/1.1" 200 - 12 0.010 0.090 ro->rw',
      { db: 'acme', queryCount: 12, sqlSeconds: 0.01, otherSeconds: 0.09 },
    ],
    [
      'no suffix (8.0 to 10.0)',
      '2017-03-01 10:00:00,000 99 INFO koozic-v2 werkzeug: 10.0.0.1 - - [01/Mar/2017 10:00:00] "POST /web/dataset/call_kw HTTP/1.1" 200 -',
      { db: 'koozic-v2', queryCount: null, sqlSeconds: null },
    ],
    [
      'ANSI colours around the level and the request',
      '2022-01-01 00:00:00,500 7 \x1b[1;32m\x1b[1;49mINFO\x1b[0m acme werkzeug: 10.0.0.1 - - [01/Jan/2022 00:00:00] "\x1b[33mGET /web HTTP/1.1\x1b[0m" 500 - 3 0.001 0.002',
      { status: 500, method: 'GET', path: '/web' },
    ],
    [
      'a docker-compose prefix',
      'odoo_1           | 2024-11-04 02:24:42,941 12 INFO acme werkzeug: 172.18.0.1 - - [04/Nov/2024 02:24:42] "GET /websocket HTTP/1.1" 101 - 1 0.001 0.018',
      { status: 101, path: '/websocket' },
    ],
    [
      'uid and rid tokens (post-18)',
      '2026-01-01 12:00:00,000 5 INFO uid:2 acme rid:abc werkzeug: 10.0.0.1 - - [01/Jan/2026 12:00:00] "GET /odoo HTTP/1.1" 303 - 4 0.002 0.004',
      { db: 'acme', status: 303 },
    ],
  ])('%s', (_name, line, expected) => {
    expect(request(line)).toMatchObject(expected);
  });

  it('takes the timestamp in the configured zone, to the millisecond', () => {
    const r = request('2026-07-01 12:00:00,250 1 INFO acme werkzeug: 1.2.3.4 - - [01/Jul/2026 12:00:00] "GET / HTTP/1.1" 200 - 1 0.001 0.001');
    expect(new Date(r.ts).toISOString()).toBe('2026-07-01T10:00:00.250Z');
  });
});

describe('parseOdooLogLine: other lines', () => {
  it('keeps a non-werkzeug line as a log record without its trailing space', () => {
    const parsed = parseOdooLogLine('2024-11-04 02:24:42,941 1 INFO ? odoo.service.server: Worker WorkerHTTP (380) alive ', ZONE);
    expect(parsed).toEqual({
      kind: 'record',
      record: { type: 'log', ts: Date.UTC(2024, 10, 4, 1, 24, 42, 941), pid: 1, level: 'INFO', db: null, logger: 'odoo.service.server', message: 'Worker WorkerHTTP (380) alive' },
    });
  });

  it('calls a traceback line a continuation', () => {
    expect(parseOdooLogLine('Traceback (most recent call last):', ZONE)).toEqual({ kind: 'continuation', text: 'Traceback (most recent call last):' });
    expect(parseOdooLogLine('    ^^^^^^^^^^', ZONE)?.kind).toBe('continuation');
  });

  it('skips an empty line', () => {
    expect(parseOdooLogLine('', ZONE)).toBeUndefined();
  });

  it('never throws, whatever the line', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (line) => {
        parseOdooLogLine(line, ZONE);
        parseOdooLogLine(`2026-01-01 00:00:00,000 1 INFO db werkzeug: ${line}`, ZONE);
      }),
      { numRuns: 2000 },
    );
  });
});
