import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectorRunner } from '../collectors/runner';
import * as backupsReader from '../collectors/backups/read';
import * as odooLogReader from '../collectors/odoo-log/read';
import type { Fleet } from '../services/config/fleet-types';
import { systemClock } from '../services/core/clock';
import { silentLogger } from '../services/core/logger';
import type { Pool } from '../services/storage/db';
import { PartitionKeeper, type MonthlyTable } from '../services/storage/partitions';
import { buildFleet, tenantSpec } from './helpers/fleet-builder';
import { freePorts, waitFor } from './helpers/processes';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

/**
 * Every collector honours the runner's timeout: a source that never answers is abandoned when the
 * run times out (its connection closed, seen from the source's side), the run is recorded as
 * timed out, and a run stuck in a step of its own stores nothing once the step returns.
 */
const TIMEOUT_SECONDS = 0.5;
let dir: string;
let store: MigratedDatabase;
let fleet: Fleet;
const servers: (Server | HttpServer)[] = [];
/** Connections each fake source accepted, and how many of them were closed since. */
const seen = { probe: { opened: 0, closed: 0 }, redis: { opened: 0, closed: 0 }, postgres: { opened: 0, closed: 0 } };

function track(counter: { opened: number; closed: number }, socket: Socket): void {
  counter.opened += 1;
  socket.on('close', () => (counter.closed += 1));
  socket.on('error', () => undefined);
}

/** A TCP server that reads what it is sent and never answers (a hung Redis). */
function silentServer(counter: { opened: number; closed: number }): Server {
  return createServer((socket) => {
    track(counter, socket);
    socket.resume();
  });
}

/**
 * A PostgreSQL that completes the startup handshake (AuthenticationOk, ReadyForQuery) and then
 * never answers a query: the collector's first statement hangs.
 */
function hungPostgres(counter: { opened: number; closed: number }): Server {
  return createServer((socket) => {
    track(counter, socket);
    let greeted = false;
    socket.on('data', () => {
      if (greeted) return;
      greeted = true;
      const auth = Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0]);
      const ready = Buffer.from([0x5a, 0, 0, 0, 5, 0x49]);
      socket.write(Buffer.concat([auth, ready]));
    });
  });
}

/** A keeper whose first call blocks until released: a run stuck in its own step, past the timeout. */
class StuckPartitions extends PartitionKeeper {
  calls = 0;
  returned = 0;
  release: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));

  override async ensure(table: MonthlyTable, instants: Iterable<number>): Promise<void> {
    this.calls += 1;
    await this.gate;
    await super.ensure(table, instants);
    this.returned += 1;
  }
}

/** The store's pool, counting the transactions begun through it (withTransaction connects). */
function countingPool(pool: Pool): { pool: Pool; connects: () => number } {
  let n = 0;
  const proxy = new Proxy(pool, {
    get(target, key) {
      if (key === 'connect') {
        return () => {
          n += 1;
          return target.connect();
        };
      }
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { pool: proxy, connects: () => n };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ts-timeouts-'));
  const [probePort, redisPort, pgPort] = await freePorts(3);
  const probe = createHttpServer(() => undefined);
  probe.on('connection', (socket) => track(seen.probe, socket));
  servers.push(probe, silentServer(seen.redis), hungPostgres(seen.postgres));
  await Promise.all(
    servers.map((s, i) => new Promise<void>((resolve) => s.listen([probePort, redisPort, pgPort][i], '127.0.0.1', resolve))),
  );
  writeFileSync(
    join(dir, 'odoo.log'),
    '2026-03-01 00:00:01,000 4242 INFO db_a werkzeug: 10.0.0.1 - - [01/Mar/2026 00:00:01] "POST /web/dataset/call_kw HTTP/1.1" 200 - 3 0.010 0.020\n',
  );
  writeFileSync(
    join(dir, 'jobs.ndjson'),
    `${JSON.stringify({ tenant: 'a', kind: 'backup', status: 'ok', started_at: '2026-03-01T00:00:00Z', finished_at: '2026-03-01T00:10:00Z' })}\n`,
  );
  fleet = buildFleet(
    {
      clusters: {
        c1: {
          timezone: 'UTC',
          // the sources' own timeouts are long: only the runner's timeout can end these runs
          probe: { url: `http://127.0.0.1:${probePort}`, timeoutSeconds: 60 },
          redis: { url: `redis://127.0.0.1:${redisPort}`, timeoutSeconds: 60 },
          postgres: { url: `postgres://tenantscope@127.0.0.1:${pgPort}/monitored` },
          odoo: { logFiles: ['odoo.log'] },
          backups: { jobResultsFile: 'jobs.ndjson' },
        },
      },
      tenants: [tenantSpec('a', 'c1', { database: 'db_a' })],
    },
    { source: join(dir, 'fleet.yaml'), baseDir: dir },
  );
  store = await migratedDatabase(fleet);
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function runner(partitions: PartitionKeeper = new PartitionKeeper(store.pool), pool: Pool = store.pool): CollectorRunner {
  return new CollectorRunner({ pool, partitions, fleet, clock: systemClock, log: silentLogger, timeoutSeconds: TIMEOUT_SECONDS });
}

async function status(collector: string, target: string): Promise<{ success: boolean; error: string | null } | undefined> {
  const { rows } = await store.pool.query<{ success: boolean; error: string | null }>(
    'SELECT success, error FROM collector_status WHERE collector = $1 AND target = $2',
    [collector, target],
  );
  return rows[0];
}

describe('collectors under the runner timeout', () => {
  it.each([
    ['odoo-probe', 'a.example.test', 'probe'],
    ['redis', 'c1', 'redis'],
    ['postgres', 'c1/stats', 'postgres'],
  ] as const)('%s: a source that never answers is abandoned at the timeout, its connection closed', async (collector, target, source) => {
    const r = runner();
    try {
      const counter = seen[source];
      const before = counter.closed;
      expect(await r.run({ collector, target, scheduledAt: new Date() })).toBeUndefined();
      expect(await status(collector, target)).toEqual({ success: false, error: `timed out after ${TIMEOUT_SECONDS}s` });
      expect(counter.opened).toBeGreaterThan(before);
      // the collector closed its connection itself: the source's own timeout (60 s) is far away
      await waitFor(`${collector} to close its connection`, () => counter.closed === counter.opened, 5_000);
    } finally {
      await r.close();
    }
  });

  it('the file readers stop at an aborted signal instead of reading on', async () => {
    const signal = AbortSignal.abort(new Error('the run timed out'));
    await expect(odooLogReader.collect({ file: join(dir, 'odoo.log'), zone: 'UTC', now: Date.now(), signal })).rejects.toThrow(
      'the run timed out',
    );
    await expect(backupsReader.collect({ stanza: 'c1', jobResultsFile: join(dir, 'jobs.ndjson'), signal })).rejects.toThrow(
      'the run timed out',
    );
    // the same reads without the signal succeed
    expect((await odooLogReader.collect({ file: join(dir, 'odoo.log'), zone: 'UTC', now: Date.now() })).records).toHaveLength(1);
    expect((await backupsReader.collect({ stanza: 'c1', jobResultsFile: join(dir, 'jobs.ndjson') })).problems).toEqual([]);
  });

  it.each([
    ['odoo-log', 'odoo.log'],
    ['backups', 'c1'],
  ] as const)('%s: a run stuck past the timeout stores nothing when its step returns', async (collector, file) => {
    const target = collector === 'odoo-log' ? join(dir, file) : file;
    const partitions = new StuckPartitions(store.pool);
    const counting = countingPool(store.pool);
    const r = runner(partitions, counting.pool);
    try {
      expect(await r.run({ collector, target, scheduledAt: new Date() })).toBeUndefined();
      expect(partitions.calls).toBe(1);
      expect(await status(collector, target)).toEqual({ success: false, error: `timed out after ${TIMEOUT_SECONDS}s` });
      const connectsAtTimeout = counting.connects();
      partitions.release();
      await waitFor('the stuck step to return', () => partitions.returned >= 1, 5_000);
      // what the abandoned run would do next happens in the same turn; give it a few more
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(counting.connects()).toBe(connectsAtTimeout);
      const { rows } = await store.pool.query('SELECT 1 FROM ingest_checkpoint WHERE collector = $1 AND target = $2', [collector, target]);
      expect(rows).toEqual([]);
      const runs = await store.pool.query<{ success: boolean }>('SELECT success FROM collector_run WHERE collector = $1', [collector]);
      expect(runs.rows).toEqual([{ success: false }]);
    } finally {
      partitions.release();
      await r.close();
    }
  });
});
