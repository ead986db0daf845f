import type { Evidence } from './evidence';
import type { MonthRange } from '../core/month';

/**
 * One tenant-month of probe and request evidence, one slot per minute of the month, in typed
 * arrays: a month of 1,000 tenants is 44 million minutes, too many for an object each. The
 * PostgreSQL path will fill these from its minute rollups; the offline path from evidence lines.
 */
export interface MinuteEvidence {
  readonly probesOk: Uint32Array;
  readonly probesFailed: Uint32Array;
  /** 1 where the ingress (Traefik) reported the minute, even with 0 requests. */
  readonly hasIngress: Uint8Array;
  readonly ingressTotal: Float64Array;
  readonly ingressErrors: Float64Array;
  readonly hasOdoo: Uint8Array;
  readonly odooTotal: Float64Array;
  readonly odooErrors: Float64Array;
}

export function emptyMinuteEvidence(minutes: number): MinuteEvidence {
  return {
    probesOk: new Uint32Array(minutes),
    probesFailed: new Uint32Array(minutes),
    hasIngress: new Uint8Array(minutes),
    ingressTotal: new Float64Array(minutes),
    ingressErrors: new Float64Array(minutes),
    hasOdoo: new Uint8Array(minutes),
    odooTotal: new Float64Array(minutes),
    odooErrors: new Float64Array(minutes),
  };
}

/** The month's minute index of an instant (its UTC minute), or -1 outside the month. */
export function minuteIndex(range: MonthRange, ms: number): number {
  if (ms < range.startMs || ms >= range.endMs) return -1;
  return Math.floor((ms - range.startMs) / 60_000);
}

/**
 * Adds a tenant's probe and request lines to the month. Several request lines for one minute and
 * source add up (several ingress replicas each report their share).
 */
export function minuteEvidenceOf(range: MonthRange, items: readonly Evidence[]): MinuteEvidence {
  const ev = emptyMinuteEvidence(range.minutes);
  for (const item of items) {
    if (item.kind === 'probe') {
      const i = minuteIndex(range, item.tsMs);
      if (i < 0) continue;
      if (item.ok) ev.probesOk[i]! += 1;
      else ev.probesFailed[i]! += 1;
    } else if (item.kind === 'requests') {
      const i = minuteIndex(range, item.minuteMs);
      if (i < 0) continue;
      if (item.source === 'ingress') {
        ev.hasIngress[i] = 1;
        ev.ingressTotal[i]! += item.total;
        ev.ingressErrors[i]! += item.serverErrors;
      } else {
        ev.hasOdoo[i] = 1;
        ev.odooTotal[i]! += item.total;
        ev.odooErrors[i]! += item.serverErrors;
      }
    }
  }
  return ev;
}

/** Evidence lines grouped by owner, so each tenant's month reads only its own lines and its cluster's. */
export class EvidenceIndex {
  private readonly byTenant = new Map<string, Evidence[]>();
  private readonly byCluster = new Map<string, Evidence[]>();

  constructor(items: Iterable<Evidence> = []) {
    for (const item of items) this.add(item);
  }

  add(item: Evidence): void {
    const tenant = 'tenant' in item ? item.tenant : undefined;
    const [map, key] = tenant !== undefined ? [this.byTenant, tenant] : [this.byCluster, (item as { cluster: string }).cluster];
    const list = map.get(key);
    if (list) list.push(item);
    else map.set(key, [item]);
  }

  tenant(id: string): readonly Evidence[] {
    return this.byTenant.get(id) ?? [];
  }

  cluster(id: string): readonly Evidence[] {
    return this.byCluster.get(id) ?? [];
  }
}
