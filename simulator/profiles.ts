import type { Cluster, Fleet, Tenant } from '../services/config/fleet-types';
import { ROUTES } from './odoo-catalog';
import { hashString, rngFor } from './random';
import { zoneOffsetMinutes } from './time-format';

/**
 * The fixed character of each tenant and cluster, drawn once from the seed: how busy a tenant
 * is, how fast its queries are, where its users connect from, how big its database is. The same
 * seed and fleet always give the same profiles, whatever the scenario.
 */

/** Stream purposes, so two decisions about the same subject never share random draws. */
export const PURPOSE = { profile: 1, requests: 2, heavy: 3, probe: 4, cron: 5, backup: 6, job: 7, boot: 8 } as const;

export interface TenantModel {
  readonly tenant: Tenant;
  readonly index: number;
  readonly hash: number;
  /** Mean requests per second at the daily peak. */
  readonly peakRate: number;
  readonly perQuerySeconds: number;
  readonly pythonScale: number;
  readonly clientAddrs: readonly string[];
  /** Database size at the simulation epoch; grows slowly. */
  readonly databaseBytes: number;
}

export interface ClusterModel {
  readonly cluster: Cluster;
  readonly tenants: readonly TenantModel[];
  readonly httpWorkers: number;
  readonly cronWorkers: number;
  /** Seconds of SQL per second the PostgreSQL server absorbs before queries queue. */
  readonly pgCapacity: number;
  /** CPU seconds per second the shared host has for Odoo's Python and PostgreSQL together. */
  readonly hostCpus: number;
}

/** Mean queries and Python seconds of a request over the route mix, to size the load model. */
export const MEAN_QUERIES = weightedMean((r) => (r.queries[0] + r.queries[1]) / 2);
export const MEAN_PYTHON_SECONDS = weightedMean((r) => (r.pythonMs[0] + r.pythonMs[1]) / 2000);

function weightedMean(value: (route: (typeof ROUTES)[number]) => number): number {
  const total = ROUTES.reduce((sum, r) => sum + r.weight, 0);
  return ROUTES.reduce((sum, r) => sum + r.weight * value(r), 0) / total;
}

const ADDRESS_BLOCKS = ['198.51.100', '203.0.113', '192.0.2'];

export function tenantModels(fleet: Fleet, seed: number): TenantModel[] {
  return fleet.tenants.map((tenant, index) => {
    const hash = hashString(tenant.id);
    const rng = rngFor(seed, hash, PURPOSE.profile);
    const block = rng.pick(ADDRESS_BLOCKS);
    const addrs = Array.from({ length: rng.int(2, 6) }, () => `${block}.${rng.int(2, 250)}`);
    return {
      tenant,
      index,
      hash,
      peakRate: rng.range(0.6, 2.0),
      perQuerySeconds: rng.range(0.0008, 0.0016),
      pythonScale: rng.range(0.8, 1.3),
      clientAddrs: addrs,
      databaseBytes: Math.round(rng.range(80, 900) * 1024 * 1024),
    };
  });
}

export function clusterModels(fleet: Fleet, tenants: readonly TenantModel[]): Map<string, ClusterModel> {
  const clusters = new Map<string, ClusterModel>();
  for (const cluster of Object.values(fleet.clusters)) {
    const members = tenants.filter((t) => t.tenant.cluster === cluster.id);
    const n = Math.max(1, members.length);
    clusters.set(cluster.id, {
      cluster,
      tenants: members,
      // The fleet's declared workers when it has them, so tenantscope's capacity and the model agree.
      httpWorkers: cluster.capacity.odooWorkers ?? Math.min(16, Math.max(2, Math.ceil(n / 2) + 2)),
      cronWorkers: 2,
      pgCapacity: 1 + 0.1 * n,
      hostCpus: 2 + 0.25 * n,
    });
  }
  return clusters;
}

/**
 * Traffic follows the tenant's working day: 60 % of peak at night, peak at 14:00 local.
 * A gentle curve, so an hour-long run has no false "incidents" from the daily cycle alone.
 */
export function diurnalFactor(zone: string, ms: number): number {
  const localMs = ms + zoneOffsetMinutes(zone, ms) * 60_000;
  const hour = (localMs / 3_600_000) % 24;
  return 0.8 + 0.2 * Math.cos(((hour - 14) / 24) * 2 * Math.PI);
}
