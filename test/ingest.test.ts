import { appendFileSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../services/core/clock';
import { CollectorRunner } from '../collectors/runner';
import type { Fleet } from '../services/config/fleet-types';
import { silentLogger } from '../services/core/logger';
import { PartitionKeeper } from '../services/storage/partitions';
import { odooEventsMetrics } from '../services/metrics/odoo-events-metrics';
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

// the log lines below are of 2026-03-01 morning: the clock stands that afternoon, so they are in the accepted range
const clock = new ManualClock(Date.parse('2026-03-01T15:00:00Z'));
const runner = (timeoutSeconds = 5) =>
  new CollectorRunner({
    pool: db.pool,
    partitions: new PartitionKeeper(db.pool),
    fleet,
    clock,
    log: silentLogger,
    timeoutSeconds,
  });
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
      request('db_t1', 0) +
        request('db_t1', 0, 500, '0.050', '2.000') +
        request('db_t1', 1) +
        request('db_t2', 0) +
        request('db_t1', 0, 200, '0.001', '50.000', '/longpolling/poll') +
        request('unknown_db', 0) +
        '2026-03-01 10:00:09,000 1 INFO ? odoo.service.server: Worker WorkerHTTP (4242) alive \n',
    );
    const outcome = await runLog(runner());
    expect(outcome).toMatchObject({ records: 7, rejected: 0, duplicate: false, unattributed: 1 });
    expect(await minutes()).toEqual([
      // held (long-polling) counted in requests, kept out of seconds and the histogram
      {
        tenant_id: 't1',
        m: '09:00',
        ok: 2,
        err: 1,
        held: 1,
        q: 10,
        sql: 0.15,
        py: 2.2,
        counts: [0, 0, 0, 1, 0, 1, 0, 0, 0, 0],
        probes_ok: null,
        probes_failed: null,
      },
      {
        tenant_id: 't1',
        m: '09:01',
        ok: 1,
        err: 0,
        held: 0,
        q: 5,
        sql: 0.1,
        py: 0.2,
        counts: [0, 0, 0, 1, 0, 0, 0, 0, 0, 0],
        probes_ok: null,
        probes_failed: null,
      },
      {
        tenant_id: 't2',
        m: '09:00',
        ok: 1,
        err: 0,
        held: 0,
        q: 5,
        sql: 0.1,
        py: 0.2,
        counts: [0, 0, 0, 1, 0, 0, 0, 0, 0, 0],
        probes_ok: null,
        probes_failed: null,
      },
    ]);
    expect(await total('t1')).toMatchObject({
      odoo_requests_2xx: 3,
      odoo_requests_5xx: 1,
      odoo_requests_held: 1,
      seen_odoo: true,
      seen_probe: false,
    });
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
    // Whether the runs overlap depends on the machine's load: either one applies and the others
    // find the checkpoint moved (duplicate), or a later one finds nothing new. Either way each
    // line is counted by exactly one run.
    expect(results.every((r) => r !== undefined)).toBe(true);
    expect(results.reduce((sum, r) => sum + (r!.duplicate ? 0 : r!.records), 0)).toBe(50);
    expect((await total('t2')).odoo_requests_2xx).toBe(50);
  });

  it('counts worker events per cluster, attributes kills to the db the worker last named, and rolls cron runs up', async () => {
    const at = (second: number, pid: number, level: string, db: string, logger: string, message: string) =>
      `2026-03-01 10:00:${String(second).padStart(2, '0')},000 ${pid} ${level} ${db} ${logger}: ${message} \n`;
    const CRON = 'odoo.addons.base.models.ir_cron';
    const SERVER = 'odoo.service.server';
    appendFileSync(
      logFile,
      request('db_t1', 0) + // pid 4242 serves t1
        at(10, 1, 'ERROR', '?', SERVER, 'WorkerHTTP (4242) timeout after 120s') +
        at(11, 4300, 'INFO', '?', SERVER, 'Worker WorkerHTTP (4300) alive') +
        at(12, 4300, 'INFO', '?', SERVER, 'Worker (4300) virtual memory limit (3000000000) reached.') + // served nobody: cluster only
        at(13, 31, 'INFO', 'db_t2', CRON, "Job 'Mail: Email Queue Manager' (3) starting") +
        at(14, 31, 'INFO', 'db_t2', CRON, "Job 'Mail: Email Queue Manager' (3) done in 1.500s") +
        at(15, 31, 'INFO', 'db_t2', CRON, "Job 'Fetchmail' (7) starting") +
        at(16, 31, 'ERROR', 'db_t2', CRON, "Job 'Fetchmail' (7) server action #42 failed") +
        'Traceback (most recent call last):\nValueError: boom\n' +
        // 19: the summary after the failure line is the run's one end
        at(17, 31, 'INFO', 'db_t2', CRON, "Job 'Fetchmail' (7) failed (#loop 1; done 0; remaining 0; duration 2.00s)") +
        at(18, 31, 'INFO', 'db_t2', CRON, 'Starting job `Old style`.') +
        at(19, 31, 'INFO', 'db_t2', CRON, 'Job `Old style` done.') +
        at(20, 32, 'INFO', 'unknown_db', CRON, "Job 'X' (1) starting"),
    );
    const first = await runLog(runner());
    expect(first).toMatchObject({ rejected: 0, duplicate: false, unattributed: 1 });
    // the kill in the next batch still finds the db the cron worker named in the first one
    appendFileSync(logFile, at(30, 1, 'ERROR', '?', SERVER, 'WorkerCron (31) timeout after 120s'));
    await runLog(runner());

    const cluster = await db.pool.query(
      `SELECT to_char(minute AT TIME ZONE 'UTC', 'HH24:MI') AS m, event, events FROM odoo_worker_event_minute ORDER BY event`,
    );
    expect(cluster.rows).toEqual([
      { m: '09:00', event: 'alive', events: 1 },
      { m: '09:00', event: 'memory-limit', events: 1 },
      { m: '09:00', event: 'timeout-kill', events: 2 },
    ]);
    const tenants = await db.pool.query(
      'SELECT tenant_id, worker_timeout_kill, worker_memory_limit, cron_starts, cron_done, cron_failed, cron_timed_runs, cron_seconds FROM odoo_tenant_event_minute ORDER BY tenant_id',
    );
    expect(tenants.rows).toEqual([
      {
        tenant_id: 't1',
        worker_timeout_kill: 1,
        worker_memory_limit: 0,
        cron_starts: 0,
        cron_done: 0,
        cron_failed: 0,
        cron_timed_runs: 0,
        cron_seconds: 0,
      },
      {
        tenant_id: 't2',
        worker_timeout_kill: 1,
        worker_memory_limit: 0,
        cron_starts: 3,
        cron_done: 2,
        cron_failed: 1,
        cron_timed_runs: 2,
        cron_seconds: 3.5,
      },
    ]);

    const snapshot = await odooEventsMetrics.load(db.pool, clock);
    const series = (name: string) => odooEventsMetrics.metrics.find((m) => m.name === name)!.values(snapshot);
    expect(series('tenantscope_odoo_worker_events_total')).toContainEqual({ value: 2, labels: { cluster: 'c1', event: 'timeout-kill' } });
    expect(series('tenantscope_odoo_worker_events_total')).toContainEqual({ value: 0, labels: { cluster: 'c1', event: 'crash' } });
    expect(series('tenantscope_odoo_cron_runs_total')).toEqual([
      { value: 0, labels: { tenant: 't1', cluster: 'c1', result: 'done' } },
      { value: 0, labels: { tenant: 't1', cluster: 'c1', result: 'failed' } },
      { value: 2, labels: { tenant: 't2', cluster: 'c1', result: 'done' } },
      { value: 1, labels: { tenant: 't2', cluster: 'c1', result: 'failed' } },
    ]);
    expect(series('tenantscope_odoo_cron_seconds_total')).toContainEqual({ value: 3.5, labels: { tenant: 't2', cluster: 'c1' } });
    expect(series('tenantscope_odoo_tenant_worker_events_total')).toContainEqual({
      value: 1,
      labels: { tenant: 't1', cluster: 'c1', event: 'timeout-kill' },
    });
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
    const [hung, fine] = await Promise.all([probe(r, 't3.example.test', new Date()), probe(r, 't1.example.test', new Date())]);
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
