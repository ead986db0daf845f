import { Redis } from 'ioredis';
import * as redis from './read';
import type { CollectorDefinition, CollectorTarget, IngestDeps, RunContext, RunOutcome } from '../lib/collector';
import type { KeptConnections } from '../lib/connections';
import type { Fleet, Password } from '../../services/config/fleet-types';
import type { Logger } from '../../services/core/logger';
import { withPassword } from '../../services/core/secret';
import { claimRun } from '../lib/collector-store';
import { withTransaction } from '../../services/storage/db';
import { lockRedisTarget, readRedisBase, writeRedisSample, type TenantSample } from './store';
import { attributeClients, counterDeltas } from './deltas';
import { succeededRun } from '../lib/run-record';
import { Rejections } from '../lib/rejections';
import { storableSample } from './storable';

export interface RedisTarget extends CollectorTarget {
  collector: 'redis';
  /** The monitored server, `clusters.<id>.redis.url`; never shown (it may hold a password). */
  url: string;
  password?: Password;
  timeoutSeconds: number;
}

interface KeptRedis {
  client: Redis;
  ready: Promise<void>;
}

/**
 * The cluster's ioredis client, kept between runs by the runner. Short connect and command
 * timeouts and no reconnect loop: a dead Redis fails the run quickly, and the next run connects afresh.
 */
async function redisClient(
  target: RedisTarget,
  connections: KeptConnections,
  log: Logger,
  signal: AbortSignal,
): Promise<{ client: Redis; release: () => void }> {
  signal.throwIfAborted();
  const key = `redis ${target.target} ${target.url}`;
  const open = (): KeptRedis => {
    const ms = target.timeoutSeconds * 1000;
    const client = new Redis(withPassword(target.url, target.password), {
      connectionName: 'tenantscope-collector',
      lazyConnect: true,
      connectTimeout: ms,
      commandTimeout: ms,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    // errors reach the run through its commands (recorded as its failure); the event must neither
    // crash the process nor be printed by ioredis whole, AUTH arguments included
    client.on('error', (err: Error) => log.debug({ collector: 'redis', target: target.target, err }, 'monitored redis connection error'));
    return { client, ready: client.connect() };
  };
  const close = async ({ client }: KeptRedis) => {
    if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
    else client.disconnect();
  };
  let kept = connections.get(key, open, close);
  if (kept.client.status === 'end' || kept.client.status === 'close') {
    await connections.drop(key);
    kept = connections.get(key, open, close);
  }
  const { client, ready } = kept;
  // The run timed out: its commands fail at once instead of waiting for their own timeouts, and
  // the next run connects afresh (a disconnected client is dropped above).
  const onAbort = () => client.disconnect();
  signal.addEventListener('abort', onAbort, { once: true });
  const release = () => signal.removeEventListener('abort', onAbort);
  try {
    // connect() alone can take several command timeouts (SETNAME, then the ready check)
    await deadline(ready, target.timeoutSeconds * 1000, () => client.disconnect());
  } catch (err) {
    release();
    throw err;
  }
  return { client, release };
}

/** `work`, or a rejection after `ms` (calling `onTimeout` first). */
function deadline<T>(work: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`redis: no answer within ${ms / 1000}s`));
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export const redisCollector: CollectorDefinition<RedisTarget> = {
  name: redis.name,
  targets: (fleet: Fleet) =>
    Object.values(fleet.clusters).flatMap((cluster) =>
      cluster.redis
        ? [
            {
              collector: 'redis' as const,
              target: cluster.id,
              intervalSeconds: cluster.redis.intervalSeconds,
              cluster: cluster.id,
              url: cluster.redis.url,
              ...(cluster.redis.password && { password: cluster.redis.password }),
              timeoutSeconds: cluster.redis.timeoutSeconds,
            },
          ]
        : [],
    ),
  run: (deps, target, context) => ingestRedis(deps, target, context),
};

/**
 * Samples one cluster's Redis and stores it. Counter deltas start from the previous sample kept
 * in PostgreSQL, read and replaced under a lock on the target, so whichever worker runs next
 * continues them; a duplicated run, or a sample older than the stored one, writes nothing.
 */
export async function ingestRedis(deps: IngestDeps, target: RedisTarget, run: RunContext): Promise<RunOutcome> {
  const { client, release } = await redisClient(target, run.connections, deps.log, run.signal);
  const rejections = new Rejections();
  const read = await redis.collect({ client, now: () => deps.clock.now() }).finally(release);
  // a run the runner abandoned at its timeout (already recorded as failed) stores nothing
  run.signal.throwIfAborted();
  rejections.add('malformed', read.rejected);
  // what PostgreSQL could not store is left out and counted; the rest of the sample is stored
  const sample = storableSample(read, rejections);
  const minute = Math.floor(sample.ts / 60_000) * 60_000;
  await deps.partitions.ensure('redis_minute', [minute]);
  await deps.partitions.ensure('redis_tenant_minute', [minute]);
  const tenants = deps.fleet.tenants.filter((t) => t.cluster === target.cluster);
  const records = 1 + sample.clients.length + sample.info.keyspace.length;
  const finishedAt = new Date(deps.clock.now());
  let unattributed = 0;
  const applied = await withTransaction(deps.pool, async (tx) => {
    await lockRedisTarget(tx, target.cluster);
    if (!(await claimRun(tx, succeededRun(target.collector, target.target, run, finishedAt, records, rejections)))) return false;
    const base = await readRedisBase(tx, target.cluster);
    // a slower run that read the server before the stored sample must not move the base back
    if (base && base.sampledAt >= sample.ts) return false;
    const { deltas, reset } = counterDeltas(base, sample.stats);
    const attribution = attributeClients(tenants, sample.clients, sample.selfClientId, base, sample.ts, reset);
    unattributed = attribution.unattributed;
    const keysByDb = new Map(sample.info.keyspace.map((k) => [k.db, k.keys]));
    const tenantRows: TenantSample[] = attribution.tenants.map((u) => {
      const db = tenants.find((t) => t.id === u.tenantId)?.redis.db;
      // Redis lists only dbs that hold keys: a tenant's db missing from the keyspace is empty
      return { ...u, keys: db === undefined ? null : (keysByDb.get(db) ?? 0) };
    });
    await writeRedisSample(tx, {
      clusterId: target.cluster,
      sampledAt: sample.ts,
      minute,
      stats: sample.stats,
      replicas: sample.info.replicas.map(({ ip, port, state, offset, lag }) => ({ ip, port, state, offset, lag: lag ?? null })),
      unattributed,
      clientCommands: attribution.clientCommands,
      deltas,
      reset,
      keyspace: sample.info.keyspace,
      tenants: tenantRows,
    });
    return true;
  });
  return { records: applied ? records : 0, rejected: applied ? rejections.total : 0, duplicate: !applied, unattributed };
}
