import type { AccessRecord } from './access-log';
import { ingressClass } from './collector';
import type { IngressClass, IngressRow } from './store';
import { minuteOf } from '../lib/minute-rollup';

/**
 * Traefik's default duration buckets (`metrics.prometheus.buckets`): the access log's requests
 * are counted into the same bounds as the /metrics histograms, so one dashboard reads both.
 */
export const ACCESS_LOG_BUCKETS: readonly number[] = [0.1, 0.3, 1.2, 5];

/** Says which tenant a request served: by its Host (JSON), else by its router (CLF has no Host). */
export interface AccessTenants {
  byHost(host: string): string | undefined;
  byRouter(router: string): string | undefined;
}

/** Requests of no tenant, counted under their router, or under `(host) <host>` when no router matched. */
export interface AccessRollup {
  rows: IngressRow[];
  unmapped: Map<string, number>;
}

/**
 * Adds access-log requests up per tenant and UTC minute of their start (event time, never the
 * reading time): requests by status class, response (and, from JSON, request) bytes, and the
 * duration histogram of the requests whose line gives a duration (v3's genericCLF gives none).
 * Traefik's own routers (`@internal`: api, dashboard, ping, prometheus) serve no tenant.
 */
export function rollUpAccess(records: readonly AccessRecord[], tenants: AccessTenants): AccessRollup {
  const rows = new Map<string, IngressRow>();
  const unmapped = new Map<string, number>();
  for (const r of records) {
    if (r.router?.endsWith('@internal')) continue;
    const tenantId = (r.host === null ? undefined : tenants.byHost(r.host)) ?? (r.router === null ? undefined : tenants.byRouter(r.router));
    if (tenantId === undefined) {
      const key = r.router ?? (r.host === null ? '(no router)' : `(host) ${r.host}`);
      unmapped.set(key, (unmapped.get(key) ?? 0) + 1);
      continue;
    }
    const minute = minuteOf(r.ts);
    const id = `${tenantId}\u0000${minute}`;
    let row = rows.get(id);
    if (!row) {
      row = { tenantId, minute, requests: emptyRequests(), requestBytes: null, responseBytes: null, duration: null };
      rows.set(id, row);
    }
    row.requests[statusClass(r.status)] += 1;
    if (r.requestBytes !== null) row.requestBytes = (row.requestBytes ?? 0) + r.requestBytes;
    if (r.responseBytes !== null) row.responseBytes = (row.responseBytes ?? 0) + r.responseBytes;
    if (r.durationSeconds !== null) {
      row.duration ??= { bounds: [...ACCESS_LOG_BUCKETS], counts: new Array<number>(ACCESS_LOG_BUCKETS.length + 1).fill(0), sum: 0 };
      const bucket = ACCESS_LOG_BUCKETS.findIndex((bound) => r.durationSeconds! <= bound);
      row.duration.counts[bucket < 0 ? ACCESS_LOG_BUCKETS.length : bucket]! += 1;
      row.duration.sum += r.durationSeconds;
    }
  }
  return { rows: [...rows.values()], unmapped };
}

/** `-` in CLF (no status was logged) is neither a success nor an error: `other`. */
function statusClass(status: number | null): IngressClass {
  return status === null ? 'other' : ingressClass(String(status), 'http');
}

function emptyRequests(): Record<IngressClass, number> {
  return { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, aborted: 0, other: 0 };
}
