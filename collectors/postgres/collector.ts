import pg from 'pg';
import * as postgres from './read';
import type { CheckpointRecord, DatabaseStatsRecord, PostgresBatch, PostgresRunKind, SlotRecord, StandbyRecord } from './read';
import { counterDelta, storesReading, type CounterReading } from './delta';
import type { CollectorDefinition, CollectorTarget, IngestDeps, RunContext, RunOutcome } from '../lib/collector';
import type { Fleet, Password } from '../../services/config/fleet-types';
import { withPassword } from '../../services/core/secret';
import { claimRun } from '../lib/collector-store';
import { withTransaction, type Client } from '../../services/storage/db';
import {
  addActivitySample,
  addDatabaseDeltas,
  lockClusterStats,
  readCounterStates,
  replaceReplication,
  replaceStatements,
  writeClusterStats,
  writeCounterStates,
  writeDatabaseGauges,
  writeSizes,
  type DatabaseDelta,
  type DatabaseGauges,
} from './store';
import { LOCK_MODES } from './queries';
import { sizesSlice } from './sizes';
import { minuteOf } from '../lib/minute-rollup';
import { rollupActivity } from './rollup';
import { succeededRun } from '../lib/run-record';
import { recordUnreachable, UNREACHABLE_TABLE } from './outage-store';
import { Rejections } from '../lib/rejections';

/**
 * Three targets per cluster with a `postgres` block, each with its own schedule and health
 * series: `<cluster>/activity` (pg_stat_activity, every second by default), `<cluster>/stats`
 * (pg_stat_database with its conflicts, locks, checkpoints, replication, slots) and
 * `<cluster>/sizes`. Sizes have their own slow target because pg_database_size() reads every
 * file of a database: on a big cluster it can take seconds, and it must neither delay nor time
 * out the stats run. A sizes run measures only the databases sized longest ago (a rotating share,
 * SIZE_ROTATION runs to come round), so its cost does not grow with the whole cluster each run.
 */
export interface PostgresTarget extends CollectorTarget {
  collector: 'postgres';
  kind: PostgresRunKind;
  /** As written in the fleet file: never shown; the target id names the cluster instead. */
  url: string;
  password?: Password;
}

/** A gauge stays published for this many of its intervals after its sample. */
const FRESH_INTERVALS = 3;

export const postgresTargets = (fleet: Fleet): PostgresTarget[] =>
  Object.values(fleet.clusters).flatMap((cluster) => {
    const pgc = cluster.postgres;
    if (!pgc) return [];
    const target = (kind: PostgresRunKind, intervalSeconds: number): PostgresTarget => ({
      collector: 'postgres',
      target: `${cluster.id}/${kind}`,
      intervalSeconds,
      cluster: cluster.id,
      kind,
      url: pgc.url,
      ...(pgc.password && { password: pgc.password }),
    });
    return [
      target('activity', pgc.activityIntervalSeconds),
      target('stats', pgc.intervalSeconds),
      target('sizes', pgc.sizeIntervalSeconds),
    ];
  });

/** One small pool per monitored server, kept between runs; statements there never run long. */
function openMonitoredPool(url: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: 2,
    application_name: 'tenantscope-collector',
    statement_timeout: 5_000,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 60_000,
  });
  // an idle connection the server closed must not crash the process; the next run reconnects
  pool.on('error', () => undefined);
  return pool;
}

export const postgresCollector: CollectorDefinition<PostgresTarget> = {
  name: postgres.name,
  targets: postgresTargets,
  run: (deps, target, context) => ingestPostgres(deps, target, context),
  // a failed stats run is the SLA's "PostgreSQL unreachable" signal (docs/sla.md)
  failureEvidence: (target, scheduledAt) =>
    target.kind === 'stats'
      ? { table: UNREACHABLE_TABLE, atMs: scheduledAt.getTime(), write: (tx) => recordUnreachable(tx, target.cluster, scheduledAt) }
      : undefined,
};

/**
 * Runs `read` on one connection of the monitored pool. When the run times out, that connection is
 * closed and removed from the pool: the query waiting on it fails at once and the run stops; on
 * the server, the statement is bounded by the pool's statement_timeout.
 */
async function onAbortableClient<T>(pool: pg.Pool, signal: AbortSignal, read: (db: pg.PoolClient) => Promise<T>): Promise<T> {
  signal.throwIfAborted();
  const client = await pool.connect();
  let released = false;
  const release = (err?: Error) => {
    if (released) return;
    released = true;
    client.release(err);
  };
  const onAbort = () => release(new Error('postgres: the collector run timed out'));
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await read(client);
  } finally {
    signal.removeEventListener('abort', onAbort);
    release();
  }
}

function tenantDatabases(fleet: Fleet, cluster: string): Map<string, string> {
  return new Map(fleet.tenants.filter((t) => t.cluster === cluster).map((t) => [t.database, t.id]));
}

/** Reads the monitored server, then stores what it yielded in one transaction under the run's key. */
export async function ingestPostgres(deps: IngestDeps, target: PostgresTarget, run: RunContext): Promise<RunOutcome> {
  const tenantByDb = tenantDatabases(deps.fleet, target.cluster);
  let databases = [...tenantByDb.keys()];
  // a size stays published until the rotation comes round to it again, and a bit more
  let freshIntervals = FRESH_INTERVALS;
  if (target.kind === 'sizes') {
    const slice = sizesSlice(databases, run.scheduledAt.getTime(), target.intervalSeconds);
    databases = slice.databases;
    freshIntervals = FRESH_INTERVALS + slice.runs;
  }
  const pool = run.connections.get(
    `postgres ${target.url}`,
    () => openMonitoredPool(withPassword(target.url, target.password)),
    (kept) => kept.end(),
  );
  const batch = await onAbortableClient(pool, run.signal, (db) =>
    postgres.collect({ db, kind: target.kind, databases, now: () => deps.clock.now() }),
  );
  // a run the runner abandoned at its timeout (already recorded as failed) stores nothing
  run.signal.throwIfAborted();
  const sampledAt = new Date(batch.ts);
  const freshUntil = new Date(batch.ts + freshIntervals * target.intervalSeconds * 1000);
  if (target.kind !== 'sizes') await deps.partitions.ensure('pg_tenant_minute', [batch.ts]);
  let unattributed = 0;
  const applied = await withTransaction(deps.pool, async (client) => {
    const claimed = await claimRun(
      client,
      succeededRun(
        target.collector,
        target.target,
        run,
        new Date(deps.clock.now()),
        batch.records.length,
        new Rejections({ malformed: batch.rejected }),
      ),
    );
    if (!claimed) return false;
    if (target.kind === 'activity') unattributed = await storeActivity(client, target, batch, tenantByDb, sampledAt, freshUntil);
    else if (target.kind === 'stats') await storeStats(client, target, batch, tenantByDb, sampledAt, freshUntil, deps);
    else {
      const sizes = batch.records.flatMap((r) =>
        r.type === 'size' && tenantByDb.has(r.datname) ? [{ tenantId: tenantByDb.get(r.datname) as string, bytes: r.bytes }] : [],
      );
      await writeSizes(client, sizes, sampledAt, freshUntil);
    }
    return true;
  });
  return { records: applied ? batch.records.length : 0, rejected: applied ? batch.rejected : 0, duplicate: !applied, unattributed };
}

async function storeActivity(
  client: Client,
  target: PostgresTarget,
  batch: PostgresBatch,
  tenantByDb: Map<string, string>,
  sampledAt: Date,
  freshUntil: Date,
): Promise<number> {
  const backends = batch.records.filter((r): r is postgres.BackendRecord => r.type === 'backend');
  const rollup = rollupActivity(backends, tenantByDb, target.intervalSeconds);
  await addActivitySample(client, {
    clusterId: target.cluster,
    minute: new Date(minuteOf(batch.ts)),
    sampledAt,
    freshUntil,
    weightSeconds: target.intervalSeconds,
    tenants: rollup.tenants,
    server: batch.server,
    connections: rollup.connections,
  });
  return rollup.unattributed;
}

/**
 * Deltas of pg_stat_database per tenant database and of the checkpoint counters against the
 * readings stored by the previous run, then the new readings. Under the cluster's advisory lock,
 * a run not newer than the last one stored (a late duplicate) changes nothing.
 */
async function storeStats(
  client: Client,
  target: PostgresTarget,
  batch: PostgresBatch,
  tenantByDb: Map<string, string>,
  sampledAt: Date,
  freshUntil: Date,
  deps: IngestDeps,
): Promise<void> {
  const last = await lockClusterStats(client, target.cluster);
  if (last && last.getTime() >= batch.ts) return;
  const previous = await readCounterStates(client, target.cluster);
  const readings = new Map<string, CounterReading>();
  const deltas: DatabaseDelta[] = [];
  let checkpoints: { timed: number; requested: number } | undefined;
  for (const record of batch.records) {
    if (record.type === 'database-stats') {
      const tenantId = tenantByDb.get(record.datname);
      if (!tenantId) continue;
      const object = `database:${record.datname}`;
      const reading = databaseReading(record, batch.ts);
      const outcome = counterDelta(previous.get(object), reading);
      if (storesReading(outcome)) readings.set(object, reading);
      if (outcome.kind === 'delta') deltas.push({ tenantId, deltas: outcome.deltas });
      if (outcome.kind === 'reset')
        deps.log.info(
          { cluster: target.cluster, datname: record.datname, reason: outcome.reason },
          'pg_stat_database reset: interval dropped',
        );
    } else if (record.type === 'checkpoints') {
      const reading = checkpointReading(record, batch.ts);
      const outcome = counterDelta(previous.get('checkpointer'), reading);
      if (storesReading(outcome)) readings.set('checkpointer', reading);
      if (outcome.kind === 'delta') checkpoints = { timed: outcome.deltas.timed ?? 0, requested: outcome.deltas.requested ?? 0 };
    }
  }
  await addDatabaseDeltas(client, new Date(minuteOf(batch.ts)), deltas);
  await writeCounterStates(client, target.cluster, readings);
  await writeClusterStats(client, target.cluster, sampledAt, checkpoints);
  await writeDatabaseGauges(client, databaseGauges(batch, tenantByDb), sampledAt, freshUntil);
  // without pg_stat_statements the stored statements are left to go stale, not replaced by none
  if (batch.statementsRead) {
    const statements = batch.records.flatMap((r) =>
      r.type === 'statement' && tenantByDb.has(r.datname) ? [{ ...r, tenantId: tenantByDb.get(r.datname) as string }] : [],
    );
    await replaceStatements(client, target.cluster, statements, sampledAt, freshUntil);
  }
  const standbys = batch.records.filter((r): r is StandbyRecord => r.type === 'standby');
  const slots = batch.records.filter((r): r is SlotRecord => r.type === 'slot');
  await replaceReplication(client, target.cluster, sampledAt, freshUntil, standbys, slots);
}

/**
 * Locks by mode and stats_reset of every tenant database pg_stat_database listed: a mode with no
 * lock in the sample is a true 0 for a database that exists, so every mode is present.
 */
function databaseGauges(batch: PostgresBatch, tenantByDb: ReadonlyMap<string, string>): DatabaseGauges[] {
  const gauges = new Map<string, DatabaseGauges>();
  for (const record of batch.records) {
    const tenantId = record.type === 'database-stats' ? tenantByDb.get(record.datname) : undefined;
    if (record.type !== 'database-stats' || !tenantId) continue;
    gauges.set(record.datname, {
      tenantId,
      locks: Object.fromEntries(LOCK_MODES.map((mode) => [mode, 0])),
      statsReset: record.statsReset,
    });
  }
  for (const record of batch.records) {
    const g = record.type === 'locks' ? gauges.get(record.datname) : undefined;
    if (g && record.type === 'locks') g.locks[record.mode] = (g.locks[record.mode] ?? 0) + record.locks;
  }
  return [...gauges.values()];
}

function databaseReading(record: DatabaseStatsRecord, ts: number): CounterReading {
  return {
    identity: String(record.datid),
    statsReset: record.statsReset,
    sampledAt: ts,
    counters: record.counters as Record<string, number>,
  };
}

function checkpointReading(record: CheckpointRecord, ts: number): CounterReading {
  return { identity: 'checkpointer', statsReset: record.statsReset, sampledAt: ts, counters: record.counters };
}
