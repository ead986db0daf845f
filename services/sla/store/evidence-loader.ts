import type { Cluster, Fleet, Tier } from '../../config/fleet-types';
import { readAll, type Queryable } from '../../storage/db';
import { emptyMinuteEvidence, type MinuteEvidence } from '../minute-evidence';
import { monthRange, type MonthRange } from '../../core/month';
import type { TenantMonth } from '../report';
import { loadSparseEvidence } from './sparse-evidence';
import { readMinuteEvidence } from '../../../collectors/lib/tenant-minute-store';
import { readIngressMinuteRows } from '../../../collectors/traefik/store';

/**
 * A tenant's month of SLA evidence read from PostgreSQL: per-minute probe and request counts
 * straight into the engine's typed arrays (the minute-evidence query of each rollup table, which
 * report-minutes.ts reads too, the rows aggregated into int4 arrays by PostgreSQL and scanned
 * from their text form, so 44,640 minutes never become 44,640 JavaScript objects), and the sparse lines (exclusions, signals, recovery points,
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

/**
 * Reads parallel int4[] texts (minute index, total, errors) into one source's request arrays;
 * `idx` is scratch space of the range's length.
 */
export function readRequests(
  idxText: string | null | undefined,
  totalText: string | null | undefined,
  errorsText: string | null | undefined,
  has: Uint8Array,
  total: Float64Array,
  errors: Float64Array,
  idx: Int32Array,
): void {
  let n = 0;
  eachInt(idxText, (i, v) => {
    idx[i] = v;
    n = i + 1;
  });
  if (n === 0) return;
  eachInt(totalText, (i, v) => {
    has[idx[i]!] = 1;
    total[idx[i]!] = v;
  });
  eachInt(errorsText, (i, v) => (errors[idx[i]!] = v));
}

/** Fills the month's per-minute probe counts and requests from the Odoo/probe and ingress minute rollups (their owners' reads). */
export async function loadMinuteEvidence(db: Queryable, tenant: string, range: MonthRange): Promise<MinuteEvidence> {
  const ev = emptyMinuteEvidence(range.minutes);
  const [from, to] = [range.startMs / 1000, range.endMs / 1000];
  const [[own], [ingress]] = await readAll(db, [
    () => readMinuteEvidence(db, [tenant], from, to, 'counts'),
    () => readIngressMinuteRows(db, [tenant], from, to),
  ]);
  const idx = new Int32Array(range.minutes);
  if (own) {
    const [, probeIdx, ok, failed, odooIdx, odooTotal, odooErrors] = own;
    eachInt(probeIdx, (i, v) => (idx[i] = v));
    eachInt(ok, (i, v) => (ev.probesOk[idx[i]!] = v));
    eachInt(failed, (i, v) => (ev.probesFailed[idx[i]!] = v));
    readRequests(odooIdx, odooTotal, odooErrors, ev.hasOdoo, ev.odooTotal, ev.odooErrors, idx);
  }
  if (ingress) readRequests(ingress[1], ingress[2], ingress[3], ev.hasIngress, ev.ingressTotal, ev.ingressErrors, idx);
  return ev;
}

/** Everything the engine needs for one tenant's month; undefined for a tenant not in the fleet. */
export async function loadTenantMonth(db: Queryable, fleet: Fleet, tenantId: string, month: string): Promise<LoadedMonth | undefined> {
  const tenant = fleet.tenants.find((t) => t.id === tenantId);
  if (!tenant) return undefined;
  const range = monthRange(month, tenant.timezone);
  const [minutes, sparse] = await readAll(db, [
    () => loadMinuteEvidence(db, tenant.id, range),
    () => loadSparseEvidence(db, tenant, range),
  ]);
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
