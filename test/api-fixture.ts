import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { buildApi } from '../services/api/app';
import type { Role } from '../services/auth/principal';
import { createToken, revokeToken } from '../services/auth/token-store';
import type { ApiLimits } from '../services/api/limits';
import type { MetricsAuth } from '../services/api/metrics-auth';
import { ManualClock } from '../services/core/clock';
import type { Fleet } from '../services/config/fleet-types';
import { silentLogger } from '../services/core/logger';
import type { Pool } from '../services/storage/db';
import { PartitionKeeper } from '../services/storage/partitions';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';
import { buildFleet, fleetYaml, tenantSpec, type FleetSpec } from './helpers/fleet-builder';

/**
 * The API over a fresh database for one test file: three tenants on cluster c1 (Berlin), one
 * named to test escaping and CSV quoting, evidence for March 2026 in tenant_minute, and a token
 * per role. The clock stands on 2026-03-20 12:00 UTC: March is month to date.
 */
export const HOSTILE_NAME = 'Acme, "Clinics" <script>alert(1)</script>';
export const NOW = Date.parse('2026-03-20T12:00:00Z');

const API_FLEET: FleetSpec = {
  clusters: { c1: { timezone: 'Europe/Berlin' }, c2: { timezone: 'America/New_York' } },
  tenants: [
    tenantSpec('t1', 'c1', { name: HOSTILE_NAME, monthlyFee: { amount: '999.99', currency: 'EUR' } }),
    tenantSpec('t2', 'c1', { name: 'Tenant Two', tier: 'standard', monthlyFee: { amount: '1000', currency: 'JPY' } }),
    tenantSpec('t3', 'c2', { name: 'Tenant Three', tier: 'mission', monthlyFee: { amount: '50.00', currency: 'USD' } }),
  ],
};

export function apiFleet(): Fleet {
  return buildFleet(API_FLEET, { source: 'api-fleet.yaml' });
}

/** The API fleet as fleet-file text, for a test that starts a process on it. */
export const API_FLEET_YAML = fleetYaml(API_FLEET);

export interface ApiFixture {
  db: MigratedDatabase;
  app: FastifyInstance;
  fleet: Fleet;
  /** The API's clock (NOW unless a test moves it). */
  clock: ManualClock;
  tokens: Record<'admin' | 'reader' | 't1' | 't2' | 'ingest' | 'revoked', string>;
  close(): Promise<void>;
}

/**
 * `ingest`: also serve the push route (`POST /ingest/odoo-log/:cluster`) over the same database and
 * clock. `limits`: rates and push slots (by default none, so a test's many requests are not 429;
 * the limits have tests of their own). `metricsAuth`: credentials /metrics asks for.
 */
export async function apiFixture(
  options: { signingKey?: Buffer; ingest?: boolean; limits?: ApiLimits; metricsAuth?: MetricsAuth } = {},
): Promise<ApiFixture> {
  const fleet = apiFleet();
  const db = await migratedDatabase(fleet);
  await insertMarchEvidence(db.pool);
  const clock = new ManualClock(NOW);
  const app = await buildApi({
    log: silentLogger,
    // An empty registry: /metrics itself is tested in api.test.ts; here it only has to stay open.
    metrics: new Registry(),
    readiness: [],
    ...(options.ingest && { ingest: { pool: db.pool, partitions: new PartitionKeeper(db.pool), fleet, clock, log: silentLogger } }),
    api: { pool: db.pool, reports: { db: db.pool, fleet, clock, signingKey: options.signingKey ?? null, graceHours: 72 } },
    limits: options.limits ?? { perAddressPerMinute: 0, perTokenPerMinute: 0, concurrentPushes: 2, pushReadSeconds: 60 },
    ...(options.metricsAuth && { metricsAuth: options.metricsAuth }),
  });
  const token = async (name: string, role: Role, tenant?: string) =>
    (
      await createToken(
        db.pool,
        { name, role, ...(tenant !== undefined && { tenant }), ...(role === 'ingest' && { clusters: ['c1'] }) },
        new Date(NOW),
      )
    ).token;
  const tokens = {
    admin: await token('ops-admin', 'admin'),
    reader: await token('grafana-reader', 'read-only'),
    t1: await token('t1-portal', 'tenant', 't1'),
    t2: await token('t2-portal', 'tenant', 't2'),
    ingest: await token('vector-c1', 'ingest'),
    revoked: await token('left-the-company', 'admin'),
  };
  await revokeToken(db.pool, 'left-the-company', new Date(NOW));
  return {
    db,
    app,
    fleet,
    clock,
    tokens,
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}

/**
 * March 2026 so far: every tenant probed OK each minute from the Berlin month start to now,
 * except t1's 30 failed minutes on 2026-03-05 10:00–10:30 UTC; t3 (New York) likewise, all OK.
 */
async function insertMarchEvidence(pool: Pool): Promise<void> {
  for (const at of ['2026-02-28T00:00:00Z', '2026-03-01T00:00:00Z'])
    await pool.query("SELECT tenantscope_ensure_month_partition('tenant_minute', $1)", [at]);
  await pool.query(
    `INSERT INTO tenant_minute (tenant_id, minute, probes_ok, probes_failed)
     SELECT t, m, 1, 0 FROM unnest(ARRAY['t1', 't2', 't3']) AS t,
       generate_series('2026-02-28T23:00:00Z'::timestamptz, '2026-03-20T11:59:00Z', interval '1 minute') AS m`,
  );
  await pool.query(
    `UPDATE tenant_minute SET probes_ok = 0, probes_failed = 2
     WHERE tenant_id = 't1' AND minute >= '2026-03-05T10:00:00Z' AND minute < '2026-03-05T10:30:00Z'`,
  );
}

/** An inject with a bearer token. */
export function as(token: string | undefined) {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}
