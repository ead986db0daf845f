import { readCollectorStatus, readRejections, type CollectorStatusRow, type RejectionRow } from '../../collectors/lib/collector-store';
import { readTenantTotals, type TenantTotalRow } from '../../collectors/lib/tenant-minute-store';
import { readLatestProbes, type ProbeStateRow } from '../../collectors/odoo-probe/store';
import { readActiveTenants, type ActiveTenant } from '../config/fleet-store';
import type { Queryable } from '../storage/db';

export type { TenantTotalRow };

/** What the core group of /metrics publishes, read from each table's owner in one go per scrape. */
export interface MetricsSnapshot {
  tenants: ActiveTenant[];
  totals: TenantTotalRow[];
  probes: ProbeStateRow[];
  collectors: CollectorStatusRow[];
  rejections: RejectionRow[];
}

export async function loadMetricsSnapshot(db: Queryable): Promise<MetricsSnapshot> {
  const [tenants, totals, probes, collectors, rejections] = await Promise.all([
    readActiveTenants(db),
    readTenantTotals(db),
    readLatestProbes(db),
    readCollectorStatus(db),
    readRejections(db),
  ]);
  return { tenants, totals, probes, collectors, rejections };
}
