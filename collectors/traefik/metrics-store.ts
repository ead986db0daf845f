import { INGRESS_CLASSES } from './store';
import type { Queryable } from '../../services/storage/db';
import { ACTIVE_TENANTS } from '../../services/config/fleet-store';

/** What /metrics reads of the Traefik collector's tables: per-tenant totals and unmapped routers. */

/** What the ingress (Traefik) counted, per tenant since it was first seen, and per unmapped router. */
export interface IngressSnapshot {
  totals: IngressTotalRow[];
  unmapped: { cluster_id: string; router: string; requests: number }[];
}

export interface IngressTotalRow {
  tenant_id: string;
  cluster: string;
  requests: Record<(typeof INGRESS_CLASSES)[number], number>;
  request_bytes: number | null;
  response_bytes: number | null;
  duration_bounds: number[] | null;
  duration_counts: number[] | null;
  duration_sum: number | null;
}

const SELECT_TOTALS = `
SELECT t.*, a.cluster_id AS cluster FROM ingress_total t JOIN ${ACTIVE_TENANTS} a ON a.id = t.tenant_id
ORDER BY t.tenant_id`;
const SELECT_UNMAPPED = 'SELECT cluster_id, router, requests FROM ingress_unmapped_total ORDER BY cluster_id, router';

export async function readIngressSnapshot(db: Queryable): Promise<IngressSnapshot> {
  const [totals, unmapped] = await Promise.all([db.query(SELECT_TOTALS), db.query(SELECT_UNMAPPED)]);
  return {
    totals: totals.rows.map((r) => ({
      tenant_id: r.tenant_id,
      cluster: r.cluster,
      requests: Object.fromEntries(INGRESS_CLASSES.map((c) => [c, Number(r[`requests_${c}`])])) as IngressTotalRow['requests'],
      request_bytes: r.request_bytes,
      response_bytes: r.response_bytes,
      duration_bounds: r.duration_bounds,
      duration_counts: r.duration_counts?.map(Number) ?? null,
      duration_sum: r.duration_sum,
    })),
    unmapped: unmapped.rows,
  };
}
