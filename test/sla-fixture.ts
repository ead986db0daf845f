import type { Fleet } from '../services/config/fleet-types';
import { silentLogger } from '../services/core/logger';
import { createPool, type Pool } from '../services/storage/db';
import { syncFleet } from '../services/config/fleet-store';
import { migrate } from '../services/storage/migrate';
import { createTestDatabase, type TestDatabase } from './helpers/database';

/** A fresh migrated database with a fleet synced, and writers of the rollups the SLA path reads. */
export interface SlaDb {
  db: TestDatabase;
  pool: Pool;
  close(): Promise<void>;
}

export async function slaDatabase(fleet: Fleet, months: string[]): Promise<SlaDb> {
  const db = await createTestDatabase('ts_sla');
  const pool = createPool(db.url, 6);
  await migrate(pool, silentLogger);
  await syncFleet(pool, fleet, new Date('2026-01-01T00:00:00Z'));
  for (const month of months) {
    // Partitions of the UTC months a tenant month touches (a Berlin month starts the UTC day before).
    for (const at of [`${month}-01T00:00:00Z`, new Date(Date.parse(`${month}-01T00:00:00Z`) - 86_400_000).toISOString()]) {
      for (const table of [
        'tenant_minute',
        'ingress_minute',
        'odoo_tenant_event_minute',
        'backup_job',
        'recovery_point',
        'sla_minute',
        'postgres_unreachable',
      ]) {
        await pool.query('SELECT tenantscope_ensure_month_partition($1, $2)', [table, at]);
      }
    }
  }
  return {
    db,
    pool,
    close: async () => {
      await pool.end();
      await db.drop();
    },
  };
}

/** Probes of a tenant over [from, to): `ok` and `failed` per minute. */
export async function insertProbes(pool: Pool, tenant: string, from: string, to: string, ok: number, failed: number): Promise<void> {
  await pool.query(
    `INSERT INTO tenant_minute (tenant_id, minute, probes_ok, probes_failed)
     SELECT $1, m, $4, $5 FROM generate_series($2::timestamptz, $3::timestamptz - interval '1 minute', interval '1 minute') AS m
     ON CONFLICT (tenant_id, minute) DO UPDATE SET probes_ok = EXCLUDED.probes_ok, probes_failed = EXCLUDED.probes_failed`,
    [tenant, from, to, ok, failed],
  );
}

export async function insertIngress(pool: Pool, tenant: string, minute: string, total: number, serverErrors: number): Promise<void> {
  await pool.query(
    `INSERT INTO ingress_minute (tenant_id, minute, ingress_requests, ingress_server_errors) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_id, minute) DO UPDATE SET ingress_requests = EXCLUDED.ingress_requests, ingress_server_errors = EXCLUDED.ingress_server_errors`,
    [tenant, minute, total, serverErrors],
  );
}
