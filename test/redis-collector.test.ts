import { systemClock } from '../services/core/clock';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInfo, serverStats } from '../collectors/redis/info-parser';
import { ManualClock } from '../services/core/clock';
import { CollectorRunner } from '../collectors/runner';
import type { RunContext } from '../collectors/lib/collector';
import type { Fleet } from '../services/config/fleet-types';
import { ingestRedis, redisCollector, type RedisTarget } from '../collectors/redis/collector';
import { silentLogger } from '../services/core/logger';
import { createMetricsRegistry } from '../services/metrics/registry';
import { PartitionKeeper } from '../services/storage/partitions';
import { REDIS_URL } from './helpers/database';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';
import { KeptConnections } from '../collectors/lib/connections';
import { buildFleet, tenantSpec } from './helpers/fleet-builder';

// connections to the monitored servers, kept between runs as the runner keeps them
const connections = new KeptConnections();

/**
 * The redis collector on the real Redis: named clients of two tenants (unique prefixes per run),
 * a third tenant mapped by a spare db index, counters across runs, reset and duplicate handling,
 * the /metrics series, and a dead server failing fast.
 */
const SPARE_DB = 14;
const tag = randomBytes(4).toString('hex');
const prefixA = `ts${tag}a:`;
const prefixB = `ts${tag}b:`;

function redisFleet(url: string, cluster = 'c1'): Fleet {
  return buildFleet(
    {
      clusters: { [cluster]: { timezone: 'Europe/Berlin', redis: { url, intervalSeconds: 5, timeoutSeconds: 1 } } },
      tenants: [
        tenantSpec('ta', cluster, { redis: { clientPrefix: prefixA } }),
        tenantSpec('tb', cluster, { redis: { clientPrefix: prefixB } }),
        tenantSpec('tc', cluster, { redis: { db: SPARE_DB } }),
        tenantSpec('td', cluster),
      ],
    },
    { source: `redis-${cluster}.yaml` },
  );
}

let fleet: Fleet;
let db: MigratedDatabase;
let clients: Redis[] = [];
const clock = new ManualClock(Date.parse('2026-03-10T10:00:05Z'));
let scheduled = 0;

const deps = () => ({ pool: db.pool, partitions: new PartitionKeeper(db.pool), fleet, clock, log: silentLogger });
const context = (scheduledAt = new Date(Date.parse('2026-03-10T10:00:00Z') + 5_000 * scheduled++)): RunContext => ({
  scheduledAt,
  startedAt: clock.now(),
  worker: 'test',
  signal: new AbortController().signal,
  connections,
});
const target = () => redisCollector.targets(fleet)[0] as RedisTarget;

async function open(options: { connectionName?: string; db?: number }): Promise<Redis> {
  const client = new Redis(REDIS_URL, { ...options, lazyConnect: true });
  await client.connect();
  await client.ping();
  clients.push(client);
  return client;
}

beforeAll(async () => {
  fleet = redisFleet(REDIS_URL);
  db = await migratedDatabase(fleet);
  const a1 = await open({ connectionName: `${prefixA}web` });
  await open({ connectionName: `${prefixA}cron` });
  await open({ connectionName: `${prefixB}web` });
  const c = await open({ db: SPARE_DB });
  await a1.set(`${prefixA}k1`, 'v', 'EX', 600);
  await c.set(`${prefixA}db-k1`, 'v', 'EX', 600);
  await c.set(`${prefixA}db-k2`, 'v');
});

afterAll(async () => {
  const cleaner = await open({});
  await cleaner.del(`${prefixA}k1`);
  await cleaner.select(SPARE_DB);
  await cleaner.del(`${prefixA}db-k1`, `${prefixA}db-k2`);
  await Promise.all(clients.map((c) => c.quit()));
  clients = [];
  await connections.closeAll();
  await db?.close();
});

describe('redis collector on the real Redis', () => {
  it('reads the live server INFO without a rejected line', async () => {
    const client = await open({});
    const text = await client.info('all');
    const { info, rejected } = parseInfo(text);
    expect(rejected).toBe(0);
    const stats = serverStats(info);
    expect(stats.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(stats.gauges.usedMemoryBytes).toBeGreaterThan(0);
    expect(stats.counters.commandsProcessed).toBeGreaterThan(0);
    expect(info.commands.some((c) => c.command === 'info')).toBe(true);
  });

  it('maps named clients and a db index to tenants, stores keyspace and server state', async () => {
    const outcome = await ingestRedis(deps(), target(), context());
    expect(outcome).toMatchObject({ duplicate: false, rejected: 0 });
    const tenants = await db.pool.query(
      'SELECT tenant_id, clients, client_memory_bytes, keys, commands_total FROM redis_tenant_state ORDER BY tenant_id',
    );
    expect(tenants.rows.map((r) => [r.tenant_id, r.clients])).toEqual([
      ['ta', 2],
      ['tb', 1],
      ['tc', 1],
    ]);
    for (const row of tenants.rows) expect(Number(row.client_memory_bytes)).toBeGreaterThan(0);
    expect(tenants.rows.find((r) => r.tenant_id === 'tc')?.keys).toBeGreaterThanOrEqual(2);
    expect(tenants.rows.find((r) => r.tenant_id === 'ta')?.keys).toBeNull();

    const server = await db.pool.query('SELECT * FROM redis_server_state');
    expect(server.rows[0]).toMatchObject({ cluster_id: 'c1', role: 'master' });
    expect(Number(server.rows[0].used_memory_bytes)).toBeGreaterThan(0);
    const spare = await db.pool.query('SELECT keys, expires FROM redis_db_state WHERE cluster_id = $1 AND db = $2', ['c1', SPARE_DB]);
    expect(spare.rows[0]?.keys).toBeGreaterThanOrEqual(2);
    // a first sample has no interval: no totals yet, never a made-up 0
    const totals = await db.pool.query('SELECT commands_processed FROM redis_server_total');
    expect(totals.rows[0]?.commands_processed).toBeNull();
  });

  it('adds counter deltas on the next run, from whichever worker', async () => {
    const before = await db.pool.query('SELECT counters FROM redis_server_state');
    const a1 = clients[0] as Redis;
    for (let i = 0; i < 20; i++) await a1.get(`${prefixA}k1`);
    clock.advance(5_000);
    await ingestRedis(deps(), target(), context());
    const after = await db.pool.query('SELECT counters FROM redis_server_state');
    const totals = await db.pool.query('SELECT commands_processed, resets FROM redis_server_total');
    const grew = after.rows[0].counters.commandsProcessed - before.rows[0].counters.commandsProcessed;
    expect(grew).toBeGreaterThanOrEqual(20);
    expect(totals.rows[0]).toEqual({ commands_processed: grew, resets: 0 });
    const minute = await db.pool.query('SELECT samples, commands_processed FROM redis_minute');
    expect(minute.rows).toEqual([{ samples: 2, commands_processed: grew }]);
  });

  it('drops the interval when the run_id changes (a restart) and counts the reset', async () => {
    const totals = async () => (await db.pool.query('SELECT commands_processed, resets FROM redis_server_total')).rows[0];
    const before = await totals();
    await db.pool.query("UPDATE redis_server_state SET run_id = 'a-previous-life'");
    clock.advance(5_000);
    await ingestRedis(deps(), target(), context());
    expect(await totals()).toEqual({ commands_processed: before.commands_processed, resets: 1 });
  });

  it('writes nothing for a duplicated run or a sample older than the stored one', async () => {
    const at = new Date('2026-03-10T11:00:00Z');
    clock.advance(5_000);
    expect((await ingestRedis(deps(), target(), context(at))).duplicate).toBe(false);
    const state = async () => (await db.pool.query('SELECT sampled_at, counters FROM redis_server_state')).rows[0];
    const stored = await state();
    clock.advance(5_000);
    expect((await ingestRedis(deps(), target(), context(at))).duplicate).toBe(true);
    expect(await state()).toEqual(stored);
    clock.set(clock.now() - 60_000);
    expect((await ingestRedis(deps(), target(), context())).duplicate).toBe(true);
    expect(await state()).toEqual(stored);
    clock.advance(120_000);
  });

  it('publishes per-tenant and cluster series on /metrics', async () => {
    const text = await createMetricsRegistry(db.pool, { version: 't', revision: 't' }, silentLogger, systemClock).metrics();
    expect(text).toContain('tenantscope_redis_tenant_clients{tenant="ta",cluster="c1"} 2');
    expect(text).toContain('tenantscope_redis_tenant_clients{tenant="tb",cluster="c1"} 1');
    expect(text).toContain('tenantscope_redis_tenant_clients{tenant="tc",cluster="c1"} 1');
    expect(text).not.toContain('tenantscope_redis_tenant_clients{tenant="td"');
    expect(text).toMatch(/tenantscope_redis_tenant_client_memory_bytes\{tenant="ta",cluster="c1"\} [1-9]\d*/);
    expect(text).toMatch(new RegExp(`tenantscope_redis_db_keys\\{cluster="c1",db="${SPARE_DB}"\\} [1-9]`));
    expect(text).toMatch(/tenantscope_redis_memory_used_bytes\{cluster="c1"\} [1-9]\d*/);
    expect(text).toMatch(/tenantscope_redis_commands_processed_total\{cluster="c1"\} [1-9]\d*/);
    expect(text).toMatch(/tenantscope_redis_stats_resets_total\{cluster="c1"\} 1/);
    expect(text).toMatch(/tenantscope_redis_instance_info\{cluster="c1",version="[\d.]+",role="master"\} 1/);
    expect(text).toContain('tenantscope_metrics_store_up 1');
  });

  it('runs through the collector runner, which records its health per cluster', async () => {
    clock.advance(5_000);
    const runner = new CollectorRunner({ ...deps(), timeoutSeconds: 5 });
    const outcome = await runner.run({ collector: 'redis', target: 'c1', scheduledAt: new Date('2026-03-10T12:00:00Z') });
    expect(outcome).toMatchObject({ duplicate: false, rejected: 0 });
    const status = await db.pool.query("SELECT success FROM collector_status WHERE collector = 'redis' AND target = 'c1'");
    expect(status.rows).toEqual([{ success: true }]);
  });

  it('counts a tenant whose clients left as 0 clients, not as missing', async () => {
    const b = clients.splice(2, 1)[0] as Redis;
    await b.quit();
    clock.advance(5_000);
    await ingestRedis(deps(), target(), context());
    const row = await db.pool.query("SELECT clients FROM redis_tenant_state WHERE tenant_id = 'tb'");
    expect(row.rows[0]?.clients).toBe(0);
  });
});

describe('a dead monitored Redis', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // accepts connections and never answers: only the collector's timeouts end the run
    silent = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it.each([
    ['refuses connections', () => 'redis://127.0.0.1:1'],
    ['never answers', () => `redis://127.0.0.1:${(silent.address() as { port: number }).port}`],
  ])('fails the run quickly when it %s', async (_what, url) => {
    const deadFleet = redisFleet(url(), 'dead');
    const dead = redisCollector.targets(deadFleet)[0] as RedisTarget;
    const started = Date.now();
    await expect(ingestRedis({ ...deps(), fleet: deadFleet }, dead, context())).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
