import type { Resource } from '../../services/noisy/detector-types';
import { rngFor, type Rng } from '../../simulator/random';
import { DEFAULT_CLUSTER, makeTenants, type ClusterSpec, type TenantProfile } from './cluster';
import type { Injection } from './injections';

/** The 12 evaluation scenarios, each built from a seed with its ground truth. */

export interface Truth {
  kind: 'neighbour' | 'capacity';
  resource: Resource;
  antagonists: string[];
  /** Fractional minutes from the start of the run. */
  onset: number;
  end: number;
  /** The injection(s) whose effect defines the victims (run with and without them). */
  injections: Injection[];
}

/** A collector gap or counter reset, as attribution hands it on: missing or NaN values. */
export interface Gap {
  minute: number;
  tenants: number[] | 'all';
  what: 'pg_usage' | 'latency_nan' | 'everything' | 'all_nan';
}

export interface Setup {
  tenants: TenantProfile[];
  spec: ClusterSpec;
  injections: Injection[];
  truths: Truth[];
  gaps: Gap[];
  /** Capacity incidents inside these windows are expected, not false (8: slowdown, 12: peak). */
  capacityAllowed: { onset: number; end: number }[];
}

export interface Scenario {
  id: number;
  name: string;
  build(seed: number): Setup;
}

const window = (rng: Rng): { onset: number; end: number } => {
  const onset = rng.range(120, 300);
  return { onset, end: onset + rng.range(10, 30) };
};
const name = (i: number): string => `t${String(i).padStart(2, '0')}`;

/**
 * A mid-size tenant: busy enough to be judged (≥ 30 requests/min at the peak) and at most 4 % of
 * the fleet's requests, so its own trouble stays its own (a top tenant quadrupling its load is a
 * noisy neighbour, not scenario 9).
 */
function busyTenant(rng: Rng, tenants: TenantProfile[]): number {
  const total = tenants.reduce((sum, t) => sum + t.rate, 0);
  const ok = tenants
    .map((_, i) => i)
    .filter((i) => (tenants[i] as TenantProfile).rate >= 30 && (tenants[i] as TenantProfile).rate <= 0.04 * total);
  return rng.pick(ok);
}

function single(
  id: number,
  label: string,
  resource: Resource,
  make: (rng: Rng, tenant: number, w: { onset: number; end: number }) => Injection,
): Scenario {
  return {
    id,
    name: label,
    build(seed) {
      const rng = rngFor(seed, id, 0x5ce);
      const tenants = makeTenants(seed);
      const w = window(rng);
      const tenant = rng.int(0, tenants.length - 1);
      const inj = make(rng, tenant, w);
      return {
        tenants,
        spec: DEFAULT_CLUSTER,
        injections: [inj],
        truths: [{ kind: 'neighbour', resource, antagonists: [name(tenant)], ...w, injections: [inj] }],
        gaps: [],
        capacityAllowed: [],
      };
    },
  };
}

function negative(id: number, label: string, make: (rng: Rng, tenants: TenantProfile[]) => Partial<Setup>): Scenario {
  return {
    id,
    name: label,
    build(seed) {
      const rng = rngFor(seed, id, 0x5ce);
      const tenants = makeTenants(seed);
      return { tenants, spec: DEFAULT_CLUSTER, injections: [], truths: [], gaps: [], capacityAllowed: [], ...make(rng, tenants) };
    },
  };
}

const cpuReport = (rng: Rng, tenant: number, w: { onset: number; end: number }): Injection => ({
  kind: 'cpu_report',
  tenant,
  sessions: rng.range(6, 10),
  ...w,
});
const redisFlood = (rng: Rng, tenant: number, w: { onset: number; end: number }): Injection => ({
  kind: 'redis_flood',
  tenant,
  redisRho: rng.range(0.5, 0.62),
  ...w,
});

export const SCENARIOS: Scenario[] = [
  single(1, 'report burns CPU', 'pg_cpu', cpuReport),
  single(2, 'slow requests hold 60 % of workers', 'odoo_workers', (rng, tenant, w) => ({
    kind: 'slow_requests',
    tenant,
    workerShare: rng.range(0.55, 0.65),
    requestSeconds: 20,
    ...w,
  })),
  single(3, 'big sort spills temp', 'pg_io', (rng, tenant, w) => ({ kind: 'temp_spill', tenant, ioRho: rng.range(0.4, 0.55), ...w })),
  single(4, 'connection storm', 'pg_conn', (rng, tenant, w) => ({ kind: 'conn_storm', tenant, connections: 200, ...w })),
  single(5, 'redis flood', 'redis', redisFlood),
  {
    id: 6,
    name: 'two antagonists (CPU + Redis)',
    build(seed) {
      const rng = rngFor(seed, 6, 0x5ce);
      const tenants = makeTenants(seed);
      const a = rng.int(0, tenants.length - 1);
      let b = rng.int(0, tenants.length - 2);
      if (b >= a) b++;
      const wa = window(rng);
      const shift = rng.range(-5, 5);
      const wb = { onset: wa.onset + shift, end: wa.onset + shift + rng.range(10, 30) };
      const ia = cpuReport(rng, a, wa);
      const ib = redisFlood(rng, b, wb);
      return {
        tenants,
        spec: DEFAULT_CLUSTER,
        injections: [ia, ib],
        truths: [
          { kind: 'neighbour', resource: 'pg_cpu', antagonists: [name(a)], ...wa, injections: [ia] },
          { kind: 'neighbour', resource: 'redis', antagonists: [name(b)], ...wb, injections: [ib] },
        ],
        gaps: [],
        capacityAllowed: [],
      };
    },
  },
  negative(7, 'neg: lock wait inside own DB', (rng, tenants) => ({
    injections: [{ kind: 'lock_wait', tenant: busyTenant(rng, tenants), waitSeconds: rng.range(1, 3), idleConnections: 5, ...window(rng) }],
  })),
  negative(8, 'neg: host-wide slowdown', (rng) => {
    const w = window(rng);
    return {
      injections: [{ kind: 'host_slowdown', cpuFactor: rng.range(0.6, 0.7), pythonFactor: rng.range(1.3, 1.6), ...w }],
      capacityAllowed: [w],
    };
  }),
  negative(9, "neg: tenant's own load spike", (rng, tenants) => ({
    injections: [{ kind: 'load_spike', tenant: busyTenant(rng, tenants), factor: rng.range(3, 5), rateLimitFactor: 2.5, ...window(rng) }],
  })),
  negative(10, 'neg: large tenant at steady 40 % share', (_rng, tenants) => {
    // Tenant 0 becomes a steady integration feed worth 40 % of every resource; capacities grow to match.
    const others = tenants.slice(1).reduce((sum, t) => sum + t.rate * t.pgCpu, 0) * 0.95;
    const big: TenantProfile = { id: 't00', rate: 120, python: 0.06, pgCpu: 0, ioBlocks: 0, redisOps: 0, diurnal: false };
    big.pgCpu = (others * (0.4 / 0.6)) / big.rate;
    const scale = big.pgCpu / 0.09;
    Object.assign(big, { python: 0.06 * scale, ioBlocks: 40 * scale, redisOps: 20 * scale });
    const spec: ClusterSpec = {
      ...DEFAULT_CLUSTER,
      workers: 40,
      vcpu: 13,
      blockSeconds: DEFAULT_CLUSTER.blockSeconds * 0.6,
      redisOpSeconds: DEFAULT_CLUSTER.redisOpSeconds * 0.6,
      maxConnections: 330,
    };
    return { tenants: [big, ...tenants.slice(1)], spec };
  }),
  negative(11, 'neg: counter resets and collector gaps', (rng, tenants) => {
    const at = (): number => rng.int(120, 330);
    const some = (k: number): number[] => Array.from({ length: k }, () => rng.int(0, tenants.length - 1));
    const eviction = at();
    return {
      gaps: [
        { minute: at(), tenants: some(1), what: 'pg_usage' },
        { minute: eviction, tenants: some(5), what: 'latency_nan' },
        { minute: eviction + 1, tenants: some(5), what: 'latency_nan' },
        { minute: at(), tenants: 'all', what: 'everything' },
        { minute: at(), tenants: some(2), what: 'all_nan' },
      ],
    };
  }),
  negative(12, 'neg: diurnal peak for all tenants', (rng) => {
    const onset = rng.range(120, 240);
    const w = { onset, end: onset + rng.range(30, 60) };
    return {
      injections: [{ kind: 'diurnal_peak', factor: rng.range(1.3, 1.5), rampMinutes: 20, ...w }],
      capacityAllowed: [{ onset: onset - 20, end: w.end + 20 }],
    };
  }),
];
