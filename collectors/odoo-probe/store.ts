import type { Client, Queryable } from '../../services/storage/db';
import { ACTIVE_TENANTS } from '../../services/config/fleet-store';

/** The probe_state table: each tenant's latest probe, for /metrics. */

const UPSERT_PROBE_STATE = `INSERT INTO probe_state (tenant_id, probed_at, ok, duration_seconds, reason) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (tenant_id) DO UPDATE SET probed_at = EXCLUDED.probed_at, ok = EXCLUDED.ok,
  duration_seconds = EXCLUDED.duration_seconds, reason = EXCLUDED.reason
WHERE probe_state.probed_at <= EXCLUDED.probed_at`;

const LATEST_PROBES = `SELECT p.tenant_id, p.probed_at, p.ok, p.duration_seconds FROM probe_state p
JOIN ${ACTIVE_TENANTS} a ON a.id = p.tenant_id ORDER BY p.tenant_id`;

export interface ProbeStateRow {
  tenant_id: string;
  probed_at: Date;
  ok: boolean;
  duration_seconds: number | null;
}

/** Keeps a probe as the tenant's latest unless a later one is already stored (a late retry). */
export async function storeLatestProbe(
  client: Client,
  probe: { tenant: string; at: Date; ok: boolean; durationSeconds: number; reason: string | null },
): Promise<void> {
  await client.query(UPSERT_PROBE_STATE, [probe.tenant, probe.at, probe.ok, probe.durationSeconds, probe.reason]);
}

export async function readLatestProbes(db: Queryable): Promise<ProbeStateRow[]> {
  return (await db.query<ProbeStateRow>(LATEST_PROBES)).rows;
}
