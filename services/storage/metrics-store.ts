import type { Queryable } from './db';

/** Everything /metrics publishes from shared state, read in one go per scrape. */
export interface MetricsSnapshot {
  tenants: { id: string; name: string; cluster: string; tier: string }[];
  totals: TenantTotalRow[];
  probes: { tenant_id: string; probed_at: Date; ok: boolean; duration_seconds: number | null }[];
  collectors: {
    collector: string;
    target: string;
    success: boolean;
    duration_seconds: number;
    finished_at: Date;
    rejected_total: number;
  }[];
}

export interface TenantTotalRow {
  tenant_id: string;
  odoo_requests_2xx: number;
  odoo_requests_3xx: number;
  odoo_requests_4xx: number;
  odoo_requests_5xx: number;
  odoo_requests_other: number;
  odoo_requests_held: number;
  odoo_queries: number;
  odoo_sql_seconds: number;
  odoo_python_seconds: number;
  odoo_duration_counts: number[] | null;
  odoo_duration_sum: number;
  probes_ok: number;
  probes_failed: number;
  seen_odoo: boolean;
  seen_probe: boolean;
}

export async function loadMetricsSnapshot(db: Queryable): Promise<MetricsSnapshot> {
  const [tenants, totals, probes, collectors] = await Promise.all([
    db.query('SELECT id, name, cluster_id AS cluster, tier_id AS tier FROM tenant WHERE active ORDER BY id'),
    db.query('SELECT t.* FROM tenant_total t JOIN tenant ON tenant.id = t.tenant_id WHERE tenant.active ORDER BY t.tenant_id'),
    db.query(
      'SELECT p.tenant_id, p.probed_at, p.ok, p.duration_seconds FROM probe_state p JOIN tenant ON tenant.id = p.tenant_id WHERE tenant.active ORDER BY p.tenant_id',
    ),
    db.query(
      'SELECT collector, target, success, duration_seconds, finished_at, rejected_total FROM collector_status ORDER BY collector, target',
    ),
  ]);
  return {
    tenants: tenants.rows,
    totals: totals.rows.map((r) => ({ ...r, odoo_duration_counts: r.odoo_duration_counts?.map(Number) ?? null })),
    probes: probes.rows,
    collectors: collectors.rows,
  };
}
