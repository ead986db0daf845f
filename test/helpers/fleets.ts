import { expect } from 'vitest';
import { parseFleet } from '../../services/config/fleet';
import { buildFleet, fleetYaml, type FleetSpec } from './fleet-builder';
import { ConfigError } from '../../services/core/errors';
import type { Fleet } from '../../services/config/fleet-types';

export interface TestFleetOptions {
  logFile?: string;
  probeUrl?: string;
  probeIntervalSeconds?: number;
  probeTimeoutSeconds?: number;
  logIntervalSeconds?: number;
  tenants?: number;
}

/** A small valid fleet for tests, as objects: one cluster `c1` in Europe/Berlin, tenants t1..tN. */
export function testFleetSpec(options: TestFleetOptions = {}): FleetSpec {
  const c1: Record<string, unknown> = { timezone: 'Europe/Berlin' };
  if (options.logFile) c1.odoo = { logFiles: [options.logFile], logIntervalSeconds: options.logIntervalSeconds ?? 1 };
  if (options.probeUrl)
    c1.probe = {
      url: options.probeUrl,
      intervalSeconds: options.probeIntervalSeconds ?? 1,
      timeoutSeconds: options.probeTimeoutSeconds ?? 1,
    };
  const tiers = ['standard', 'business', 'mission'];
  const tenants = Array.from({ length: options.tenants ?? 3 }, (_, k) => {
    const i = k + 1;
    return {
      id: `t${i}`,
      name: `Tenant ${i}`,
      cluster: 'c1',
      tier: tiers[i % 3],
      database: `db_t${i}`,
      hosts: [`t${i}.example.test`],
      monthlyFee: { amount: '100.00', currency: 'EUR' },
    };
  });
  return { clusters: { c1 }, tenants };
}

/** testFleetSpec as fleet-file text. */
export function testFleetYaml(options: TestFleetOptions = {}): string {
  return fleetYaml(testFleetSpec(options));
}

export function testFleet(options: TestFleetOptions = {}): Fleet {
  return buildFleet(testFleetSpec(options));
}

/** The problems parseFleet refuses `text` with; fails the test when it accepts it. */
export function fleetProblems(text: string): string[] {
  try {
    parseFleet(text, 'fleet.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('the fleet file was accepted');
}
