import { appendFileSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectorRunner } from '../collectors/runner';
import { parseOdooLog } from '../collectors/odoo-log/parser';
import { utf8Lines, withoutLines } from '../collectors/lib/utf8-lines';
import { buildApi } from '../services/api/app';
import type { Fleet } from '../services/config/fleet-types';
import { ManualClock } from '../services/core/clock';
import { createToken } from '../services/auth/token-store';
import { silentLogger } from '../services/core/logger';
import { createMetricsRegistry, type MetricsEndpoint } from '../services/metrics/registry';
import { PartitionKeeper } from '../services/storage/partitions';
import { buildFleet } from './helpers/fleet-builder';
import { testFleetSpec } from './helpers/fleets';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

// A line that parses but cannot be stored must not stop the tail or fail a pushed batch: it is
// rejected and counted with its reason, and every good line around it is stored.

// [what, the line (bytes: one kind is not UTF-8), the reason it is counted under]
const POISON: [string, Buffer, string][] = [
  ['a pid of 2^31', line({ pid: '2147483648' }), 'number_out_of_range'],
  ['a pid of 1e+26', line({ pid: '1'.padEnd(27, '0') }), 'number_out_of_range'],
  ['a NUL in the database name', line({ db: 'db_\u0000t1' }), 'invalid_text'],
  [
    'a database name that is not UTF-8',
    Buffer.concat([line({ db: 'db_' }).subarray(0, 29), Buffer.from([0xff, 0xfe]), line({ db: 'db_' }).subarray(29)]),
    'invalid_utf8',
  ],
  ['an SQL duration of 1e300 s', line({ sql: `1${'0'.repeat(300)}.0` }), 'number_out_of_range'],
  ['a query count past int4', line({ queries: '99999999999' }), 'number_out_of_range'],
  ['a timestamp in year 0000', line({ date: '0000-01-01' }), 'time_out_of_range'],
];

/** A werkzeug request line of db_t1 (or what the fields say), local Berlin time. */
function line(f: { date?: string; time?: string; pid?: string; db?: string; sql?: string; queries?: string } = {}): Buffer {
  return Buffer.from(
    `${f.date ?? '2026-03-01'} ${f.time ?? '10:00:00'},000 ${f.pid ?? '4242'} INFO ${f.db ?? 'db_t1'} werkzeug: 10.0.0.1 - - [01/Mar/2026 10:00:00] "POST /web/dataset/call_kw HTTP/1.1" 200 - ${f.queries ?? '5'} ${f.sql ?? '0.100'} 0.200\n`,
  );
}
const pad = (n: number) => String(n).padStart(2, '0');
/** `n` good lines of `db` in local minute `hh:mm` (Berlin, UTC+1 in March). */
const good = (hh: number, mm: number, n: number, db = 'db_t1') =>
  Buffer.concat(Array.from({ length: n }, (_, i) => line({ time: `${pad(hh)}:${pad(mm)}:${pad(i % 60)}`, db })));

const dir = mkdtempSync(join(tmpdir(), 'poison-'));
const logOf = (i: number) => join(dir, `odoo-${i}.log`);
const PROPERTY_LOG = logOf(POISON.length);
let fleet: Fleet;
let db: MigratedDatabase;
// after every line below (2026-02-15 and 2026-03-01, Berlin), within the month after them
const clock = new ManualClock(Date.parse('2026-03-02T00:00:00Z'));
let shipper = '';
let app: FastifyInstance;
let metrics: MetricsEndpoint;

beforeAll(async () => {
  const files = [...POISON.map((_, i) => logOf(i)), PROPERTY_LOG];
  for (const f of files) writeFileSync(f, '');
  const spec = testFleetSpec();
  spec.clusters.c1!.odoo = { logFiles: files, logIntervalSeconds: 1 };
  fleet = buildFleet(spec);
  db = await migratedDatabase(fleet);
  metrics = createMetricsRegistry(db.pool, { version: 'x', revision: 'y' }, silentLogger, clock);
  app = await buildApi({
    log: silentLogger,
    metrics: new Registry(),
    readiness: [],
    ingest: { pool: db.pool, partitions: new PartitionKeeper(db.pool), fleet, clock, log: silentLogger },
  });
  shipper = (await createToken(db.pool, { name: 'vector-c1', role: 'ingest', clusters: ['c1'] }, new Date(clock.now()))).token;
});
afterAll(async () => {
  await app.close();
  await db?.close();
});

const requests = async (tenant: string, minuteUtc: string) =>
  Number(
    (
      await db.pool.query(
        'SELECT coalesce(odoo_requests_2xx, 0) + coalesce(odoo_requests_5xx, 0) AS n FROM tenant_minute WHERE tenant_id = $1 AND minute = $2',
        [tenant, minuteUtc],
      )
    ).rows[0]?.n ?? 0,
  );
const rejections = async (target: string) =>
  Object.fromEntries(
    (
      await db.pool.query<{ reason: string; records: string }>('SELECT reason, records FROM collector_rejection WHERE target = $1', [
        target,
      ])
    ).rows.map((r) => [r.reason, Number(r.records)]),
  );
const checkpoint = async (file: string) =>
  Number((await db.pool.query('SELECT file_offset FROM ingest_checkpoint WHERE target = $1', [file])).rows[0]?.file_offset ?? -1);
const runner = () =>
  new CollectorRunner({
    pool: db.pool,
    partitions: new PartitionKeeper(db.pool),
    fleet,
    clock,
    log: silentLogger,
    timeoutSeconds: 10,
  });
let scheduled = 1;
const runOn = (file: string) => runner().run({ collector: 'odoo-log', target: file, scheduledAt: new Date(scheduled++) });

describe('a poison line in the tail', () => {
  it.each(POISON.map(([what, bytes, reason], i) => [what, bytes, reason, i] as const))(
    '%s: the 40 good lines around it are stored, it is counted with its reason, the checkpoint moves, the next run goes on',
    async (_what, poison, reason, i) => {
      const file = logOf(i);
      appendFileSync(file, Buffer.concat([good(11, i, 20), poison, good(11, i, 20)]));
      const first = await runOn(file);
      expect(first).toMatchObject({ records: 40, rejected: 1, duplicate: false });
      expect(await requests('t1', `2026-03-01T10:${pad(i)}:00Z`)).toBe(40);
      expect(await rejections(file)).toEqual({ [reason]: 1 });
      expect(await checkpoint(file)).toBe(statSync(file).size);

      appendFileSync(file, good(12, i, 5));
      expect(await runOn(file)).toMatchObject({ records: 5, rejected: 0 });
      expect(await requests('t1', `2026-03-01T11:${pad(i)}:00Z`)).toBe(5);
      const status = await db.pool.query('SELECT success FROM collector_status WHERE collector = $1 AND target = $2', ['odoo-log', file]);
      expect(status.rows).toEqual([{ success: true }]);
    },
  );

  it('publishes the counts by collector, target and reason', async () => {
    const text = await metrics.metrics();
    expect(text).toContain(
      `tenantscope_collector_rejected_records_total{collector="odoo-log",target="${logOf(2)}",reason="invalid_text"} 1`,
    );
    expect(text).toContain(
      `tenantscope_collector_rejected_records_total{collector="odoo-log",target="${logOf(3)}",reason="invalid_utf8"} 1`,
    );
  });
});

describe('a poison line in a push', () => {
  it.each(POISON.map(([what, bytes, reason], i) => [what, bytes, reason, i] as const))(
    '%s: answered 200 with it counted under its reason, the good lines stored',
    async (_what, poison, reason, i) => {
      const before = (await rejections('push:c1'))[reason] ?? 0;
      const body = Buffer.concat([good(13, i, 20), poison, good(13, i, 20)]);
      const response = await app.inject({
        method: 'POST',
        url: '/ingest/odoo-log/c1',
        payload: body,
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${shipper}` },
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({ records: 40, rejected: 1, duplicate: false });
      expect(await requests('t1', `2026-03-01T12:${pad(i)}:00Z`)).toBe(40);
      expect((await rejections('push:c1'))[reason]).toBe(before + 1);
    },
  );

  it('a lone surrogate in a Vector message is counted as invalid text, the batch answered 200', async () => {
    const message = line().toString('utf8').trimEnd().replace('db_t1', 'db_\ud800');
    const body = JSON.stringify([{ message: good(14, 0, 1).toString('utf8') }, { message }]);
    const response = await app.inject({
      method: 'POST',
      url: '/ingest/odoo-log/c1',
      payload: body,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${shipper}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ records: 1, rejected: 1, duplicate: false });
  });
});

// ---- any line: stored or counted, and the tail never stops ----

const digits = (max: number) => fc.stringMatching(new RegExp(`^[0-9]{1,${max}}$`));
const oddText = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\u0000', '\t', '\r', ' ', '?', '"', '\\', '#012', '\u001b[31m'),
    fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c !== '\n'),
  ),
  maxLength: 8,
});
const seconds = fc.oneof(
  fc.constantFrom('0.100', '0.000', '1e5'),
  fc.tuple(digits(320), digits(3)).map(([a, b]) => `${a}.${b}`),
);
const timestamp = fc
  .tuple(digits(4), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 24 }))
  .map(([y, mo, d, h]) => `${y.padStart(4, '0')}-${pad(mo)}-${pad(d)} ${pad(h)}:00:00,000`);
const pid = fc.oneof(fc.integer({ min: 0, max: 99999 }).map(String), digits(40));
const dbName = fc.oneof(fc.constantFrom('db_t1', '?', 'unknown_db'), oddText);
// Lines shaped like Odoo's (requests, worker and cron events, other loggers) with fields pushed
// past what columns hold, and lines of any bytes (not UTF-8 included).
const odooLine = fc.oneof(
  fc
    .record({ ts: timestamp, pid, db: dbName, status: digits(3), queries: digits(25), sql: seconds, other: seconds })
    .map(
      (r) =>
        `${r.ts} ${r.pid} INFO ${r.db} werkzeug: 1.2.3.4 - - [01/Mar/2026 10:00:00] "GET /web HTTP/1.1" ${r.status.padStart(3, '0')} - ${r.queries} ${r.sql} ${r.other}`,
    ),
  fc
    .record({ ts: timestamp, pid, worker: digits(30) })
    .map((r) => `${r.ts} ${r.pid} INFO ? odoo.service.server: Worker (${r.worker}) max request (8192) reached.`),
  fc
    .record({ ts: timestamp, pid, db: dbName, id: digits(30), secs: seconds })
    .map((r) => `${r.ts} ${r.pid} INFO ${r.db} odoo.addons.base.models.ir_cron: Job 'x' (${r.id}) done in ${r.secs}s`),
  fc.record({ ts: timestamp, pid, db: dbName, text: oddText }).map((r) => `${r.ts} ${r.pid} WARNING ${r.db} odoo.http: ${r.text}`),
  oddText,
);
const anyLine = fc.oneof(
  { weight: 5, arbitrary: odooLine.map((text) => Buffer.from(`${text.replace(/\n/g, ' ')}\n`, 'utf8')) },
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.concat([Buffer.from(bytes.filter((b) => b !== 0x0a)), Buffer.from('\n')])),
);

/** What the parser makes of these bytes: the records a run must store or count, and the lines that are not UTF-8. */
function expected(bytes: Buffer): { records: number; invalidUtf8: number } {
  const { lines, invalidUtf8 } = utf8Lines(bytes.subarray(0, bytes.length - 1));
  const parsed = parseOdooLog(withoutLines(lines, invalidUtf8), { zone: 'Europe/Berlin', referenceMs: clock.now() }, { resumed: true });
  return { records: parsed.records.length, invalidUtf8: invalidUtf8.length };
}

const STORAGE_REASONS = ['invalid_text', 'number_out_of_range', 'time_out_of_range', 'outside_accepted_range'];
const storageRejections = async (target: string) => {
  const r = await rejections(target);
  return STORAGE_REASONS.reduce((sum, reason) => sum + (r[reason] ?? 0), 0);
};

describe('any line through the storage path', () => {
  it('in the tail: every record is stored or counted, the good lines land, the checkpoint reaches the end, every run succeeds', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(anyLine, { minLength: 1, maxLength: 12 }), async (lines) => {
        round += 1;
        // the good lines of this round in a minute of their own (2026-02-15, tenant t2), after the generated ones
        const minute = `${pad(Math.floor(round / 60) % 24)}:${pad(round % 60)}`;
        const goodLines = Buffer.concat(
          Array.from({ length: 40 }, (_, i) => line({ date: '2026-02-15', time: `${minute}:${pad(i % 60)}`, db: 'db_t2' })),
        );
        const generated = Buffer.concat(lines);
        const want = expected(generated);
        const storedBefore = await storageRejections(PROPERTY_LOG);
        const utf8Before = (await rejections(PROPERTY_LOG)).invalid_utf8 ?? 0;
        appendFileSync(PROPERTY_LOG, Buffer.concat([generated, goodLines]));
        const outcome = await runOn(PROPERTY_LOG);
        expect(outcome, 'the run failed').toBeDefined();
        expect(await checkpoint(PROPERTY_LOG)).toBe(statSync(PROPERTY_LOG).size);
        const counted = (await storageRejections(PROPERTY_LOG)) - storedBefore;
        expect(outcome!.records - 40 + counted).toBe(want.records);
        expect(((await rejections(PROPERTY_LOG)).invalid_utf8 ?? 0) - utf8Before).toBe(want.invalidUtf8);
        const [hh, mm] = minute.split(':').map(Number) as [number, number];
        // 2026-02-15 local Berlin is UTC+1
        const utc = new Date(Date.UTC(2026, 1, 15, hh - 1, mm)).toISOString().replace('.000', '');
        expect(await requests('t2', utc)).toBe(40);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('in a push: never a 5xx, every record stored or counted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyLine, { minLength: 1, maxLength: 12 }), fc.nat(), async (lines, salt) => {
        // a line of its own per batch, so no two batches share a digest (a retry would be a duplicate)
        const body = Buffer.concat([...lines, Buffer.from(`# batch ${salt} ${Math.random()}\n`)]);
        const want = expected(body);
        const before = await storageRejections('push:c1');
        const response = await app.inject({
          method: 'POST',
          url: '/ingest/odoo-log/c1',
          payload: body,
          headers: { 'content-type': 'text/plain', authorization: `Bearer ${shipper}` },
        });
        expect(response.statusCode, response.body).toBe(200);
        const { records } = response.json() as { records: number };
        expect(records + (await storageRejections('push:c1')) - before).toBe(want.records);
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
