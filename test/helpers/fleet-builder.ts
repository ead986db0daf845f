import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { parseFleet } from '../../services/config/fleet';
import type { Fleet } from '../../services/config/fleet-types';

/**
 * The one way tests make a fleet: plain objects shaped like the fleet file → YAML → parseFleet,
 * so every test fleet goes through the real validation and defaults. Presets (testFleet,
 * slaFleet, the simulator's fleet) build their objects and call this.
 */
export interface FleetSpec {
  tiers?: Record<string, Record<string, unknown>>;
  clusters: Record<string, Record<string, unknown>>;
  tenants: Record<string, unknown>[];
  noisy?: Record<string, unknown>;
}

/** The spec as fleet-file text (what a test writes to disk for a process to read). */
export function fleetYaml(spec: FleetSpec): string {
  return stringify(spec, { lineWidth: 0 });
}

export function buildFleet(spec: FleetSpec, options: { source?: string; baseDir?: string } = {}): Fleet {
  return parseFleet(fleetYaml(spec), options.source ?? 'test-fleet.yaml', options.baseDir);
}

/**
 * examples/fleet.yaml (the demo fleet) as objects, for a test to change before building; with
 * `dir`, its files (`../var/demo/...`: Odoo logs, backup files) are under `dir` instead.
 */
export function exampleFleetSpec(dir?: string): FleetSpec {
  const spec = parse(readFileSync(join(__dirname, '..', '..', 'examples', 'fleet.yaml'), 'utf8')) as FleetSpec;
  if (dir === undefined) return spec;
  const relocate = (value: unknown): unknown =>
    typeof value === 'string'
      ? value.replace(/^\.\.\/var\/demo\//, `${dir}/`)
      : Array.isArray(value)
        ? value.map(relocate)
        : value !== null && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, relocate(v)]))
          : value;
  return { ...spec, clusters: relocate(spec.clusters) as FleetSpec['clusters'] };
}

/** A tenant of `cluster` with the defaults a test rarely cares about (tier business, a host, a fee); `extra` overrides. */
export function tenantSpec(id: string, cluster: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: id.toUpperCase(),
    cluster,
    tier: 'business',
    hosts: [`${id}.example.test`],
    monthlyFee: { amount: '1.00', currency: 'EUR' },
    ...extra,
  };
}
