import { parse } from 'yaml';
import { buildFleet } from './fleet-builder';
import type { Fleet } from '../../services/config/fleet-types';
import { parseEvidenceLine, type Evidence } from '../../services/sla/evidence';
import { EvidenceIndex } from '../../services/sla/minute-evidence';
import { computeFleetReports, type SlaReport } from '../../services/sla/report';

/** Test fleets for the SLA engine: one cluster c1, tenants a (and b) on tier t. */
export interface SlaFleetOptions {
  zone?: string;
  clusterZone?: string;
  target?: number;
  credits?: string;
  cap?: number;
  nodata?: 'exclude' | 'good' | 'bad';
  minRequests?: number;
  fee?: [string, string];
  tenantMaintenance?: string[];
  clusterMaintenance?: string[];
}

// Maintenance entries are given as fleet-file text (`once: {start: ..., end: ...}`), as an operator writes them.
const windows = (entries: string[] = []) => (entries.length > 0 ? { maintenance: entries.map((m) => parse(m) as unknown) } : {});

export function slaFleet(o: SlaFleetOptions = {}): Fleet {
  const [amount, currency] = o.fee ?? ['1000.00', 'EUR'];
  const tenant = (id: string, maintenance?: string[]) => ({
    id,
    name: `Tenant ${id}`,
    cluster: 'c1',
    tier: 't',
    timezone: o.zone ?? 'Europe/Berlin',
    hosts: [`${id}.example.test`],
    monthlyFee: { amount, currency },
    ...windows(maintenance),
  });
  return buildFleet(
    {
      tiers: {
        t: {
          target: o.target ?? 99.9,
          credits: parse(o.credits ?? '[{below: 99.9, percent: 10}, {below: 99.0, percent: 25}, {below: 95.0, percent: 100}]') as unknown,
          creditCapPercent: o.cap ?? 100,
          rpo: '1h',
          rto: '4h',
          downtime: { minRequests: o.minRequests ?? 10, errorRatio: 0.05 },
          nodata: o.nodata ?? 'exclude',
        },
      },
      clusters: { c1: { timezone: o.clusterZone ?? o.zone ?? 'Europe/Berlin', ...windows(o.clusterMaintenance) } },
      tenants: [tenant('a', o.tenantMaintenance), tenant('b')],
    },
    { source: 'sla-test.yaml' },
  );
}

/** Reports of the fleet's tenants for `month` from evidence given as line objects. */
export function reportsFor(fleet: Fleet, month: string, lines: readonly object[]): Record<string, SlaReport> {
  const evidence = lines.map((l) => {
    const parsed = parseEvidenceLine(JSON.stringify(l));
    if ('error' in parsed) throw new Error(`bad test evidence ${JSON.stringify(l)}: ${parsed.error}`);
    return parsed as Evidence;
  });
  return Object.fromEntries(computeFleetReports(fleet, month, new EvidenceIndex(evidence)).map((r) => [r.tenant, r]));
}

export const probe = (ts: string, ok: boolean, tenant = 'a') => ({ kind: 'probe', tenant, ts, ok });
export const requests = (minute: string, total: number, serverErrors: number, source?: 'ingress' | 'odoo', tenant = 'a') => ({
  kind: 'requests',
  tenant,
  minute,
  total,
  serverErrors,
  ...(source && { source }),
});

/** `n` consecutive minutes from `startIso`, as ISO strings. */
export function minutesFrom(startIso: string, n: number): string[] {
  const start = Date.parse(startIso);
  return Array.from({ length: n }, (_, i) => new Date(start + i * 60_000).toISOString());
}
