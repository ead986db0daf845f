import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../services/api/app';
import { systemClock } from '../services/core/clock';
import { silentLogger } from '../services/core/logger';
import { createMetricsRegistry } from '../services/metrics/registry';
import { PartitionKeeper } from '../services/storage/partitions';
import { testFleet } from './helpers/fleets';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

/** `POST /ingest/odoo-log/:cluster`: lines from Vector or Fluent Bit, same parsing and rollups as the tail. */
const fleet = testFleet(); // cluster c1 in Europe/Berlin, tenants t1..t3 on db_t1..db_t3, no log files
let db: MigratedDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  db = await migratedDatabase(fleet);
  app = await buildApi({
    log: silentLogger,
    metrics: createMetricsRegistry(db.pool, { version: 'x', revision: 'y' }, silentLogger, systemClock),
    readiness: [],
    ingest: { pool: db.pool, partitions: new PartitionKeeper(db.pool), fleet, clock: systemClock, log: silentLogger },
  });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

// 10:MM local Berlin = 09:MM UTC; a unique second per call keeps bodies distinct
let second = 0;
const request = (database: string, minute: number, status = 200) =>
  `2026-03-01 10:${String(minute).padStart(2, '0')}:${String(second++ % 60).padStart(2, '0')},${String(second).padStart(3, '0')} 4242 INFO ${database} werkzeug: 10.0.0.1 - - [01/Mar/2026 10:00:00] "POST /web/dataset/call_kw HTTP/1.1" ${status} - 5 0.100 0.200`;
const push = (body: string, contentType = 'text/plain', cluster = 'c1', headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: `/ingest/odoo-log/${cluster}`, payload: body, headers: { 'content-type': contentType, ...headers } });
const requests2xx = async (tenant: string, minute: string) => {
  const { rows } = await db.pool.query(`SELECT odoo_requests_2xx AS n FROM tenant_minute WHERE tenant_id = $1 AND minute = $2`, [
    tenant,
    minute,
  ]);
  return rows[0]?.n ?? 0;
};

describe('POST /ingest/odoo-log/:cluster', () => {
  it('takes newline-delimited text in the cluster zone and answers the counts', async () => {
    const res = await push(`${request('db_t1', 1)}\n${request('db_t1', 1, 500)}\nstray traceback line\n${request('db_t2', 1)}\n`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ records: 3, rejected: 1, duplicate: false });
    expect(await requests2xx('t1', '2026-03-01T09:01:00Z')).toBe(1);
    expect(await requests2xx('t2', '2026-03-01T09:01:00Z')).toBe(1);
  });

  it('takes a Vector JSON array (message) and Fluent Bit NDJSON (log), counting unusable items', async () => {
    const vector = JSON.stringify([{ message: request('db_t1', 2), host: 'erp1' }, { message: request('db_t1', 2) }, { other: 1 }]);
    expect((await push(vector, 'application/json')).json()).toEqual({ records: 2, rejected: 1, duplicate: false });
    const fluentBit = [
      JSON.stringify({ date: 1772355720.1, log: `${request('db_t3', 2)}\n` }),
      JSON.stringify({ date: 1772355720.2, log: `odoo_1 | ${request('db_t3', 2)}` }),
      '{not json',
    ].join('\n');
    expect((await push(fluentBit, 'application/x-ndjson')).json()).toEqual({ records: 2, rejected: 1, duplicate: false });
    expect(await requests2xx('t1', '2026-03-01T09:02:00Z')).toBe(2);
    expect(await requests2xx('t3', '2026-03-01T09:02:00Z')).toBe(2);
  });

  it('counts a retry of the very same body once', async () => {
    const body = `${request('db_t2', 3)}\n${request('db_t2', 3)}\n`;
    expect((await push(body)).json()).toMatchObject({ records: 2, duplicate: false });
    expect((await push(body)).json()).toMatchObject({ records: 2, duplicate: true });
    expect(await requests2xx('t2', '2026-03-01T09:03:00Z')).toBe(2);
  });

  it('rolls worker events up for the cluster', async () => {
    await push('2026-03-01 10:04:00,000 1 ERROR ? odoo.service.server: WorkerHTTP (4242) timeout after 120s \n');
    const { rows } = await db.pool.query('SELECT events FROM odoo_worker_event_total WHERE cluster_id = $1 AND event = $2', [
      'c1',
      'timeout-kill',
    ]);
    expect(rows).toEqual([{ events: 1 }]);
    // pid 4242 last named db_t2 (previous test): the kill is t2's
    const tenant = await db.pool.query('SELECT worker_timeout_kill FROM odoo_tenant_event_total WHERE tenant_id = $1', ['t2']);
    expect(tenant.rows).toEqual([{ worker_timeout_kill: 1 }]);
  });

  it('answers 404 naming an unknown cluster', async () => {
    const res = await push(request('db_t1', 5), 'text/plain', 'nowhere');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'no cluster named "nowhere" in the fleet file' });
  });

  it('refuses a body above 8 MiB with 413, and a compressed one with 415', async () => {
    const big = `${request('db_t1', 6)}\n`.repeat(Math.ceil((8 * 1024 * 1024) / 120) + 10);
    expect((await push(big)).statusCode).toBe(413);
    expect((await push(request('db_t1', 6), 'text/plain', 'c1', { 'content-encoding': 'gzip' })).statusCode).toBe(415);
    expect(await requests2xx('t1', '2026-03-01T09:06:00Z')).toBe(0);
  });
});
