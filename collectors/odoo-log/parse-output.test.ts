import { describe, expect, it } from 'vitest';
import { odooLogNdjson, odooLogParseOutput } from './parse-output';

const context = { zone: 'Europe/Berlin', referenceMs: Date.UTC(2026, 10, 3) };

/** What `parse odoo-log` printed before it read bytes: JSON.stringify of each output record. */
const expected = (text: string) => {
  const { records, rejected } = odooLogParseOutput(text, context);
  return { ndjson: records.map((r) => `${JSON.stringify(r)}\n`).join(''), counts: { records: records.length, rejected } };
};
const ndjson = (bytes: Buffer) => {
  let out = '';
  const counts = odooLogNdjson(bytes, context, (text) => (out += text));
  return { ndjson: out, counts };
};

// every kind of record, tracebacks, a wrapped line, a rejected continuation, times across minutes
const LINES = [
  'Traceback (most recent call last):',
  '2026-11-02 10:00:59,999 4242 INFO db_t1 werkzeug: 10.0.0.1 - - [02/Nov/2026 10:00:59] "POST /web/dataset/call_kw?x=1 HTTP/1.1" 200 - 30 0.021 0.032 ',
  '2026-11-02 10:01:00,000 4242 INFO ? werkzeug: 10.0.0.1 - - [02/Nov/2026 10:01:00] "GET /a\\"b HTTP/1.1" 404 - - - - ',
  '2026-11-02 10:01:00,007 15 INFO ? odoo.service.server: Worker WorkerHTTP (15) alive ',
  "2026-11-02 10:01:03,140 34 INFO db_t4 odoo.addons.base.models.ir_cron: Job 'Mail: Fetchmail Service' (12) done in 1.110s ",
  '2026-11-02 10:01:04,250 34 ERROR db_t4 odoo.http: Exception during request handling. ',
  'Traceback (most recent call last):',
  '  File "odoo/http.py", line 1, in x',
  'KeyError: "é"',
  'odoo-1  | 2026-11-02 10:01:05,000 4242 WARNING db_t2 odoo.models: wrapped ',
];

describe('parse odoo-log from bytes', () => {
  it('prints what the text path printed, byte for byte', () => {
    const text = `${LINES.join('\n')}\n`;
    expect(ndjson(Buffer.from(text))).toEqual(expected(text));
  });

  it('keeps a traceback with its record across the pieces a large file is read in', () => {
    // over 1 MiB of lines: the generic record's message gains lines read in a later piece
    const text = Array.from({ length: 3000 }, () => LINES.slice(1).join('\n')).join('\n');
    expect(Buffer.byteLength(text)).toBeGreaterThan(2 << 20);
    expect(ndjson(Buffer.from(text))).toEqual(expected(text));
  });

  it('reads text that is not UTF-8 as the text path did (U+FFFD)', () => {
    const bytes = Buffer.concat([Buffer.from(`${LINES[1]}\n`), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from(LINES[5]!)]);
    expect(ndjson(bytes)).toEqual(expected(bytes.toString('utf8')));
  });
});
