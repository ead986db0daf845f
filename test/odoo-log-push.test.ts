import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../services/api/app';
import type { ApiLimits } from '../services/api/limits';
import { ManualClock } from '../services/core/clock';
import { createToken, revokeToken } from '../services/auth/token-store';
import { silentLogger } from '../services/core/logger';
import { createMetricsRegistry } from '../services/metrics/registry';
import { PartitionKeeper } from '../services/storage/partitions';
import { testFleet } from './helpers/fleets';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

/** `POST /ingest/odoo-log/:cluster`: lines from Vector or Fluent Bit, same parsing and rollups as the tail. */
const fleet = testFleet(); // cluster c1 in Europe/Berlin, tenants t1..t3 on db_t1..db_t3, no log files
let db: MigratedDatabase;
let app: FastifyInstance;
// the lines below are of 2026-03-01 09:00-09:10 UTC: the clock stands just after them
const clock = new ManualClock(Date.parse('2026-03-01T09:30:00Z'));
const tokens: Record<'shipper' | 'admin' | 'revoked', string> = { shipper: '', admin: '', revoked: '' };

/** The push route over this file's database and clock; `limits`: rates and push slots (default ones without). */
const pushApi = (limits?: ApiLimits) =>
  buildApi({
    log: silentLogger,
    metrics: createMetricsRegistry(db.pool, { version: 'x', revision: 'y' }, silentLogger, clock),
    readiness: [],
    ingest: { pool: db.pool, partitions: new PartitionKeeper(db.pool), fleet, clock, log: silentLogger },
    ...(limits && { limits }),
  });

beforeAll(async () => {
  db = await migratedDatabase(fleet);
  app = await pushApi();
  const at = new Date(clock.now());
  tokens.shipper = (await createToken(db.pool, { name: 'vector-c1', role: 'ingest', clusters: ['c1'] }, at)).token;
  tokens.admin = (await createToken(db.pool, { name: 'ops', role: 'admin' }, at)).token;
  tokens.revoked = (await createToken(db.pool, { name: 'old-vector', role: 'ingest', clusters: ['c1'] }, at)).token;
  await revokeToken(db.pool, 'old-vector', at);
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
  app.inject({
    method: 'POST',
    url: `/ingest/odoo-log/${cluster}`,
    payload: body,
    headers: { 'content-type': contentType, authorization: `Bearer ${tokens.shipper}`, ...headers },
  });
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

  it('takes a body only from an ingest token of the cluster: 401 without or revoked, 403 for other roles', async () => {
    const line = `${request('db_t1', 7)}\n`;
    const answers = [
      await push(line, 'text/plain', 'c1', { authorization: '' }),
      await push(line, 'text/plain', 'c1', { authorization: `Bearer ${tokens.revoked}` }),
      await push(line, 'text/plain', 'c1', { authorization: 'Bearer tsk_forged' }),
      await push(line, 'text/plain', 'c1', { authorization: `Bearer ${tokens.admin}` }),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([401, 401, 401, 403]);
    expect(answers[0]!.headers['www-authenticate']).toBe('Bearer realm="tenantscope"');
    expect(answers[3]!.json()).toEqual({ error: 'token ops (admin) may not push log lines; an ingest token may' });
    expect(await requests2xx('t1', '2026-03-01T09:07:00Z')).toBe(0);
  });

  it('rejects and counts lines outside the accepted range, making no partition for their months', async () => {
    const before = await partitions();
    const old = request('db_t1', 8).replace('2026-03-01', '1990-03-01');
    const ahead = request('db_t1', 8).replace('2026-03-01 10:', '2026-03-01 11:');
    const far = request('db_t1', 8).replace('2026-03-01', '2039-03-01');
    const res = await push([old, ahead, far, request('db_t1', 8)].join('\n'));
    expect(res.json()).toEqual({ records: 1, rejected: 3, duplicate: false });
    expect(await requests2xx('t1', '2026-03-01T09:08:00Z')).toBe(1);
    expect(await partitions()).toEqual(before);
    const counted = await db.pool.query<{ records: string }>(
      `SELECT records FROM collector_rejection WHERE target = 'push:c1' AND reason = 'outside_accepted_range'`,
    );
    expect(counted.rows.map((r) => Number(r.records))).toEqual([3]);
  });

  it('takes lines of last month and up to five minutes ahead', async () => {
    clock.set(Date.parse('2026-04-10T00:00:00Z'));
    try {
      expect((await push(`${request('db_t2', 9)}\n`)).json()).toMatchObject({ records: 1, rejected: 0 });
    } finally {
      clock.set(Date.parse('2026-03-01T09:30:00Z'));
    }
    clock.set(Date.parse('2026-03-01T09:05:00Z'));
    try {
      // 09:09 is 4 min ahead of 09:05; 09:11 would be 6
      expect((await push(`${request('db_t2', 9)}\n${request('db_t2', 11)}\n`)).json()).toMatchObject({ records: 1, rejected: 1 });
    } finally {
      clock.set(Date.parse('2026-03-01T09:30:00Z'));
    }
  });

  it('answers 503 with Retry-After while every push slot is busy, and takes the body once one is free', async () => {
    const slow = await pushApi({ perAddressPerMinute: 0, perTokenPerMinute: 0, concurrentPushes: 1, pushReadSeconds: 60 });
    try {
      await slow.listen({ host: '127.0.0.1', port: 0 });
      const url = `http://127.0.0.1:${(slow.server.address() as { port: number }).port}/ingest/odoo-log/c1`;
      const headers = { 'content-type': 'text/plain', authorization: `Bearer ${tokens.shipper}` };
      // a body that is still being sent holds the only slot
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const first = fetch(url, {
        method: 'POST',
        headers,
        duplex: 'half',
        body: new ReadableStream({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode(`${request('db_t3', 10)}\n`));
            await held;
            controller.enqueue(new TextEncoder().encode(`${request('db_t3', 10)}\n`));
            controller.close();
          },
        }),
      } as RequestInit);
      await new Promise((r) => setTimeout(r, 200));
      const busy = await fetch(url, { method: 'POST', headers, body: `${request('db_t3', 10)}\n` });
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('2');
      expect(await busy.json()).toEqual({ error: 'busy: 1 pushes are being read; retry in 2 s' });
      release();
      expect(await (await first).json()).toEqual({ records: 2, rejected: 0, duplicate: false });
      const again = await fetch(url, { method: 'POST', headers, body: `${request('db_t3', 10)}\n` });
      expect(again.status).toBe(200);
      expect(await requests2xx('t3', '2026-03-01T09:10:00Z')).toBe(3);
    } finally {
      await slow.close();
    }
  });

  it('cuts off a body that stalls past the read deadline and frees its slot', async () => {
    const strict = await pushApi({ perAddressPerMinute: 0, perTokenPerMinute: 0, concurrentPushes: 1, pushReadSeconds: 1 });
    try {
      await strict.listen({ host: '127.0.0.1', port: 0 });
      const url = `http://127.0.0.1:${(strict.server.address() as { port: number }).port}/ingest/odoo-log/c1`;
      const headers = { 'content-type': 'text/plain', authorization: `Bearer ${tokens.shipper}` };
      // one line, then nothing more: the shipper stalls with the only slot
      const stalled = fetch(url, {
        method: 'POST',
        headers,
        duplex: 'half',
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(`${request('db_t3', 12)}\n`));
          },
        }),
      } as RequestInit).then(
        (r) => r.status,
        () => 'cut off',
      );
      await new Promise((r) => setTimeout(r, 200));
      expect((await fetch(url, { method: 'POST', headers, body: `${request('db_t3', 12)}\n` })).status).toBe(503);
      expect(await stalled).toBe('cut off');
      const after = await fetch(url, { method: 'POST', headers, body: `${request('db_t3', 12)}\n` });
      expect(after.status).toBe(200);
      // the stalled body stored nothing: only the push after it counts
      expect(await requests2xx('t3', '2026-03-01T09:12:00Z')).toBe(1);
    } finally {
      await strict.close();
    }
  });

  it('answers 429 with Retry-After past the per-token limit', async () => {
    const limited = await pushApi({ perAddressPerMinute: 0, perTokenPerMinute: 2, concurrentPushes: 2, pushReadSeconds: 60 });
    try {
      const send = () =>
        limited.inject({
          method: 'POST',
          url: '/ingest/odoo-log/c1',
          payload: '',
          headers: { 'content-type': 'text/plain', authorization: `Bearer ${tokens.shipper}` },
        });
      const statuses = [(await send()).statusCode, (await send()).statusCode];
      const third = await send();
      expect([...statuses, third.statusCode]).toEqual([200, 200, 429]);
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      expect(third.json().error).toMatch(/^rate: more than 2 requests a minute with token vector-c1; retry in /);
    } finally {
      await limited.close();
    }
  });
});

async function partitions(): Promise<string[]> {
  const { rows } = await db.pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}
