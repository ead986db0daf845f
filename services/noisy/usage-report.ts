import type { Clock } from '../core/clock';
import type { Fleet } from '../config/fleet-types';
import { RequestError } from '../core/errors';
import { monthRange, type MonthRange } from '../core/month';
import type { Queryable } from '../storage/db';
import { RESOURCES } from './detector-types';
import { loadStorageDays, loadUsageInputs, type UsageInputs } from './usage-store';
import {
  diskForecast,
  GROWTH_WINDOWS,
  resourceGrowth,
  storageGrowth,
  type LimitForecast,
  type ResourceGrowth,
  type StorageGrowth,
} from './growth';

/**
 * The monthly chargeback report in the OpenCost manner (docs/noisy-neighbours.md): each tenant's usage and
 * share of each shared resource, the cluster's idle capacity spread over tenants by their usage
 * share (OpenCost `shareIdle`), storage charged directly, and placement advice for tenants that
 * were antagonists too long. The month is the calendar month in the cluster's time zone, so all
 * tenants sharing capacity are charged over the same minutes. Shares, not money: prices belong
 * to billing.
 */

export const UNITS: Record<string, string> = {
  odoo_workers: 'worker-seconds',
  odoo_cron: 'cron-seconds',
  pg_cpu: 'cpu-seconds',
  pg_io: 'blocks-8KiB',
  pg_conn: 'backend-minutes',
  pg_locks: 'lock-wait-seconds',
  redis: 'client-minutes',
  ingress: 'requests',
};

export interface TenantResourceLine {
  usage: number;
  share: number;
  /** This tenant's part of the idle capacity (idle × share); null where the capacity is unknown. */
  idle: number | null;
  /** usage + idle: what the tenant is charged for. */
  allocated: number;
}

export interface PlacementCandidate {
  tenant: string;
  cluster: string;
  antagonistHours: number;
  thresholdHours: number;
  incidents: { id: string; resource: string; start: string; end: string | null; hours: number; blame: number }[];
}

export interface UsageReport {
  month: string;
  clusters: {
    cluster: string;
    timezone: string;
    start: string;
    end: string;
    resources: Record<string, { unit: string; usage: number; capacity: number | null; capacitySource: string | null; idle: number | null }>;
    /** Days until the tenant databases fill the cluster's disk (`capacity.diskGiB`) at their summed rates. */
    disk: LimitForecast | null;
  }[];
  tenants: {
    tenant: string;
    name: string;
    cluster: string;
    resources: Record<string, TenantResourceLine>;
    storageBytes: number | null;
    placementCandidate: boolean;
    growth: { storage: StorageGrowth; resources: Record<string, ResourceGrowth> };
  }[];
  placement: PlacementCandidate[];
}

export async function usageReport(db: Queryable, fleet: Fleet, month: string, clock: Clock): Promise<UsageReport> {
  const report: UsageReport = { month, clusters: [], tenants: [], placement: [] };
  for (const cluster of Object.values(fleet.clusters)) {
    const range = clusterMonth(month, cluster.timezone);
    const inputs = await loadUsageInputs(db, cluster.id, range.startMs, range.endMs);
    const endMs = Math.min(range.endMs, clock.now());
    addCluster(report, fleet, cluster.id, cluster.timezone, range.startMs, range.endMs, inputs);
    await addGrowth(db, report, fleet, cluster.id, range, endMs, inputs);
    report.placement.push(...placement(inputs, cluster.id, range.startMs, endMs, cluster.capacity.placementHours));
  }
  const candidates = new Set(report.placement.map((p) => p.tenant));
  for (const t of report.tenants) t.placementCandidate = candidates.has(t.tenant);
  return report;
}

/** The month in a cluster's zone; a month the engine cannot take is the caller's mistake (400 naming it). */
function clusterMonth(month: string, zone: string): MonthRange {
  try {
    return monthRange(month, zone);
  } catch (err) {
    throw new RequestError(400, `month: ${(err as Error).message}`);
  }
}

function addCluster(
  report: UsageReport,
  fleet: Fleet,
  cluster: string,
  zone: string,
  startMs: number,
  endMs: number,
  inputs: UsageInputs,
): void {
  const resources: UsageReport['clusters'][number]['resources'] = {};
  for (const r of RESOURCES) {
    const c = inputs.cluster.get(r);
    if (!c) continue;
    const idle = c.capacity === null ? null : Math.max(0, c.capacity - c.usageWithCapacity);
    resources[r] = { unit: UNITS[r]!, usage: c.usage, capacity: c.capacity, capacitySource: c.capacitySource, idle };
  }
  report.clusters.push({
    cluster,
    timezone: zone,
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    resources,
    disk: null,
  });
  for (const tenant of fleet.tenants.filter((t) => t.cluster === cluster)) {
    const used = inputs.tenantUsage.get(tenant.id);
    const lines: Record<string, TenantResourceLine> = {};
    for (const [r, total] of Object.entries(resources)) {
      const usage = used?.get(r) ?? 0;
      const share = total.usage > 0 ? usage / total.usage : 0;
      const idle = total.idle === null ? null : total.idle * share;
      lines[r] = { usage, share, idle, allocated: usage + (idle ?? 0) };
    }
    const storage = inputs.storage.get(tenant.id);
    report.tenants.push({
      tenant: tenant.id,
      name: tenant.name,
      cluster,
      resources: lines,
      storageBytes: storage ?? null,
      placementCandidate: false,
      growth: { storage: storageGrowth([], 0, undefined), resources: {} },
    });
  }
}

/**
 * Each tenant's growth as of the report's end (now, for the month in progress): database size per
 * day over the last 7 and 30 UTC days, and resource use per day against the month before.
 */
async function addGrowth(
  db: Queryable,
  report: UsageReport,
  fleet: Fleet,
  cluster: string,
  range: MonthRange,
  endMs: number,
  inputs: UsageInputs,
) {
  const zone = fleet.clusters[cluster]!.timezone;
  const asOfDay = Math.floor((Math.max(range.startMs, endMs) - 1) / DAY_MS);
  const sizes = await loadStorageDays(db, cluster, asOfDay - Math.max(...GROWTH_WINDOWS) + 1, asOfDay);
  // the month before the first the engine takes (1970-01) has no usage to compare with
  const previous = monthBefore(range, zone);
  const before = previous ? await loadUsageInputs(db, cluster, previous.startMs, previous.endMs) : undefined;
  const tenants = fleet.tenants.filter((t) => t.cluster === cluster);
  for (const tenant of tenants) {
    const line = report.tenants.find((t) => t.tenant === tenant.id)!;
    line.growth = {
      storage: storageGrowth(sizes.get(tenant.id) ?? [], asOfDay, tenant.storageQuotaGiB),
      resources: resourceGrowth(
        inputs.tenantUsage.get(tenant.id),
        before?.tenantUsage.get(tenant.id),
        (endMs - range.startMs) / DAY_MS,
        previous ? (previous.endMs - previous.startMs) / DAY_MS : 0,
        UNITS,
      ),
    };
  }
  report.clusters.find((c) => c.cluster === cluster)!.disk = diskForecast(
    tenants.map((t) => sizes.get(t.id) ?? []),
    asOfDay,
    fleet.clusters[cluster]!.capacity.diskGiB,
  );
}

const DAY_MS = 86_400_000;

/** The month before `range`'s (`2026-03` → `2026-02`, `2026-01` → `2025-12`); undefined where the engine takes none. */
function monthBefore(range: MonthRange, zone: string): MonthRange | undefined {
  const [year, month] = range.month.split('-').map(Number) as [number, number];
  try {
    return monthRange(month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`, zone);
  } catch {
    return undefined;
  }
}

/** Tenants named antagonist for more than `thresholdHours` of the month (open incidents count up to now). */
export function placement(
  inputs: UsageInputs,
  cluster: string,
  startMs: number,
  endMs: number,
  thresholdHours: number,
): PlacementCandidate[] {
  const byTenant = new Map<string, PlacementCandidate>();
  for (const i of inputs.incidents) {
    const hours = Math.max(0, Math.min(i.end ?? endMs, endMs) - Math.max(i.start, startMs)) / 3_600_000;
    for (const a of i.antagonists) {
      let c = byTenant.get(a.tenant);
      if (!c) byTenant.set(a.tenant, (c = { tenant: a.tenant, cluster, antagonistHours: 0, thresholdHours, incidents: [] }));
      c.antagonistHours += hours;
      c.incidents.push({
        id: i.id,
        resource: i.resource,
        start: new Date(i.start).toISOString(),
        end: i.end === null ? null : new Date(i.end).toISOString(),
        hours,
        blame: a.blame,
      });
    }
  }
  return [...byTenant.values()].filter((c) => c.antagonistHours > thresholdHours).sort((a, b) => b.antagonistHours - a.antagonistHours);
}

const CSV_HEAD = [
  'month',
  'tenant',
  'name',
  'cluster',
  'resource',
  'unit',
  'usage',
  'share',
  'idle_allocated',
  'allocated',
  'placement_candidate',
];

/** One row per tenant and resource, and one `storage` row (bytes, charged directly). */
export function usageCsv(report: UsageReport): string {
  const rows: (string | number)[][] = [CSV_HEAD];
  for (const t of report.tenants) {
    const unit = (r: string) => UNITS[r] ?? '';
    for (const [r, l] of Object.entries(t.resources))
      rows.push([
        report.month,
        t.tenant,
        t.name,
        t.cluster,
        r,
        unit(r),
        l.usage,
        l.share,
        l.idle ?? '',
        l.allocated,
        String(t.placementCandidate),
      ]);
    rows.push([
      report.month,
      t.tenant,
      t.name,
      t.cluster,
      'storage',
      'bytes',
      t.storageBytes ?? '',
      '',
      '',
      t.storageBytes ?? '',
      String(t.placementCandidate),
    ]);
  }
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function csvCell(v: string | number): string {
  const s = typeof v === 'number' ? String(Math.round(v * 1e6) / 1e6) : v;
  // A leading = + - @ would run as a formula in a spreadsheet: quote it behind an apostrophe.
  const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The report as a tenant token sees it: its own lines and its own placement entry only. */
export function usageForTenant(report: UsageReport, tenant: string): UsageReport {
  const own = report.tenants.filter((t) => t.tenant === tenant);
  const clusters = new Set(own.map((t) => t.cluster));
  return {
    month: report.month,
    clusters: report.clusters.filter((c) => clusters.has(c.cluster)),
    tenants: own,
    placement: report.placement.filter((p) => p.tenant === tenant),
  };
}
