import type { Cluster, Fleet, Tenant, Tier } from './fleet-types';
import { DEFAULT_DETECTOR_CONFIG } from './noisy-thresholds';
import { redactDeep } from '../core/redact';
import { withTransaction, type Pool, type Queryable } from '../storage/db';
import { LOCK, lockForTransaction } from '../storage/locks';

const UPSERT_TIER = `INSERT INTO tier (id, spec, synced_at) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET spec = EXCLUDED.spec, synced_at = EXCLUDED.synced_at`;
const UPSERT_CLUSTER = `INSERT INTO cluster (id, timezone, spec, synced_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET timezone = EXCLUDED.timezone, spec = EXCLUDED.spec, synced_at = EXCLUDED.synced_at`;
const UPSERT_TENANT = `INSERT INTO tenant (id, name, cluster_id, tier_id, timezone, database, hosts, spec, active, synced_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true, $9)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, cluster_id = EXCLUDED.cluster_id,
           tier_id = EXCLUDED.tier_id, timezone = EXCLUDED.timezone, database = EXCLUDED.database,
           hosts = EXCLUDED.hosts, spec = EXCLUDED.spec, active = true, synced_at = EXCLUDED.synced_at`;
const DEACTIVATE_OTHERS = 'UPDATE tenant SET active = false WHERE NOT (id = ANY($1))';

/**
 * Writes the fleet file's tiers, clusters and tenants to the database. Tenants no longer in the
 * file become inactive, never deleted: their rollups and reports stay readable. The stored copy
 * holds no password: every URL in it is redacted, and a password given by reference is stored
 * as `[secret]`.
 */
export async function syncFleet(pool: Pool, fleet: Fleet, now: Date): Promise<void> {
  await withTransaction(pool, async (client) => {
    await lockForTransaction(client, LOCK.fleetSync);
    for (const tier of Object.values(fleet.tiers)) {
      await client.query(UPSERT_TIER, [tier.id, JSON.stringify(tier), now]);
    }
    for (const cluster of Object.values(fleet.clusters)) {
      await client.query(UPSERT_CLUSTER, [cluster.id, cluster.timezone, JSON.stringify(redactDeep(cluster)), now]);
    }
    for (const t of fleet.tenants) {
      const spec = redactDeep({ ...t, monthlyFee: { ...t.monthlyFee, minor: t.monthlyFee.minor.toString() } });
      await client.query(UPSERT_TENANT, [t.id, t.name, t.cluster, t.tier, t.timezone, t.database, t.hosts, JSON.stringify(spec), now]);
    }
    await client.query(DEACTIVATE_OTHERS, [fleet.tenants.map((t) => t.id)]);
  });
}

/** A tenant of the stored fleet that the fleet file still lists. */
export interface ActiveTenant {
  id: string;
  name: string;
  cluster: string;
  tier: string;
}

const ACTIVE_TENANT_LIST = 'SELECT id, name, cluster_id AS cluster, tier_id AS tier FROM tenant WHERE active ORDER BY id';

/** Active tenants as stored, for readers that did not load the fleet file themselves. */
export async function readActiveTenants(db: Queryable): Promise<ActiveTenant[]> {
  return (await db.query<ActiveTenant>(ACTIVE_TENANT_LIST)).rows;
}

const ACTIVE_TENANT_DATABASES = 'SELECT id, cluster_id AS cluster, database FROM tenant WHERE active ORDER BY id';

/** Active tenants with their cluster and database name. */
export async function readActiveTenantDatabases(db: Queryable): Promise<{ id: string; cluster: string; database: string }[]> {
  return (await db.query<{ id: string; cluster: string; database: string }>(ACTIVE_TENANT_DATABASES)).rows;
}

/** An active tenant with what its tier says of the SLA target and the no-data policy. */
export interface TenantTier {
  id: string;
  cluster: string;
  tier: string;
  timezone: string;
  target: string;
  nodata: string;
  /** The tier's credit steps and cap, as the fleet file gave them. */
  credits: { belowPercent: number; percent: number }[];
  creditCapPercent: number;
  /** The tier's recovery point and recovery time objectives, seconds. */
  rpoSeconds: number;
  rtoSeconds: number;
}

const ACTIVE_TENANT_TIERS = `SELECT t.id, t.cluster_id AS cluster, t.tier_id AS tier, t.timezone, r.spec->>'targetPercent' AS target, r.spec->>'nodata' AS nodata,
      coalesce(r.spec->'credits', '[]') AS credits, (r.spec->>'creditCapPercent')::float8 AS "creditCapPercent",
      (r.spec->>'rpoSeconds')::float8 AS "rpoSeconds", (r.spec->>'rtoSeconds')::float8 AS "rtoSeconds"
    FROM tenant t JOIN tier r ON r.id = t.tier_id WHERE t.active ORDER BY t.id`;

export async function readActiveTenantTiers(db: Queryable): Promise<TenantTier[]> {
  return (await db.query<TenantTier>(ACTIVE_TENANT_TIERS)).rows;
}

const STORED_TIERS = 'SELECT id, spec FROM tier ORDER BY id';
const STORED_CLUSTERS = 'SELECT id, spec FROM cluster ORDER BY id';
const STORED_TENANTS = 'SELECT spec FROM tenant WHERE active ORDER BY id';

/**
 * The fleet as the last `tenantscope start` (or `check-config --sync`) stored it, for commands
 * given no fleet file: its active tenants, tiers and clusters. Passwords are not in it (the URLs
 * are redacted), so it serves reports and exports, never collectors; the noisy-neighbour
 * thresholds are not stored and are the defaults. Undefined when no tenant is stored.
 */
export async function readStoredFleet(db: Queryable): Promise<Fleet | undefined> {
  const tenants = (await db.query<{ spec: Tenant & { monthlyFee: { minor: string } } }>(STORED_TENANTS)).rows.map(({ spec }) => ({
    ...spec,
    monthlyFee: { ...spec.monthlyFee, minor: BigInt(spec.monthlyFee.minor) },
  }));
  if (tenants.length === 0) return undefined;
  const tiers = (await db.query<{ id: string; spec: Tier }>(STORED_TIERS)).rows;
  const clusters = (await db.query<{ id: string; spec: Cluster }>(STORED_CLUSTERS)).rows;
  return {
    source: 'the fleet stored in the database',
    tiers: Object.fromEntries(tiers.map((r) => [r.id, r.spec])),
    clusters: Object.fromEntries(clusters.map((r) => [r.id, r.spec])),
    tenants,
    noisy: DEFAULT_DETECTOR_CONFIG,
  };
}

// Cluster windows apply to the tenants the database places in that cluster (as activeExclusions does).
const CLUSTER_OF = `SELECT id, cluster_id FROM tenant WHERE id = ANY($1)`;

/** The cluster the stored fleet places each of these tenants in. */
export async function readClustersOfTenants(db: Queryable, tenants: string[]): Promise<{ id: string; cluster_id: string }[]> {
  return (await db.query<{ id: string; cluster_id: string }>(CLUSTER_OF, [tenants])).rows;
}

const TENANT_EXISTS = 'SELECT 1 FROM tenant WHERE id = $1';
const CLUSTER_EXISTS = 'SELECT 1 FROM cluster WHERE id = $1';

/** Whether the stored fleet has (or had: inactive ones count) a tenant with this id. */
export async function tenantExists(db: Queryable, id: string): Promise<boolean> {
  return ((await db.query(TENANT_EXISTS, [id])).rowCount ?? 0) > 0;
}

/** Whether the stored fleet has a cluster with this id. */
export async function clusterExists(db: Queryable, id: string): Promise<boolean> {
  return ((await db.query(CLUSTER_EXISTS, [id])).rowCount ?? 0) > 0;
}

// The fleet tables as relations for other stores' SQL to join their rows to (by tenant_id or
// cluster_id, for the active flag, a tenant's cluster or its database): those stores name the
// fleet tables only through these, so what "a tenant" and "an active tenant" are is said here.

/** SQL relation: every tenant the fleet file listed, active or not (columns as table tenant). */
export const TENANTS = '(SELECT * FROM tenant)';
/** SQL relation: the tenants the fleet file lists now (columns as table tenant). */
export const ACTIVE_TENANTS = '(SELECT * FROM tenant WHERE active)';
/** SQL relation: the clusters of the fleet file (columns as table cluster). */
export const CLUSTERS = '(SELECT * FROM cluster)';
