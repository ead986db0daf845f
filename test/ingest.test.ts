import { appendFileSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../services/clock';
import { CollectorRunner } from '../services/collect/runner';
import type { Fleet } from '../services/config/fleet-types';
import { silentLogger } from '../services/logger';
import { PartitionKeeper } from '../services/storage/partitions';
import { testFleet } from './helpers/fleets';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

let server: Server;
let probeUrl: string;
const seen: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers.host ?? '');
    if (req.headers.host === 't3.example.test') return; // hangs: never answers
    if (req.headers.host === 't2.example.test') return res.writeHead(502).end('Bad Gateway');
    res.writeHead(200, { 'content-type': 'text/html' }).end('<input name="login">');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  probeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

let logFile: string;
let fleet: Fleet;
let db: MigratedDatabase;
beforeEach(async () => {
  logFile = join(mkdtempSync(join(tmpdir(), 'ingest-')), 'odoo.log');
  writeFileSync(logFile, '');
  fleet = testFleet({ logFile, probeUrl });
  db = await migratedDatabase(fleet);
  return () => db.close();
});

const runner = (timeoutSeconds = 5) => new CollectorRunner({ pool: db.pool, partitions: new PartitionKeeper(db.pool), fleet, clock: systemClock, log: silentLogger, timeoutSeconds });
const runLog = (r: CollectorRunner, at = Date.now()) => r.run({ collector: 'odoo-log', target: logFile, scheduledAt: new Date(at) });

// 2026-03-01 10:MM:SS local Berlin = 09:MM:SS UTC
const request = (db: string, minute: number, status = 200, sql = '0.100', py = '0.200', path = '/web/dataset/call_kw') =>
  `2026-03-01 10:${String(minute).padStart(2, '0')}:07,000 4242 INFO ${db} werkzeug: 10.0.0.1 - - [01/Mar/2026 10:00:07] "POST ${path} HTTP/1.1" ${status} - 5 ${sql} ${py}\n`;

async function minutes() {
  const { rows } = await db.pool.query(
    `SELECT tenant_id, to_char(minute AT TIME ZONE 'UTC', 'HH24:MI') AS m, odoo_requests_2xx AS ok, odoo_requests_5xx AS err,
            odoo_requests_held AS held, odoo_queries AS q, round(odoo_sql_seconds::numeric, 3)::float AS sql,
            round(odoo_python_seconds::numeric, 3)::float AS py, odoo_duration_counts AS counts, probes_ok, probes_failed
       FROM tenant_minute ORDER BY tenant_id, minute`,
  );
  return rows;
}
async function total(tenant: string) {
  return (await db.pool.query('SELECT * FROM tenant_total WHERE tenant_id = $1', [tenant])).rows[0];
}

describe('odoo-log ingest', () => {
  it('rolls requests up per tenant and UTC minute, with perf seconds and the latency histogram', async () => {
    appendFileSync(
      logFile,
      request('db_t1', 0) + request('db_t1', 0, 500, '0.050', '2.000') + request('db_t1', 1) + request('db_t2', 0) +
        request('db_t1', 0, 200, '0.001', '50.000', '/longpolling/poll') + request('unknown_db', 0) +
        '2026-03-01 10:00:09,000 1 INFO ? odoo.service.server: Worker WorkerHTTP (4242) alive \n',
    );
    const outcome = await runLog(runner());
    expect(outcome).toMatchObject({ records: 7, rejected: 0, duplicate: false, unattributed: 1 });
    expect(await minutes()).toEqual([
      // held (long-polling) counted in requests, kept out of seconds and the histogram
      { tenant_id: 't1', m: '09:00', ok: 2, err: 1, held: 1, q: 10, sql: 0.15, py: 2.2, counts: [0, 0, 0, 1, 0, 1, 0, 0, 0, 0], probes_ok: null, probes_failed: null },
      { tenant_id: 't1', m: '09:01', ok: 1, err: 0, held: 0, q: 5, sql: 0.1, py: 0.2, counts: [0, 0, 0, 1, 0, 0, 0, 0, 0, 0], probes_ok: null, probes_failed: null },
      { tenant_id: 't2', m: '09:00', ok: 1, err: 0, held: 0, q: 5, sql: 0.1, py: 0.2, counts: [0, 0, 0, 1, 0, 0, 0, 0, 0, 0], probes_ok: null, probes_failed: null },
    ]);
    expect(await total('t1')).toMatchObject({ odoo_requests_2xx: 3, odoo_requests_5xx: 1, odoo_requests_held: 1, seen_odoo: true, seen_probe: false });
  });

  it('counts nothing twice across runs, a restart (new runner) and a rotation', async () => {
    appendFileSync(logFile, request('db_t1', 0).repeat(3));
    await runLog(runner());
    await runLog(runner()); // nothing new
    appendFileSync(logFile, request('db_t1', 1).repeat(2));
    await runLog(runner()); // "restarted" process, same checkpoint in the database
    appendFileSync(logFile, request('db_t1', 2).repeat(4)); // written, then rotated before being read
    renameSync(logFile, `${logFile}.1`);
    writeFileSync(logFile, request('db_t1', 3).repeat(5));
    await runLog(runner());
    await runLog(runner());
    expect((await minutes()).map((r) => [r.m, r.ok])).toEqual([
      ['09:00', 3],
      ['09:01', 2],
      ['09:02', 4],
      ['09:03', 5],
    ]);
    expect((await total('t1')).odoo_requests_2xx).toBe(14);
  });

  it('two workers running the same log at once count each line once', async () => {
    appendFileSync(logFile, request('db_t2', 5).repeat(50));
    const results = await Promise.all([runLog(runner()), runLog(runner(), Date.now() + 1), runLog(runner(), Date.now() + 2)]);
    expect(results.filter((r) => r && !r.duplicate)).toHaveLength(1);
    expect((await total('t2')).odoo_requests_2xx).toBe(50);
  });

  it('records a failed run when the log file is missing, without throwing', async () => {
    renameSync(logFile, `${logFile}.gone`);
    expect(await runLog(runner())).toBeUndefined();
    const { rows } = await db.pool.query('SELECT success, error FROM collector_status WHERE collector = $1', ['odoo-log']);
    expect(rows).toEqual([{ success: false, error: `log file ${logFile} does not exist` }]);
  });
});

describe('odoo-probe ingest', () => {
  const probe = (r: CollectorRunner, host: string, scheduledAt: Date) => r.run({ collector: 'odoo-probe', target: host, scheduledAt });

  it('stores ok and failed probes, and a duplicated job writes nothing', async () => {
    const at = new Date('2026-03-01T09:00:15Z');
    const r = runner();
    await probe(r, 't1.example.test', at);
    await probe(r, 't1.example.test', at); // the same scheduled run again
    await probe(r, 't2.example.test', at);
    const { rows } = await db.pool.query('SELECT tenant_id, ok, reason FROM probe_state ORDER BY tenant_id');
    expect(rows).toEqual([
      { tenant_id: 't1', ok: true, reason: null },
      { tenant_id: 't2', ok: false, reason: 'status 502' },
    ]);
    expect(await total('t1')).toMatchObject({ probes_ok: 1, probes_failed: 0, seen_probe: true });
    expect(await total('t2')).toMatchObject({ probes_ok: 0, probes_failed: 1 });
  });

  it('a hanging target times out alone: recorded as failed, others unaffected', async () => {
    const r = runner(0.5);
    const started = Date.now();
    const [hung, fine] = await Promise.all([
      probe(r, 't3.example.test', new Date()),
      probe(r, 't1.example.test', new Date()),
    ]);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(hung).toBeUndefined();
    expect(fine).toMatchObject({ records: 1 });
    const { rows } = await db.pool.query('SELECT target, success, error FROM collector_status ORDER BY target');
    expect(rows).toEqual([
      { target: 't1.example.test', success: true, error: null },
      { target: 't3.example.test', success: false, error: 'timed out after 0.5s' },
    ]);
  });
});
