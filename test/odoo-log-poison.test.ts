import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectorRunner } from '../collectors/runner';
import { buildApi } from '../services/api/app';
import type { Fleet } from '../services/config/fleet-types';
import { systemClock } from '../services/core/clock';
import { silentLogger } from '../services/core/logger';
import { PartitionKeeper } from '../services/storage/partitions';
import { testFleet } from './helpers/fleets';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

// A line that parses but cannot be stored must not stop the tail or fail a pushed batch: it is
// rejected and counted, and every good line around it is stored.
let logFile: string;
let fleet: Fleet;
let db: MigratedDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  logFile = join(mkdtempSync(join(tmpdir(), 'poison-')), 'odoo.log');
  writeFileSync(logFile, '');
  fleet = testFleet({ logFile });
  db = await migratedDatabase(fleet);
  app = await buildApi({
    log: silentLogger,
    metrics: new Registry(),
    readiness: [],
    ingest: { pool: db.pool, partitions: new PartitionKeeper(db.pool), fleet, clock: systemClock, log: silentLogger },
  });
});
afterAll(async () => {
  await app.close();
  await db?.close();
});

// 2026-03-01 10:MM:SS local Berlin = 09:MM UTC
const line = (minute: number, second: number, pid: string, database: string, sql = '0.100') =>
  `2026-03-01 10:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')},000 ${pid} INFO ${database} werkzeug: 10.0.0.1 - - [01/Mar/2026 10:00:00] "POST /web/dataset/call_kw HTTP/1.1" 200 - 5 ${sql} 0.200\n`;
const good = (minute: number, n: number) => Array.from({ length: n }, (_, i) => line(minute, i, '4242', 'db_t1')).join('');

const POISON: [string, string][] = [
  ['a pid of 2^31', line(0, 50, '2147483648', 'db_t1')],
  ['a pid of 1e+26', line(0, 51, '100000000000000000000000000', 'db_t1')],
  ['a NUL in the database name', line(0, 52, '4242', 'db_\u0000t1')],
  ['a duration of 1e300 s', line(0, 53, '4242', 'db_t1', `1${'0'.repeat(300)}.0`)],
];

const requests2xx = async (minute: string) =>
  Number(
    (await db.pool.query('SELECT odoo_requests_2xx AS n FROM tenant_minute WHERE tenant_id = $1 AND minute = $2', ['t1', minute])).rows[0]
      ?.n ?? 0,
  );
const runner = () =>
  new CollectorRunner({
    pool: db.pool,
    partitions: new PartitionKeeper(db.pool),
    fleet,
    clock: systemClock,
    log: silentLogger,
    timeoutSeconds: 10,
  });

describe('poison lines', () => {
  it('in the tail: the 40 good lines around them are stored, they are counted, the checkpoint moves and the next run goes on', async () => {
    appendFileSync(logFile, good(0, 20) + POISON.map(([, l]) => l).join('') + good(0, 20));
    const first = await runner().run({ collector: 'odoo-log', target: logFile, scheduledAt: new Date(1) });
    expect(first).toMatchObject({ records: 40, rejected: POISON.length, duplicate: false });
    expect(await requests2xx('2026-03-01T09:00:00Z')).toBe(40);
    appendFileSync(logFile, good(1, 5));
    const second = await runner().run({ collector: 'odoo-log', target: logFile, scheduledAt: new Date(2) });
    expect(second).toMatchObject({ records: 5, rejected: 0 });
    expect(await requests2xx('2026-03-01T09:01:00Z')).toBe(5);
    const status = await db.pool.query("SELECT success, rejected_total FROM collector_status WHERE collector = 'odoo-log'");
    expect(status.rows).toEqual([{ success: true, rejected_total: POISON.length }]);
  });

  it.each(POISON)('in a push (%s): answered 200 with it counted, the good lines stored', async (_what, poison) => {
    const minute = 10 + POISON.findIndex(([, l]) => l === poison);
    const body = (good(minute, 20) + poison + good(minute, 20)).trimEnd();
    const response = await app.inject({
      method: 'POST',
      url: '/ingest/odoo-log/c1',
      payload: body,
      headers: { 'content-type': 'text/plain' },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ records: 40, rejected: 1, duplicate: false });
    expect(await requests2xx(`2026-03-01T09:${minute}:00Z`)).toBe(40);
  });
});
