import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOdooLog, type OdooLogRecord } from './parser';
import { odooLogParseOutput } from './parse-output';

const ZONE = 'Europe/Berlin';
const context = { zone: ZONE, referenceMs: Date.UTC(2026, 2, 10) };
const parse = (text: string) => parseOdooLog(text.split('\n'), context);
const only = (line: string): OdooLogRecord => {
  const { records, rejected } = parse(line);
  expect(rejected).toBe(0);
  expect(records).toHaveLength(1);
  return records[0]!;
};
const H = '2026-03-01 10:00:07,250'; // 09:00:07.250 UTC
const TS = Date.UTC(2026, 2, 1, 9, 0, 7, 250);

describe('werkzeug and gevent request lines', () => {
  it.each([
    [
      'perf triple (Odoo 12 to 18), trailing space, query string dropped',
      '2025-08-21 11:46:04,123 4242 INFO steg_stock werkzeug: 172.18.0.1 - - [21/Aug/2025 11:46:04] "POST /mail/data?x=1 HTTP/1.1" 200 - 30 0.021 0.032 ',
      {
        type: 'request',
        pid: 4242,
        db: 'steg_stock',
        method: 'POST',
        path: '/mail/data',
        status: 200,
        queryCount: 30,
        sqlSeconds: 0.021,
        otherSeconds: 0.032,
      },
    ],
    [
      'no counters (- - -), db ?',
      `${H} 4242 INFO ? werkzeug: 10.0.0.1 - - [01/Mar/2026 10:00:07] "GET /web/static/src/img/logo.png HTTP/1.1" 200 - - - -`,
      { db: null, status: 200, queryCount: null, sqlSeconds: null, otherSeconds: null },
    ],
    [
      'cursor mode column (18+ with a replica)',
      `${H} 4242 INFO acme werkzeug: 10.0.0.1 - - [01/Mar/2026 10:00:07] "POST /web/dataset/call_kw HTTP/1.1" 200 - 12 0.010 0.090 ro->rw`,
      { db: 'acme', queryCount: 12, sqlSeconds: 0.01, otherSeconds: 0.09 },
    ],
    [
      'empty form with the cursor column (- - - -)',
      `${H} 4242 INFO acme werkzeug: 10.0.0.1 - - [01/Mar/2026 10:00:07] "GET /web HTTP/1.1" 304 - - - - -`,
      { status: 304, queryCount: null, sqlSeconds: null },
    ],
    [
      'no suffix (8.0 to 10.0), db with a dash',
      '2017-03-01 10:00:00,000 99 INFO koozic-v2 werkzeug: 10.0.0.1 - - [01/Mar/2017 10:00:00] "POST /web/dataset/call_kw HTTP/1.1" 200 -',
      { db: 'koozic-v2', queryCount: null, sqlSeconds: null },
    ],
    [
      'cut right after the status (pasted)',
      `${H} 7 INFO acme werkzeug: 10.0.0.1 - - [01/Mar/2026 10:00:07] "GET /odoo HTTP/1.1" 502`,
      { status: 502, queryCount: null },
    ],
    [
      'ANSI colours around the level, the request and the perf numbers',
      `${H} 7 \x1b[1;32m\x1b[1;49mINFO\x1b[0m acme werkzeug: 10.0.0.1 - - [01/Mar/2026 10:00:07] "\x1b[33mGET /web HTTP/1.1\x1b[0m" 500 - \x1b[1;31m1500\x1b[0m 0.001 0.002`,
      { status: 500, method: 'GET', path: '/web', queryCount: 1500 },
    ],
    [
      'websocket upgrade (16+)',
      `${H} 12 INFO acme werkzeug: 172.18.0.1 - - [01/Mar/2026 10:00:07] "GET /websocket?version=17.0-3 HTTP/1.1" 101 - 1 0.001 0.018`,
      { status: 101, path: '/websocket' },
    ],
    [
      'uid and rid tokens (post-18)',
      `${H} 5 INFO uid:2 acme rid:abc werkzeug: 10.0.0.1 - - [01/Mar/2026 10:00:07] "GET /odoo HTTP/1.1" 303 - 4 0.002 0.004`,
      { db: 'acme', status: 303, pid: 5 },
    ],
    [
      'gevent longpolling (≤ 15): wall seconds only, no perf',
      `${H} 99 INFO acme longpolling: 10.0.0.1 - - [2026-03-01 10:00:07] "POST /longpolling/poll HTTP/1.1" 200 286 50.037857 `,
      {
        pid: 99,
        db: 'acme',
        method: 'POST',
        path: '/longpolling/poll',
        status: 200,
        queryCount: null,
        sqlSeconds: null,
        otherSeconds: null,
      },
    ],
    [
      'gevent line with status 000 and no length',
      `${H} 99 INFO ? longpolling: 10.0.0.1 - - [2026-03-01 10:00:07] "GET /websocket HTTP/1.1" 000 - 0.001000 `,
      { db: null, status: 0, path: '/websocket' },
    ],
  ])('%s', (_name, line, expected) => {
    expect(only(line)).toMatchObject({ type: 'request', ...expected });
  });

  it('takes the timestamp in the configured zone, to the millisecond', () => {
    expect(only(`${H} 1 INFO acme werkzeug: 1.2.3.4 - - [01/Mar/2026 10:00:07] "GET / HTTP/1.1" 200 - 1 0.001 0.001`).ts).toBe(TS);
  });

  it('keeps a werkzeug line that is not a request (bad request syntax) as a log record', () => {
    expect(only(`${H} 7 INFO ? werkzeug: 10.0.0.1 - - [01/Mar/2026 10:00:07] code 400, message Bad request version ('x') `)).toMatchObject({
      type: 'log',
      logger: 'werkzeug',
    });
  });
});

describe('worker lifecycle (docs/parse-records.md)', () => {
  it.each([
    ['Worker WorkerHTTP (380) alive', 380, 'alive', 380],
    ['Worker WorkerCron (381) alive', 381, 'alive', 381],
    ['Worker (380) exiting. request_count: 8192, registry count: 3.', 380, 'exiting', 380],
    ['Worker (380) max request (8192) reached.', 380, 'max-request', 380],
    ['Worker (380) virtual memory limit (2147483648) reached.', 380, 'memory-limit', 380],
    ['Worker (380) CPU time limit (60) reached.', 380, 'cpu-limit', 380],
    ['WorkerHTTP (697998) timeout after 1200s', 1, 'timeout-kill', 697998],
    ['WorkerCron (4242) timeout after 120s', 1, 'timeout-kill', 4242],
    ['Critial worker error (382)', 1, 'crash', 382],
    ['Worker (383) Exception occured, exiting...', 383, 'crash', 383],
    ['Worker WorkerHTTP (384) Exception occured, exiting...', 384, 'crash', 384],
    ['Evented Service (longpolling) running on 0.0.0.0:8072', 77, 'alive', 77],
    ['LongPolling virtual memory limit reached: 2684354560', 77, 'memory-limit', 77],
    ['Server virtual memory limit (2684354560) reached.', 9, 'memory-limit', 9],
    ['Thread <Thread(odoo.service.http.request.1401, started 1401)> virtual real time limit (121/120s) reached.', 9, 'timeout-kill', 9],
  ])('%s', (message, pid, event, workerPid) => {
    const level = event === 'timeout-kill' && pid === 1 ? 'ERROR' : event === 'crash' && pid === 1 ? 'CRITICAL' : 'INFO';
    expect(only(`${H} ${pid} ${level} ? odoo.service.server: ${message} `)).toEqual({ type: 'worker', ts: TS, pid, event, workerPid });
  });

  it.each([
    'HTTP service (werkzeug) running on 0.0.0.0:8069',
    'Worker (380) Parent changed',
    'Stopping gracefully',
    'Initiating server reload',
  ])('keeps %s as a log record', (message) => {
    expect(only(`${H} 1 INFO ? odoo.service.server: ${message} `)).toMatchObject({ type: 'log', message });
  });
});

describe('cron lines (docs/parse-records.md)', () => {
  const LOGGER = 'odoo.addons.base.models.ir_cron';
  it.each([
    [
      '≤ 15 start',
      'Starting job `Mail: Email Queue Manager`.',
      { job: 'Mail: Email Queue Manager', cronId: null, event: 'start', seconds: null },
    ],
    ['≤ 15 done', 'Job `Mail: Email Queue Manager` done.', { cronId: null, event: 'done', seconds: null }],
    ['16 done with duration', 'Job done: `Mail: Email Queue Manager` (0.412s).', { event: 'done', seconds: 0.412 }],
    ['17 start', "Job 'Mail: Email Queue Manager' (3) starting", { cronId: 3, event: 'start' }],
    ['17 done', "Job 'Mail: Email Queue Manager' (3) done in 1.250s", { cronId: 3, event: 'done', seconds: 1.25 }],
    ['17 failure', "Job 'Fetchmail' (7) server action #42 failed", { job: 'Fetchmail', cronId: 7, event: 'failed', seconds: null }],
    ['a name with a quote (repr in double quotes)', `Job "Partner's digest" (9) done in 0.001s`, { job: "Partner's digest", cronId: 9 }],
    ['a name with both quotes', `Job 'It\\'s "x"' (9) starting`, { job: `It's "x"`, event: 'start' }],
    ['19 fully done', "Job 'Fetchmail' (7) fully done (#loop 1; done 0; remaining 0; duration 0.53s)", { event: 'done', seconds: 0.53 }],
    [
      '19 partially done',
      "Job 'Fetchmail' (7) partially done (#loop 10; done 500; remaining 20; duration 61.00s)",
      { event: 'done', seconds: 61 },
    ],
    ['19 failed', "Job 'Fetchmail' (7) failed (#loop 1; done 0; remaining 0; duration 2.10s)", { event: 'failed', seconds: 2.1 }],
    ['19 timed out', "Job 'Fetchmail' (7) timed out", { event: 'failed', seconds: null }],
    [
      '11 to 15 failure',
      'Call from cron Fetchmail for server action #42 failed in Job #7',
      { job: 'Fetchmail', cronId: 7, event: 'failed' },
    ],
  ])('%s', (_name, message, expected) => {
    expect(only(`${H} 31 INFO acme ${LOGGER}: ${message} `)).toMatchObject({ type: 'cron', ts: TS, db: 'acme', ...expected });
  });

  it('reads the 11.0 logger name too, and keeps 18 progress lines as log records', () => {
    expect(only(`${H} 31 INFO acme odoo.addons.base.ir.ir_cron: Starting job \`X\`. `)).toMatchObject({ type: 'cron', event: 'start' });
    expect(only(`${H} 31 INFO acme ${LOGGER}: Job 'X' (3) processed 5 records, 0 records remaining `)).toMatchObject({ type: 'log' });
    expect(only(`${H} 31 INFO acme ${LOGGER}: Job 'X' (3) completed `)).toMatchObject({ type: 'log' });
  });
});

describe('prefixes and the syslog format', () => {
  const werkzeug = `${H} 12 INFO acme werkzeug: 10.0.0.1 - - [01/Mar/2026 10:00:07] "GET /web HTTP/1.1" 200 - 3 0.001 0.002`;
  it.each([
    ['docker-compose v1', `odoo_1           | ${werkzeug}`],
    ['docker compose v2', `odoo-1  | ${werkzeug}`],
    ['docker logs -t', `2026-03-01T09:00:07.250123456Z ${werkzeug}`],
    ['kubectl logs --prefix', `[pod/odoo-7d9f/odoo] ${werkzeug}`],
    ['journald short', `Mar 01 10:00:07 erp1 odoo[12]: ${werkzeug}`],
    ['journald short-iso', `2026-03-01T10:00:07+0100 erp1 odoo[12]: ${werkzeug}`],
    ['markdown quote', `> ${werkzeug}`],
    ['markdown quote around a compose prefix', `> odoo_1  | ${werkzeug}`],
    ['markdown indented code', `    ${werkzeug}`],
  ])('%s', (_name, line) => {
    expect(only(line)).toMatchObject({ type: 'request', ts: TS, pid: 12, db: 'acme', status: 200, queryCount: 3 });
  });

  it.each([
    [
      'rsyslog traditional (no year, the configured zone)',
      'Mar  1 10:00:07 erp1 Odoo Server 17.0:acme:INFO:werkzeug:',
      Date.UTC(2026, 2, 1, 9, 0, 7),
      null,
    ],
    ['journald with a tag and pid', 'Mar 01 10:00:07.250 erp1 odoo[812]: Odoo Server 17.0:acme:INFO:werkzeug:', TS, 812],
    ['RFC 3339 with an offset', '2026-03-01T10:00:07.250+01:00 erp1 odoo[812]: Odoo Server 17.0+e:acme:INFO:werkzeug:', TS, 812],
    ['RFC 3339 in UTC', '2026-03-01T09:00:07.250Z erp1 Odoo Server saas~17.1:acme:INFO:werkzeug:', TS, null],
    ['with the PRI in front', '<14>Mar  1 10:00:07 erp1 Odoo Server 10.0:acme:INFO:werkzeug:', Date.UTC(2026, 2, 1, 9, 0, 7), null],
  ])('syslog: %s', (_name, head, ts, pid) => {
    const line = `${head}10.0.0.1 - - [01/Mar/2026 10:00:07] "GET /web HTTP/1.1" 200 - 3 0.001 0.002`;
    expect(only(line)).toMatchObject({ type: 'request', ts, pid, db: 'acme', status: 200, sqlSeconds: 0.001 });
  });

  it('syslog: ? as no db, worker events, #012 newlines and the trailing NUL', () => {
    expect(only('Mar  1 10:00:07 erp1 Odoo Server 17.0:?:ERROR:odoo.service.server:WorkerHTTP (4242) timeout after 120s')).toMatchObject({
      type: 'worker',
      event: 'timeout-kill',
      workerPid: 4242,
      pid: null,
    });
    expect(
      only(
        'Mar  1 10:00:07 erp1 Odoo Server 17.0:acme:ERROR:odoo.http:Exception during request handling.#012Traceback (most recent call last):#012  File "x"#000',
      ),
    ).toMatchObject({
      type: 'log',
      db: 'acme',
      message: 'Exception during request handling.\nTraceback (most recent call last):\n  File "x"',
    });
  });

  it('a December syslog line read in January belongs to the year before', () => {
    const r = parseOdooLog(['Dec 31 23:59:00 erp1 Odoo Server 17.0:acme:INFO:odoo.modules.registry:Registry loaded in 1.000s'], {
      zone: 'UTC',
      referenceMs: Date.UTC(2027, 0, 1, 0, 5),
    });
    expect(r.records[0]!.ts).toBe(Date.UTC(2026, 11, 31, 23, 59));
  });
});

describe('multi-line records', () => {
  it('joins a traceback with chained exceptions, blank lines and ^^^ lines; drops trailing blanks', () => {
    const text = [
      `${H} 12 ERROR acme odoo.http: Exception during request handling. `,
      'Traceback (most recent call last):',
      '  File "/odoo/http.py", line 2, in dispatch',
      '    result = self.endpoint(**args)',
      '             ^^^^^^^^^^^^^^^^^^^^^',
      'KeyError: 1',
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      '\tpsycopg2 detail',
      '',
      '',
      `${H} 12 INFO acme werkzeug: 10.0.0.1 - - [01/Mar/2026 10:00:07] "GET /web HTTP/1.1" 500 - 3 0.001 0.002`,
    ].join('\n');
    const { records, rejected } = parse(text);
    expect(rejected).toBe(0);
    expect(records.map((r) => r.type)).toEqual(['log', 'request']);
    expect((records[0] as { message: string }).message).toBe(
      'Exception during request handling.\nTraceback (most recent call last):\n  File "/odoo/http.py", line 2, in dispatch\n    result = self.endpoint(**args)\n             ^^^^^^^^^^^^^^^^^^^^^\nKeyError: 1\n\nDuring handling of the above exception, another exception occurred:\n\nTraceback (most recent call last):\n\tpsycopg2 detail',
    );
  });

  it('attaches a bad query block, and strips the container prefix from its lines', () => {
    const text = [
      `odoo_1  | ${H} 12 ERROR acme odoo.sql_db: bad query: SELECT 1 FROM x `,
      'odoo_1  | ERROR: relation "x" does not exist',
      'odoo_1  | LINE 1: SELECT 1 FROM x',
    ].join('\n');
    expect(only(text)).toMatchObject({
      type: 'log',
      logger: 'odoo.sql_db',
      message: 'bad query: SELECT 1 FROM x\nERROR: relation "x" does not exist\nLINE 1: SELECT 1 FROM x',
    });
  });

  it('keeps a pipe in a continuation of an unprefixed record', () => {
    const text = `${H} 12 INFO acme odoo.models: table \nname | value`;
    expect(only(text)).toMatchObject({ message: 'table\nname | value' });
  });

  it('lets a crash or a failed cron job carry its traceback', () => {
    const text = [
      `${H} 380 ERROR ? odoo.service.server: Worker (380) Exception occured, exiting... `,
      'Traceback (most recent call last):',
      `${H} 31 ERROR acme odoo.addons.base.models.ir_cron: Job 'X' (3) server action #4 failed `,
      'Traceback (most recent call last):',
      'ValueError',
    ].join('\n');
    const { records, rejected } = parse(text);
    expect(rejected).toBe(0);
    expect(records.map((r) => r.type)).toEqual(['worker', 'cron']);
  });

  it('rejects a continuation with no record before it, or after a request', () => {
    const text = [
      'Traceback (most recent call last):',
      `${H} 12 INFO acme werkzeug: 10.0.0.1 - - [01/Mar/2026 10:00:07] "GET /web HTTP/1.1" 200 - 3 0.001 0.002`,
      'stray line',
    ].join('\n');
    expect(parse(text)).toMatchObject({ rejected: 2, records: [{ type: 'request' }] });
  });

  it('takes a leading continuation as part of the record before a checkpoint when resumed', () => {
    expect(parseOdooLog(['  File "x", line 1', 'KeyError: 1'], context, { resumed: true })).toEqual({ records: [], rejected: 0 });
  });

  it('treats a header with an impossible date as a continuation', () => {
    expect(parse('2026-13-45 10:00:00,000 1 INFO acme odoo: x')).toEqual({ records: [], rejected: 1 });
  });
});

describe('parse output', () => {
  it('prints each type with exactly its fields, times in ISO 8601 UTC', () => {
    const text = [
      `${H} 12 INFO acme werkzeug: 10.0.0.1 - - [01/Mar/2026 10:00:07] "GET /web HTTP/1.1" 200 - 3 0.001 0.002`,
      `${H} 1 ERROR ? odoo.service.server: WorkerHTTP (12) timeout after 120s `,
      `${H} 31 INFO acme odoo.addons.base.models.ir_cron: Job 'X' (3) done in 0.100s `,
      `${H} 1 WARNING ? odoo.modules.loading: hello `,
    ].join('\n');
    const ts = '2026-03-01T09:00:07.250Z';
    expect(odooLogParseOutput(text, context)).toEqual({
      rejected: 0,
      records: [
        {
          type: 'request',
          ts,
          pid: 12,
          db: 'acme',
          method: 'GET',
          path: '/web',
          status: 200,
          queryCount: 3,
          sqlSeconds: 0.001,
          otherSeconds: 0.002,
        },
        { type: 'worker', ts, pid: 1, event: 'timeout-kill', workerPid: 12 },
        { type: 'cron', ts, db: 'acme', job: 'X', cronId: 3, event: 'done', seconds: 0.1 },
        { type: 'log', ts, pid: 1, level: 'WARNING', db: null, logger: 'odoo.modules.loading', message: 'hello' },
      ],
    });
  });
});

describe('any input', () => {
  const line = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ maxLength: 200 }).map((s) => `${H} 1 INFO db werkzeug: ${s}`),
    fc.string({ maxLength: 200 }).map((s) => `${H} 1 INFO db odoo.addons.base.models.ir_cron: ${s}`),
    fc.string({ maxLength: 200 }).map((s) => `Mar  1 10:00:00 h Odoo Server 17.0:db:INFO:odoo.service.server:${s}`),
    fc.string({ maxLength: 100 }).map((s) => `odoo_1 | ${s}`),
  );
  it('gives records or counted rejections, never an exception', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), fc.boolean(), (lines, resumed) => {
        const { records, rejected } = parseOdooLog(lines, context, { resumed });
        expect(records.length + rejected).toBeLessThanOrEqual(lines.length);
        for (const r of records) expect(Number.isFinite(r.ts)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});
