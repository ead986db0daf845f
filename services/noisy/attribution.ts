import type { ClusterMinute, Resource, TenantMinute } from './detector-types';
import { RESOURCES } from './detector-types';

/**
 * Attribution of one cluster-minute (docs/noisy-neighbours.md): what each tenant used of each
 * shared resource, its share of the cluster total, and the detector's input. Pure: the loader
 * (attribution-store.ts) reads the stored rollups, this decides what they mean.
 */

/** What the stored rollups say about one tenant in one minute; undefined = the source said nothing. */
export interface TenantSources {
  odoo?: {
    workerSeconds: number | null;
    requests: number | null;
    durationSum: number | null;
    durationCount: number | null;
    errors5xx: number | null;
  };
  cronSeconds?: number;
  /** A pg_tenant_minute row exists; its stats deltas are null when the interval was dropped (reset) or none ended. */
  pg?: {
    activeSeconds: number | null;
    backends: number | null;
    lockCausedSeconds: number | null;
    blksRead: number | null;
    tempBytes: number | null;
  };
  redisClients?: number;
  ingress?: { requests: number; serverErrors: number };
}

export interface ClusterSources {
  maxConnections?: number;
  redisMemoryBytes?: number;
  redisMaxMemoryBytes?: number;
}

/** Capacity per minute in each resource's unit, with where it came from. */
export type Capacity = Partial<Record<Resource, { perMinute: number; source: 'fleet' | 'server' | 'default' | 'derived' }>>;

export interface ResourceTotal {
  usage: number;
  sharesValid: boolean;
  capacity?: Capacity[Resource];
  saturation?: number;
}

export interface MinuteAttribution {
  minute: number;
  /** tenant -> resource -> usage and share (share null when the total cannot be trusted). */
  tenants: Map<string, Partial<Record<Resource, { usage: number; share: number | null }>>>;
  totals: Partial<Record<Resource, ResourceTotal>>;
}

const BLOCK_BYTES = 8192;

/** A tenant's usage of each resource, and the resources its row said it could not measure. */
function tenantUsage(s: TenantSources): { usage: Partial<Record<Resource, number>>; invalid: Set<Resource> } {
  const usage: Partial<Record<Resource, number>> = {};
  const invalid = new Set<Resource>();
  if (s.odoo?.workerSeconds != null) usage.odoo_workers = s.odoo.workerSeconds;
  if (s.cronSeconds !== undefined) usage.odoo_cron = s.cronSeconds;
  if (s.pg) {
    if (s.pg.activeSeconds !== null) usage.pg_cpu = s.pg.activeSeconds;
    if (s.pg.backends !== null) usage.pg_conn = s.pg.backends;
    if (s.pg.lockCausedSeconds !== null) usage.pg_locks = s.pg.lockCausedSeconds;
    // The stats deltas are the only reset-prone source here: a row without them is an interval
    // that was dropped (or none ended), so this minute's pg_io total cannot be trusted.
    if (s.pg.blksRead !== null || s.pg.tempBytes !== null) usage.pg_io = (s.pg.blksRead ?? 0) + (s.pg.tempBytes ?? 0) / BLOCK_BYTES;
    else invalid.add('pg_io');
  }
  if (s.redisClients !== undefined) usage.redis = s.redisClients;
  if (s.ingress) usage.ingress = s.ingress.requests;
  for (const r of RESOURCES) if (usage[r] !== undefined && !(usage[r]! >= 0)) delete usage[r];
  return { usage, invalid };
}

/** Attributes one cluster-minute: usage, shares over valid totals, saturation where capacity is known. */
export function attributeMinute(minute: number, tenants: ReadonlyMap<string, TenantSources>, capacity: Capacity): MinuteAttribution {
  const perTenant = new Map<string, ReturnType<typeof tenantUsage>>();
  for (const [id, s] of tenants) perTenant.set(id, tenantUsage(s));
  const totals: MinuteAttribution['totals'] = {};
  for (const r of RESOURCES) {
    let usage = 0;
    let seen = false;
    let valid = true;
    for (const t of perTenant.values()) {
      if (t.invalid.has(r)) valid = false;
      const u = t.usage[r];
      if (u !== undefined) {
        usage += u;
        seen = true;
      }
    }
    if (!seen) continue;
    const cap = capacity[r];
    totals[r] = { usage, sharesValid: valid, ...(cap && { capacity: cap, saturation: usage / cap.perMinute }) };
  }
  const out: MinuteAttribution['tenants'] = new Map();
  for (const [id, t] of perTenant) {
    const row: Partial<Record<Resource, { usage: number; share: number | null }>> = {};
    for (const r of RESOURCES) {
      const u = t.usage[r];
      if (u === undefined) continue;
      const total = totals[r]!;
      row[r] = { usage: u, share: total.sharesValid && total.usage > 0 ? u / total.usage : null };
    }
    if (Object.keys(row).length > 0) out.set(id, row);
  }
  return { minute, tenants: out, totals };
}

/** Saturation from the cluster's own gauges, where the resource's unit is not what it saturates on. */
export function serverSaturation(sources: ClusterSources, attribution: MinuteAttribution): Partial<Record<Resource, number>> {
  const out: Partial<Record<Resource, number>> = {};
  for (const r of RESOURCES) {
    const s = attribution.totals[r]?.saturation;
    if (s !== undefined) out[r] = Math.min(1, s);
  }
  // Redis is shared by memory: client counts have no capacity, maxmemory does (0 = no limit).
  if (sources.redisMemoryBytes !== undefined && sources.redisMaxMemoryBytes)
    out.redis = Math.min(1, sources.redisMemoryBytes / sources.redisMaxMemoryBytes);
  return out;
}

/** The detector's input for one cluster-minute: usage, saturation and each tenant's SLIs. */
export function toClusterMinute(
  cluster: string,
  attribution: MinuteAttribution,
  tenants: ReadonlyMap<string, TenantSources>,
  saturation: Partial<Record<Resource, number>>,
): ClusterMinute {
  const out: Record<string, TenantMinute> = {};
  for (const [id, s] of tenants) {
    const usage: TenantMinute['usage'] = {};
    for (const [r, v] of Object.entries(attribution.tenants.get(id) ?? {})) usage[r as Resource] = v.usage;
    out[id] = { usage, ...slis(s) };
  }
  return { cluster, minute: attribution.minute, saturation, tenants: out };
}

/** Requests and 5xx from the ingress where it counted, else from the Odoo log; latency from the log's wall time. */
function slis(s: TenantSources): Pick<TenantMinute, 'requests' | 'latencySeconds' | 'errorRatio'> {
  const out: Pick<TenantMinute, 'requests' | 'latencySeconds' | 'errorRatio'> = {};
  const requests = s.ingress?.requests ?? s.odoo?.requests ?? undefined;
  if (requests !== undefined && requests !== null) out.requests = requests;
  if (s.odoo?.durationSum != null && s.odoo.durationCount) out.latencySeconds = s.odoo.durationSum / s.odoo.durationCount;
  if (s.ingress && s.ingress.requests > 0) out.errorRatio = s.ingress.serverErrors / s.ingress.requests;
  else if (s.odoo?.requests && s.odoo.errors5xx !== null) out.errorRatio = s.odoo.errors5xx / s.odoo.requests;
  return out;
}
