import { rngFor } from '../../simulator/random';

/**
 * The simulated cluster: 50 tenants with their own request mix, and the shared capacities.
 * Means are per request; every request's demand is lognormal around them.
 */

export interface TenantProfile {
  id: string;
  /** Requests per minute at the diurnal peak. */
  rate: number;
  /** Seconds of Odoo Python per request. */
  python: number;
  /** PG CPU seconds per request. */
  pgCpu: number;
  /** Blocks read per request. */
  ioBlocks: number;
  /** Redis operations per request. */
  redisOps: number;
  /** Follows the working day (false: a steady integration feed). */
  diurnal: boolean;
}

export interface ClusterSpec {
  workers: number;
  vcpu: number;
  /** Seconds of disk service per block (one FIFO server). */
  blockSeconds: number;
  /** Seconds of Redis main-thread time per operation (one server). */
  redisOpSeconds: number;
  maxConnections: number;
  /** Share of requests that need a fresh PG connection (a worker switching databases). */
  newConnectionShare: number;
  /** Spread (log sd) of one request's demand around the tenant's means. */
  requestSigma: number;
  /** Errors a healthy tenant shows anyway (client aborts, bugs). */
  baseErrorRatio: number;
}

export const DEFAULT_CLUSTER: ClusterSpec = {
  workers: 24,
  vcpu: 8,
  blockSeconds: 0.0003,
  redisOpSeconds: 0.0005,
  maxConnections: 200,
  newConnectionShare: 0.25,
  requestSigma: 0.8,
  baseErrorRatio: 0.002,
};

export const TENANTS = 50;

/** The fleet for one seed: sizes spread over two orders of magnitude, as real fleets are. */
export function makeTenants(seed: number): TenantProfile[] {
  const rng = rngFor(seed, 0x7e4a47);
  const out: TenantProfile[] = [];
  for (let i = 0; i < TENANTS; i++) {
    out.push({
      id: `t${String(i).padStart(2, '0')}`,
      rate: Math.min(250, Math.max(4, 28 * rng.lognormal(0.8))),
      python: 0.06 * rng.lognormal(0.4),
      pgCpu: 0.09 * rng.lognormal(0.5),
      ioBlocks: 40 * rng.lognormal(0.7),
      redisOps: 20 * rng.lognormal(0.4),
      diurnal: true,
    });
  }
  sizeForFleet(out, DEFAULT_CLUSTER);
  return out;
}

/**
 * Operators size a cluster for its fleet: whatever the draw, the fleet's peak asks the same
 * headroom of each shared resource (workers ≈ 45 %, PG CPU ≈ 45 %, disk ≈ 45 %, Redis ≈ 35 %).
 * Without this some seeds draw a fleet that saturates its workers every noon, which is a
 * capacity problem of the simulated cluster rather than a scenario.
 */
function sizeForFleet(tenants: TenantProfile[], spec: ClusterSpec): void {
  const mean = Math.exp((spec.requestSigma * spec.requestSigma) / 2);
  const perSecond = (f: (t: TenantProfile) => number): number => tenants.reduce((sum, t) => sum + (t.rate / 60) * f(t) * mean, 0);
  const scale = (target: number, load: number, apply: (t: TenantProfile, k: number) => void): void => {
    const k = target / load;
    for (const t of tenants) apply(t, k);
  };
  scale(
    0.45 * spec.vcpu,
    perSecond((t) => t.pgCpu),
    (t, k) => (t.pgCpu *= k),
  );
  scale(
    0.45,
    perSecond((t) => t.ioBlocks * spec.blockSeconds),
    (t, k) => (t.ioBlocks *= k),
  );
  scale(
    0.35,
    perSecond((t) => t.redisOps * spec.redisOpSeconds),
    (t, k) => (t.redisOps *= k),
  );
  // Worker seconds per request ≈ Python + PG + disk + Redis at the stretch of ~50 % load.
  const worker = perSecond(
    (t) => t.python + t.pgCpu * 1.05 + t.ioBlocks * spec.blockSeconds * 1.8 + t.redisOps * spec.redisOpSeconds * 1.5,
  );
  scale(0.45 * spec.workers, worker, (t, k) => (t.rate *= k));
}

/** Working-day curve: 0.8 at 08:00, 1.0 at noon, easing after; `minute` 0 is 08:00. */
export function diurnal(minute: number): number {
  const hour = 8 + minute / 60;
  return 0.6 + 0.4 * Math.sin((Math.PI * (hour - 6)) / 12);
}
