import * as traefik from './read';
import { seriesResolver, type SeriesTenant } from './tenant-resolver';
import type { CollectorDefinition, CollectorTarget, IngestDeps, RunContext, RunOutcome } from '../lib/collector';
import type { Fleet, Password } from '../../services/config/fleet-types';
import { redact } from '../../services/core/redact';
import { claimRun } from '../lib/collector-store';
import { withTransaction } from '../../services/storage/db';
import { addIngressRows, addUnmapped, lockTarget, readBaseline, saveBaseline, type IngressClass, type IngressRow } from './store';
import { minuteOf } from '../lib/minute-rollup';
import { succeededRun } from '../lib/run-record';
import { computeDeltas, type SeriesDelta } from './deltas';
import { Rejections } from '../lib/rejections';
import { storableRows, storableSeries } from './storable';

/**
 * One target per cluster with a `traefik` block. Its id is the metrics URL without credentials
 * (redact): unique (fleet-secrets.ts refuses two clusters scraping one Traefik), stable, and
 * shown as the `target` label, in collector_run rows and in the scheduler's Redis keys.
 */
export interface TraefikTarget extends CollectorTarget {
  collector: 'traefik';
  /** As written in the fleet file: never shown. */
  metricsUrl: string;
  metricsPassword?: Password;
  apiUrl?: string;
  apiPassword?: Password;
  routerTenants: Readonly<Record<string, string>>;
  serviceTenants: Readonly<Record<string, string>>;
}

/** Longer than this between two scrapes, the minute of the delta is unknown: the interval is dropped. */
export const MAX_GAP_SECONDS = 300;

export const traefikCollector: CollectorDefinition<TraefikTarget> = {
  name: traefik.name,
  targets: (fleet: Fleet) =>
    Object.values(fleet.clusters).flatMap((cluster) => {
      const t = cluster.traefik;
      if (!t?.metricsUrl) return [];
      return [
        {
          collector: 'traefik' as const,
          target: redact(t.metricsUrl),
          intervalSeconds: t.intervalSeconds,
          cluster: cluster.id,
          metricsUrl: t.metricsUrl,
          ...(t.metricsPassword && { metricsPassword: t.metricsPassword }),
          ...(t.apiUrl && { apiUrl: t.apiUrl }),
          ...(t.apiPassword && { apiPassword: t.apiPassword }),
          routerTenants: t.routerTenants,
          serviceTenants: t.serviceTenants,
        },
      ];
    }),
  run: (deps, target, context) => ingestTraefik(deps, target, context),
};

export function ingressClass(code: string, protocol: string): IngressClass {
  // v3 puts the gRPC status in `code` (0 = OK): not an HTTP status at all.
  if (protocol.startsWith('grpc')) return 'other';
  if (code === '0') return 'aborted';
  const n = Number(code);
  return Number.isInteger(n) && n >= 100 && n < 600 ? (`${Math.floor(n / 100)}xx` as IngressClass) : 'other';
}

/**
 * Sums series deltas per tenant into one minute; requests of routers without a tenant per router
 * (a v2 service series, which names no router, as `(service) <name>`).
 */
export function attribute(
  deltas: readonly SeriesDelta[],
  tenantOf: SeriesTenant,
  minute: number,
): { rows: IngressRow[]; unmapped: Map<string, number> } {
  const rows = new Map<string, IngressRow>();
  const unmapped = new Map<string, number>();
  for (const d of deltas) {
    // Traefik's own routers and services (api, dashboard, ping, prometheus) serve no tenant.
    if ((d.router === '' ? d.service : d.router).endsWith('@internal')) continue;
    const tenantId = tenantOf(d);
    if (!tenantId) {
      const key = d.router === '' ? `(service) ${d.service}` : d.router;
      if (d.requests) unmapped.set(key, (unmapped.get(key) ?? 0) + d.requests);
      continue;
    }
    let row = rows.get(tenantId);
    if (!row) {
      row = {
        tenantId,
        minute,
        requests: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, aborted: 0, other: 0 },
        requestBytes: null,
        responseBytes: null,
        duration: null,
      };
      rows.set(tenantId, row);
    }
    if (d.requests !== undefined) row.requests[ingressClass(d.code, d.protocol)] += d.requests;
    if (d.requestBytes !== undefined) row.requestBytes = (row.requestBytes ?? 0) + d.requestBytes;
    if (d.responseBytes !== undefined) row.responseBytes = (row.responseBytes ?? 0) + d.responseBytes;
    if (d.duration) {
      if (!row.duration) row.duration = { bounds: d.duration.bounds, counts: [...d.duration.counts], sum: d.duration.sum };
      else if (sameBounds(row.duration.bounds, d.duration.bounds)) {
        const target = row.duration;
        d.duration.counts.forEach((c, i) => (target.counts[i] = (target.counts[i] ?? 0) + c));
        target.sum += d.duration.sum;
      }
    }
  }
  return { rows: [...rows.values()], unmapped };
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Scrapes one Traefik, then, in one transaction under the target's lock, computes the deltas
 * against the stored previous scrape, adds them to the tenants' minutes and stores this scrape
 * as the next baseline. A scrape older than the stored one (a slower concurrent run) writes nothing.
 */
export async function ingestTraefik(deps: IngestDeps, target: TraefikTarget, run: RunContext): Promise<RunOutcome> {
  const scrape = await traefik.collect({
    metricsUrl: target.metricsUrl,
    ...(target.metricsPassword && { metricsPassword: target.metricsPassword }),
    ...(target.apiUrl && { apiUrl: target.apiUrl }),
    ...(target.apiPassword && { apiPassword: target.apiPassword }),
    now: () => deps.clock.now(),
    signal: run.signal,
  });
  const tenants = deps.fleet.tenants.filter((t) => t.cluster === target.cluster);
  const tenantOf = seriesResolver(scrape.routers, tenants, target.routerTenants, target.serviceTenants);
  const minute = minuteOf(scrape.scrapedAt);
  await deps.partitions.ensure('ingress_minute', [minute]);
  // series PostgreSQL could not store are counted and kept out of the deltas and the baseline
  const scraped = new Rejections({ malformed: scrape.rejected });
  const usable = { ...scrape, series: storableSeries(scrape.series, scraped) };
  const finishedAt = new Date(deps.clock.now());
  const result = await withTransaction(deps.pool, async (client) => {
    await lockTarget(client, target.target);
    const previous = await readBaseline(client, target.target);
    if (previous && previous.scrapedAt >= scrape.scrapedAt) return undefined;
    const deltas = computeDeltas(previous, usable, MAX_GAP_SECONDS * 1000);
    const attributed = attribute(deltas.deltas, tenantOf, minute);
    const rejections = new Rejections().addAll(scraped);
    const rows = storableRows(attributed.rows, rejections);
    if (!(await claimRun(client, succeededRun(target.collector, target.target, run, finishedAt, usable.series.length, rejections))))
      return undefined;
    await addIngressRows(client, rows);
    await addUnmapped(client, target.cluster, attributed.unmapped, finishedAt);
    await saveBaseline(client, target.target, target.cluster, deltas.next, scrape.metricSet);
    return { deltas, unmapped: attributed.unmapped, rejections };
  });
  if (!result) return { records: 0, rejected: 0, duplicate: true };
  if (result.deltas.outcome === 'restart' || result.deltas.outcome === 'gap' || result.deltas.resetSeries > 0) {
    deps.log.info(
      { collector: target.collector, target: target.target, outcome: result.deltas.outcome, resetSeries: result.deltas.resetSeries },
      'traefik counters restarted; interval dropped',
    );
  }
  return { records: usable.series.length, rejected: result.rejections.total, duplicate: false, unattributed: result.unmapped.size };
}
