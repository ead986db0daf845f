import { expect } from 'vitest';
import { parseFleet } from '../../services/config/fleet';
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

/** A small valid fleet for tests: one cluster `c1` in Europe/Berlin, tenants t1..tN. */
export function testFleetYaml(options: TestFleetOptions = {}): string {
  const lines = ['clusters:', '  c1:', '    timezone: Europe/Berlin'];
  if (options.logFile) {
    lines.push(
      '    odoo:',
      `      logFiles: [${JSON.stringify(options.logFile)}]`,
      `      logIntervalSeconds: ${options.logIntervalSeconds ?? 1}`,
    );
  }
  if (options.probeUrl) {
    lines.push(
      '    probe:',
      `      url: ${options.probeUrl}`,
      `      intervalSeconds: ${options.probeIntervalSeconds ?? 1}`,
      `      timeoutSeconds: ${options.probeTimeoutSeconds ?? 1}`,
    );
  }
  lines.push('tenants:');
  const tiers = ['standard', 'business', 'mission'];
  for (let i = 1; i <= (options.tenants ?? 3); i++) {
    lines.push(
      `  - id: t${i}`,
      `    name: Tenant ${i}`,
      '    cluster: c1',
      `    tier: ${tiers[i % 3]}`,
      `    database: db_t${i}`,
      `    hosts: [t${i}.example.test]`,
      '    monthlyFee: {amount: "100.00", currency: EUR}',
    );
  }
  return `${lines.join('\n')}\n`;
}

export function testFleet(options: TestFleetOptions = {}): Fleet {
  return parseFleet(testFleetYaml(options), 'test-fleet.yaml');
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
