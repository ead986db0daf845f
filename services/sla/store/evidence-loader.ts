import type { Cluster, Fleet, Tier } from '../../config/fleet-types';
import type { Queryable } from '../../storage/db';
import { emptyMinuteEvidence, type MinuteEvidence } from '../minute-evidence';
import { monthRange, type MonthRange } from '../../core/month';
import type { TenantMonth } from '../report';
import { loadSparseEvidence } from './sparse-evidence';
import { readTenantMinuteCounts } from '../../../collectors/lib/tenant-minute-store';
import { readIngressMinuteCounts } from '../../../collectors/traefik/store';

/**
 * A tenant's month of SLA evidence read from PostgreSQL: per-minute probe and request counts
 * straight into the engine's typed arrays (one query per rollup table, the rows aggregated into
 * int4 arrays by PostgreSQL and scanned from their text form, so 44,640 minutes never become
 * 44,640 JavaScript objects), and the sparse lines (exclusions, signals, recovery points,
 * restore tests, sparse-evidence.ts) as evidence lines, exactly as an export bundle carries them.
 * Reports for many tenants read their minutes through report-minutes.ts instead.
 */
export interface LoadedMonth {
  readonly input: TenantMonth;
  readonly range: MonthRange;
  readonly minutes: MinuteEvidence;
}

/**
 * Walks the text form of an int4[] without NULLs ("{1,-1,42}") calling `each(i, value)`: a
 * char-code scan, because a generic array parser would build a JavaScript array per column.
 * (pg's binary results would be smaller but its protocol parser decodes every value as UTF-8.)
 */
export function eachInt(text: string | null | undefined, each: (i: number, v: number) => void): void {
  if (!text || text.length < 3) return;
  let i = 0;
  let v = 0;
  let negative = false;
  for (let at = 1; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (c >= 48 && c <= 57) v = v * 10 + (c - 48);
    else if (c === 45) negative = true;
    else {
      // ',' or the closing '}'
      each(i++, negative ? -v : v);
      v = 0;
      negative = false;
    }
  }
}

/** Fills the month's per-minute probe and request arrays from the Odoo/probe and ingress minute rollups (their owners' reads). */
export async function loadMinuteEvidence(db: Queryable, tenant: string, range: MonthRange): Promise<MinuteEvidence> {
  const ev = emptyMinuteEvidence(range.minutes);
  const bounds = [tenant, range.startMs / 1000, range.endMs / 1000] as const;
  const [own, ingress] = await Promise.all([readTenantMinuteCounts(db, ...bounds), readIngressMinuteCounts(db, ...bounds)]);
  const idx = new Int32Array(range.minutes);
  eachInt(own.idx, (i, v) => (idx[i] = v));
  eachInt(own.ok, (i, v) => (ev.probesOk[idx[i]!] = v));
  eachInt(own.failed, (i, v) => (ev.probesFailed[idx[i]!] = v));
  eachInt(own.odoo_total, (i, v) => {
    if (v < 0) return;
    ev.hasOdoo[idx[i]!] = 1;
    ev.odooTotal[idx[i]!] = v;
  });
  eachInt(own.odoo_errors, (i, v) => (ev.odooErrors[idx[i]!] = v));
  eachInt(ingress.idx, (i, v) => (idx[i] = v));
  eachInt(ingress.total, (i, v) => {
    ev.hasIngress[idx[i]!] = 1;
    ev.ingressTotal[idx[i]!] = v;
  });
  eachInt(ingress.errors, (i, v) => (ev.ingressErrors[idx[i]!] = v));
  return ev;
}

/** Everything the engine needs for one tenant's month; undefined for a tenant not in the fleet. */
export async function loadTenantMonth(db: Queryable, fleet: Fleet, tenantId: string, month: string): Promise<LoadedMonth | undefined> {
  const tenant = fleet.tenants.find((t) => t.id === tenantId);
  if (!tenant) return undefined;
  const range = monthRange(month, tenant.timezone);
  const [minutes, sparse] = await Promise.all([loadMinuteEvidence(db, tenant.id, range), loadSparseEvidence(db, tenant, range)]);
  const input: TenantMonth = {
    tenant,
    tier: fleet.tiers[tenant.tier] as Tier,
    cluster: fleet.clusters[tenant.cluster] as Cluster,
    month,
    tenantEvidence: sparse.tenant,
    clusterEvidence: sparse.cluster,
  };
  return { input, range, minutes };
}
