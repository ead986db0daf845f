import type { Queryable } from './db';

/**
 * Every PostgreSQL advisory lock tenantscope takes, in one place, so two never share an id by
 * accident. Two-key locks (`pg_advisory_xact_lock(id, hashtext(key))`) use the id as a namespace;
 * one-key locks stand alone. Ids are 7461xxx ("TS" on a phone keypad, with room around).
 */
export const LOCK = Object.freeze({
  /** Session lock around the migrations: one starting process migrates, the others wait. */
  migration: 7_461_001,
  /** Creating monthly partitions (concurrent CREATE ... PARTITION OF collide). */
  partition: 7_461_002,
  /** Writing the fleet file's copy into the database. */
  fleetSync: 7_461_003,
  /** Dropping old monthly partitions (services/storage/retention.ts): one run at a time. */
  retention: 7_461_004,
  /** A cluster's pg_stat_database readings (namespace; key: the cluster). */
  postgresStats: 7_461_005,
  /** Freezing one tenant-month's SLA report (namespace; key: tenant/month). */
  slaFreeze: 7_461_009,
  /** Counting one tenant's closed SLA minutes (namespace; key: the tenant). */
  slaCounter: 7_461_010,
  /** The noisy-neighbour run of one cluster (namespace; key: the cluster). */
  noisy: 7_461_020,
});

/** The seed of the per-target locks: `hashtextextended('<collector>|<target>', seed)`. */
const TARGET_SEED = 7461;

/** Takes a one-key lock for the client's session, until unlockForSession (migrations span many transactions). */
export async function lockForSession(client: Queryable, id: number): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1)', [id]);
}

/** Takes a one-key session lock if nobody holds it; false when somebody does (the caller does not wait). */
export async function tryLockForSession(client: Queryable, id: number): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [id]);
  return rows[0]!.ok;
}

/** Releases a lockForSession or tryLockForSession lock. */
export async function unlockForSession(client: Queryable, id: number): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1)', [id]);
}

/** Takes a one-key lock until the end of the caller's transaction. */
export async function lockForTransaction(client: Queryable, id: number): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [id]);
}

/** Takes the lock `namespace` × `key` until the end of the caller's transaction. */
export async function lockKeyForTransaction(client: Queryable, namespace: number, key: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [namespace, key]);
}

/**
 * Takes the lock of one collector target until the end of the caller's transaction: a tail's
 * checkpoint, or the previous sample a run's deltas start from.
 */
export async function lockTargetForTransaction(client: Queryable, collector: string, target: string): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1 || '|' || $2, $3))", [collector, target, TARGET_SEED]);
}
