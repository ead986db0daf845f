import type { Baseline, StoredCounters } from './deltas';
import type { Client } from '../../services/storage/db';
import { lockTargetForTransaction } from '../../services/storage/locks';
import { queryTextRows, type Queryable } from '../../services/storage/db';
import { minuteIndexSql } from '../lib/tenant-minute-store';
import { TENANTS } from '../../services/config/fleet-store';

/** Request classes of the ingress: HTTP status classes, `aborted` for code 0, `other` for gRPC and the rest. */
export const INGRESS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx', 'aborted', 'other'] as const;
export type IngressClass = (typeof INGRESS_CLASSES)[number];

/** One tenant's traffic in one UTC minute; null where Traefik did not expose the counter. */
export interface IngressRow {
  tenantId: string;
  minute: number;
  requests: Record<IngressClass, number>;
  requestBytes: number | null;
  responseBytes: number | null;
  duration: { bounds: number[]; counts: number[]; sum: number } | null;
}

const REQUEST_COLUMNS = INGRESS_CLASSES.map((c) => `requests_${c}`);
const ADD_NULLABLE = (col: string) =>
  `${col} = CASE WHEN EXCLUDED.${col} IS NULL THEN t.${col} ELSE coalesce(t.${col}, 0) + EXCLUDED.${col} END`;
const SAME_BOUNDS = 't.duration_bounds = EXCLUDED.duration_bounds';

const SELECT_STATE = 'SELECT scraped_at, process_start, counters FROM traefik_scrape_state WHERE target = $1';
const UPSERT_STATE = `
INSERT INTO traefik_scrape_state (target, cluster_id, scraped_at, process_start, metric_set, counters) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (target) DO UPDATE SET cluster_id = EXCLUDED.cluster_id, scraped_at = EXCLUDED.scraped_at,
  process_start = EXCLUDED.process_start, metric_set = EXCLUDED.metric_set, counters = EXCLUDED.counters`;

// Rows arrive as one JSON array: their histogram arrays differ in length, which unnest cannot take.
const UPSERT_MINUTES = `
INSERT INTO ingress_minute AS t (tenant_id, minute, ingress_requests, ingress_server_errors, ${REQUEST_COLUMNS.join(', ')},
  request_bytes, response_bytes, duration_bounds, duration_counts, duration_sum)
SELECT r.tenant_id, r.minute, ${REQUEST_COLUMNS.map((c) => `r.${c}`).join(' + ')}, r.requests_5xx, ${REQUEST_COLUMNS.map((c) => `r.${c}`).join(', ')},
  r.request_bytes, r.response_bytes, r.duration_bounds, r.duration_counts, r.duration_sum
FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, minute timestamptz, ${REQUEST_COLUMNS.map((c) => `${c} integer`).join(', ')},
  request_bytes bigint, response_bytes bigint, duration_bounds float8[], duration_counts int4[], duration_sum float8)
ON CONFLICT (tenant_id, minute) DO UPDATE SET
  ingress_requests = t.ingress_requests + EXCLUDED.ingress_requests,
  ingress_server_errors = t.ingress_server_errors + EXCLUDED.ingress_server_errors,
  ${REQUEST_COLUMNS.map((c) => `${c} = t.${c} + EXCLUDED.${c}`).join(',\n  ')},
  ${ADD_NULLABLE('request_bytes')},
  ${ADD_NULLABLE('response_bytes')},
  -- within one minute the bounds only differ across a Traefik reconfiguration: keep the first
  duration_counts = CASE WHEN t.duration_bounds IS NULL THEN EXCLUDED.duration_counts WHEN ${SAME_BOUNDS} THEN tenantscope_add_counts(t.duration_counts, EXCLUDED.duration_counts) ELSE t.duration_counts END,
  duration_sum = CASE WHEN t.duration_bounds IS NULL THEN EXCLUDED.duration_sum WHEN ${SAME_BOUNDS} THEN t.duration_sum + EXCLUDED.duration_sum ELSE t.duration_sum END,
  duration_bounds = coalesce(t.duration_bounds, EXCLUDED.duration_bounds)`;

const UPSERT_TOTALS = `
INSERT INTO ingress_total AS t (tenant_id, ${REQUEST_COLUMNS.join(', ')}, request_bytes, response_bytes, duration_bounds, duration_counts, duration_sum, duration_count)
SELECT r.tenant_id, ${REQUEST_COLUMNS.map((c) => `r.${c}`).join(', ')}, r.request_bytes, r.response_bytes, r.duration_bounds, r.duration_counts::int8[], r.duration_sum,
  (SELECT sum(x) FROM unnest(r.duration_counts) AS x)
FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, ${REQUEST_COLUMNS.map((c) => `${c} integer`).join(', ')},
  request_bytes bigint, response_bytes bigint, duration_bounds float8[], duration_counts int4[], duration_sum float8)
ON CONFLICT (tenant_id) DO UPDATE SET
  ${REQUEST_COLUMNS.map((c) => `${c} = t.${c} + EXCLUDED.${c}`).join(',\n  ')},
  ${ADD_NULLABLE('request_bytes')},
  ${ADD_NULLABLE('response_bytes')},
  -- new bounds start the histogram again; Prometheus sees a counter reset
  duration_counts = CASE WHEN EXCLUDED.duration_bounds IS NULL THEN t.duration_counts WHEN ${SAME_BOUNDS} THEN tenantscope_add_counts(t.duration_counts, EXCLUDED.duration_counts) ELSE EXCLUDED.duration_counts END,
  duration_sum = CASE WHEN EXCLUDED.duration_bounds IS NULL THEN t.duration_sum WHEN ${SAME_BOUNDS} THEN t.duration_sum + EXCLUDED.duration_sum ELSE EXCLUDED.duration_sum END,
  duration_count = CASE WHEN EXCLUDED.duration_bounds IS NULL THEN t.duration_count WHEN ${SAME_BOUNDS} THEN t.duration_count + EXCLUDED.duration_count ELSE EXCLUDED.duration_count END,
  duration_bounds = coalesce(EXCLUDED.duration_bounds, t.duration_bounds)`;

const UPSERT_UNMAPPED = `
INSERT INTO ingress_unmapped_total AS t (cluster_id, router, requests, updated_at)
SELECT $1, u.router, u.requests, $4 FROM unnest($2::text[], $3::int8[]) AS u(router, requests)
ON CONFLICT (cluster_id, router) DO UPDATE SET requests = t.requests + EXCLUDED.requests, updated_at = EXCLUDED.updated_at`;

/** Serialises runs on one target inside the caller's transaction (the state row may not exist yet). */
export async function lockTarget(client: Client, target: string): Promise<void> {
  await lockTargetForTransaction(client, 'traefik', target);
}

export async function readBaseline(client: Client, target: string): Promise<Baseline | undefined> {
  const { rows } = await client.query<{ scraped_at: Date; process_start: number | null; counters: Record<string, StoredCounters> }>(
    SELECT_STATE,
    [target],
  );
  const row = rows[0];
  return row && { scrapedAt: row.scraped_at.getTime(), processStartSeconds: row.process_start, counters: row.counters };
}

export async function saveBaseline(
  client: Client,
  target: string,
  cluster: string,
  baseline: Baseline,
  metricSet: string | null,
): Promise<void> {
  await client.query(UPSERT_STATE, [
    target,
    cluster,
    new Date(baseline.scrapedAt),
    baseline.processStartSeconds,
    metricSet,
    JSON.stringify(baseline.counters),
  ]);
}

/** Adds the rows to ingress_minute and the same amounts to ingress_total (partitions must exist). */
export async function addIngressRows(client: Client, rows: readonly IngressRow[]): Promise<void> {
  if (rows.length === 0) return;
  const json = rows.map((r) => ({
    tenant_id: r.tenantId,
    minute: new Date(r.minute).toISOString(),
    ...Object.fromEntries(INGRESS_CLASSES.map((c) => [`requests_${c}`, r.requests[c]])),
    request_bytes: r.requestBytes,
    response_bytes: r.responseBytes,
    duration_bounds: r.duration?.bounds ?? null,
    duration_counts: r.duration?.counts ?? null,
    duration_sum: r.duration?.sum ?? null,
  }));
  await client.query(UPSERT_MINUTES, [JSON.stringify(json)]);
  await client.query(UPSERT_TOTALS, [JSON.stringify(json)]);
}

export async function addUnmapped(client: Client, cluster: string, requests: ReadonlyMap<string, number>, at: Date): Promise<void> {
  if (requests.size === 0) return;
  await client.query(UPSERT_UNMAPPED, [cluster, [...requests.keys()], [...requests.values()], at]);
}

// ---- reads for the SLA engine: minute index from the range start ($2, epoch seconds), arrays as int4[] text ----

const SLA_IDX = minuteIndexSql();

// Both SLA loaders read this one query (one tenant or many).
const MONTH_INGRESS_ROWS = `SELECT tenant_id, array_agg(${SLA_IDX}), array_agg(ingress_requests), array_agg(ingress_server_errors)
  FROM ingress_minute WHERE tenant_id = ANY($1) AND minute >= to_timestamp($2) AND minute < to_timestamp($3) GROUP BY tenant_id`;

/** Per tenant of `tenants`: ingress minute indexes, requests and server errors, as int4[] text. */
export function readIngressMinuteRows(db: Queryable, tenants: readonly string[], fromSeconds: number, toSeconds: number) {
  return queryTextRows(db, MONTH_INGRESS_ROWS, [tenants, fromSeconds, toSeconds]);
}

const HAS_INGRESS_MINUTES = 'SELECT EXISTS (SELECT 1 FROM ingress_minute WHERE tenant_id = $1 AND minute >= $2 AND minute < $3) AS any';

/** Whether the tenant has any ingress minute in [from, to). */
export async function hasIngressMinutes(db: Queryable, tenant: string, from: Date, to: Date): Promise<boolean> {
  const { rows } = await db.query(HAS_INGRESS_MINUTES, [tenant, from, to]);
  return rows[0].any === true;
}

const ATTRIBUTION_INGRESS = `
SELECT i.tenant_id, i.minute, i.ingress_requests, i.ingress_server_errors FROM ingress_minute i JOIN ${TENANTS} t ON t.id = i.tenant_id
WHERE t.cluster_id = $1 AND i.minute >= $2 AND i.minute < $3`;

/** Ingress requests and server errors per tenant minute of a cluster in [from, to). */
export async function readIngressMinutesOfCluster(db: Queryable, cluster: string, fromMs: number, toMs: number) {
  return (await db.query(ATTRIBUTION_INGRESS, [cluster, new Date(fromMs), new Date(toMs)])).rows;
}
