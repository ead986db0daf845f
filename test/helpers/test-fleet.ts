import { createServer } from 'node:net';
import { parseFleet } from '../../services/config/fleet';
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
}

const TENANTS = [
  { id: 'alpha', cluster: 'c1', tier: 'business' },
  { id: 'bravo', cluster: 'c1', tier: 'standard' },
  { id: 'charlie', cluster: 'c1', tier: 'mission' },
  { id: 'delta', cluster: 'c2', tier: 'business' },
  { id: 'echo', cluster: 'c2', tier: 'standard' },
];

export function testFleet(dir: string, options: TestFleetOptions = {}): Fleet {
  const cluster = (id: string, zone: string) => {
    const lines = [
      `  ${id}:`,
      `    timezone: ${zone}`,
      `    odoo: {logFiles: [${id}/odoo.log], logTimezone: ${zone}}`,
      `    backups: {pgbackrestInfoFile: ${id}/pgbackrest-info.json, jobResultsFile: ${id}/backup-jobs.ndjson}`,
    ];
    if (options.ingressPort) lines.push(`    probe: {url: "http://127.0.0.1:${options.ingressPort}", intervalSeconds: 15}`);
    else lines.push(`    probe: {url: "http://127.0.0.1:1", intervalSeconds: 15}`);
    if (options.traefikPort)
      lines.push(
        `    traefik: {metricsUrl: "http://127.0.0.1:${options.traefikPort}/metrics", apiUrl: "http://127.0.0.1:${options.traefikPort}"}`,
      );
    if (options.postgresUrl) lines.push(`    postgres: {url: "${options.postgresUrl}"}`);
    if (options.redisUrl) lines.push(`    redis: {url: "${options.redisUrl}"}`);
    return lines.join('\n');
  };
  const tenants = TENANTS.filter((t) => !options.oneCluster || t.cluster === 'c1').map((t) =>
    [
      `  - id: ${t.id}`,
      `    name: ${t.id} GmbH`,
      `    cluster: ${t.cluster}`,
      `    tier: ${t.tier}`,
      `    database: ${options.databases?.[t.id] ?? `tssim_${t.id}`}`,
      `    hosts: [${t.id}.erp.test]`,
      `    redis: {clientPrefix: "${options.redisPrefix ?? ''}${t.id}:"}`,
      `    monthlyFee: {amount: "100.00", currency: EUR}`,
    ].join('\n'),
  );
  const text = [
    'clusters:',
    cluster('c1', 'Europe/Berlin'),
    ...(options.oneCluster ? [] : [cluster('c2', 'America/New_York')]),
    'tenants:',
    ...tenants,
    '',
  ].join('\n');
  return parseFleet(text, `${dir}/fleet.yaml`, dir);
}

/** Ports nobody listens on right now: bound to port 0, read, released. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<import('node:net').Server>((resolve) => {
          const server = createServer();
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as import('node:net').AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
