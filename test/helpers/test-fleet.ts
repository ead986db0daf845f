import { buildFleet } from './fleet-builder';
import type { Fleet } from '../../services/config/fleet-types';

/**
 * A small fleet for the simulator's tests, built as fleet-file text so it goes through the real
 * validation: cluster c1 (Berlin: alpha, bravo, charlie) and c2 (New York: delta, echo), files
 * under `dir`. Servers are optional so batch tests need no ports.
 */
export interface TestFleetOptions {
  ingressPort?: number;
  traefikPort?: number;
  postgresUrl?: string;
  redisUrl?: string;
  /** Database name per tenant id; default `tssim_<id>`. */
  databases?: Record<string, string>;
  /** Only cluster c1. */
  oneCluster?: boolean;
  /** Put before each tenant's Redis prefix, so parallel runs do not share key names. */
  redisPrefix?: string;
  /** Traefik known by its access log instead of /metrics: c1 writes CLF (`access.log`), c2 JSON (`access.json`). */
  traefikAccessLogs?: boolean;
}

const TENANTS = [
  { id: 'alpha', cluster: 'c1', tier: 'business' },
  { id: 'bravo', cluster: 'c1', tier: 'standard' },
  { id: 'charlie', cluster: 'c1', tier: 'mission' },
  { id: 'delta', cluster: 'c2', tier: 'business' },
  { id: 'echo', cluster: 'c2', tier: 'standard' },
];

export function testFleet(dir: string, options: TestFleetOptions = {}): Fleet {
  const cluster = (id: string, zone: string): Record<string, unknown> => ({
    timezone: zone,
    odoo: { logFiles: [`${id}/odoo.log`], logTimezone: zone },
    backups: { pgbackrestInfoFile: `${id}/pgbackrest-info.json`, jobResultsFile: `${id}/backup-jobs.ndjson` },
    probe: { url: `http://127.0.0.1:${options.ingressPort ?? 1}`, intervalSeconds: 15 },
    ...(options.traefikPort &&
      !options.traefikAccessLogs && {
        traefik: { metricsUrl: `http://127.0.0.1:${options.traefikPort}/metrics`, apiUrl: `http://127.0.0.1:${options.traefikPort}` },
      }),
    ...(options.traefikAccessLogs && {
      traefik: {
        accessLogFiles: [`${id}/${id === 'c1' ? 'access.log' : 'access.json'}`],
        ...(options.traefikPort && { apiUrl: `http://127.0.0.1:${options.traefikPort}` }),
      },
    }),
    ...(options.postgresUrl && { postgres: { url: options.postgresUrl } }),
    ...(options.redisUrl && { redis: { url: options.redisUrl } }),
  });
  const tenants = TENANTS.filter((t) => !options.oneCluster || t.cluster === 'c1').map((t) => ({
    id: t.id,
    name: `${t.id} GmbH`,
    cluster: t.cluster,
    tier: t.tier,
    database: options.databases?.[t.id] ?? `tssim_${t.id}`,
    hosts: [`${t.id}.erp.test`],
    redis: { clientPrefix: `${options.redisPrefix ?? ''}${t.id}:` },
    monthlyFee: { amount: '100.00', currency: 'EUR' },
  }));
  const clusters: Record<string, Record<string, unknown>> = { c1: cluster('c1', 'Europe/Berlin') };
  if (!options.oneCluster) clusters.c2 = cluster('c2', 'America/New_York');
  return buildFleet({ clusters, tenants }, { source: `${dir}/fleet.yaml`, baseDir: dir });
}
