import type { ClusterMinute, TenantMinute } from '../../services/noisy/detector-types';
import { rngFor, type Rng } from '../../simulator/random';
import { DEFAULT_CLUSTER, diurnal, type ClusterSpec, type TenantProfile } from './cluster';
import { coverage, peakFactor, type Injection } from './injections';
import { MAX_RHO, mgcWait, stretch } from './queues';

/**
 * The batch simulator in event time, one minute at a time: Poisson arrivals per tenant, lognormal
 * demand per request, and the shared resources as queues (Odoo workers M/G/c, PG CPU processor
 * sharing over vCPU, disk one FIFO server, Redis one server, a connection cap). It emits exactly
 * what attribution hands the detector (`ClusterMinute`) plus the true per-tenant latency and
 * errors, which the evaluation compares between runs with and without the injection.
 *
 * Every random draw comes from a stream per (seed, tenant) consumed in a fixed order, so a run
 * with an injection and the same seed without it see the same arrivals (common random numbers).
 */

export interface SimRun {
  minutes: ClusterMinute[];
  /** [tenant][minute] mean latency in seconds (NaN without requests), error ratio, requests. */
  latency: number[][];
  errors: number[][];
  requests: number[][];
}

export const START = Date.UTC(2026, 2, 2, 8, 0);
const MINUTE = 60_000;

/** Poisson by inversion from one uniform (normal above 30), so every minute draws the same count. */
function poisson(lambda: number, u: number, z: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z));
  let k = 0;
  let p = Math.exp(-lambda);
  let cdf = p;
  while (u > cdf && k < 200) {
    k++;
    p *= lambda / k;
    cdf += p;
  }
  return k;
}

interface Draws {
  u: number;
  z1: number;
  z2: number;
  uErr: number;
  zErr: number;
}

function draw(rng: Rng): Draws {
  return { u: rng.float(), z1: rng.normal(), z2: rng.normal(), uErr: rng.float(), zErr: rng.normal() };
}

export function simulate(
  seed: number,
  tenants: TenantProfile[],
  injections: Injection[],
  minutes = 360,
  spec: ClusterSpec = DEFAULT_CLUSTER,
): SimRun {
  const rngs = tenants.map((_, i) => rngFor(seed, i, 0x51));
  const wander = tenants.map(() => 0);
  const n = tenants.length;
  const run: SimRun = { minutes: [], latency: tenants.map(() => []), errors: tenants.map(() => []), requests: tenants.map(() => []) };
  const meanFactor = Math.exp((spec.requestSigma * spec.requestSigma) / 2);
  const cv = Math.sqrt(Math.exp(spec.requestSigma * spec.requestSigma) - 1);

  for (let m = 0; m < minutes; m++) {
    let cpuFactor = 1;
    let pyFactor = 1;
    let peak = 1;
    for (const inj of injections) {
      const f = coverage(inj, m);
      if (inj.kind === 'host_slowdown' && f > 0) {
        cpuFactor *= 1 - f * (1 - inj.cpuFactor);
        pyFactor *= 1 + f * (inj.pythonFactor - 1);
      }
      if (inj.kind === 'diurnal_peak') peak *= peakFactor(inj, m);
    }
    const count: number[] = [];
    const work: number[] = [];
    const draws: Draws[] = [];
    const cpu = new Array<number>(n).fill(0);
    const io = new Array<number>(n).fill(0);
    const redis = new Array<number>(n).fill(0);
    const extraWorkers = new Array<number>(n).fill(0);
    const extraConns = new Array<number>(n).fill(0);
    const lockWait = new Array<number>(n).fill(0);
    const rateLimited = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      const t = tenants[i] as TenantProfile;
      const d = draw(rngs[i] as Rng);
      draws.push(d);
      // A slow wander per tenant (AR(1) in logs): tenants drift through the day, not in lockstep.
      wander[i] = 0.97 * (wander[i] as number) + 0.04 * d.z2;
      let lambda = t.rate * (t.diurnal ? diurnal(m) * peak : 1) * Math.exp(wander[i] as number);
      for (const inj of injections) {
        if (inj.kind === 'load_spike' && inj.tenant === i) {
          const f = coverage(inj, m);
          const spiked = lambda * (1 + f * (inj.factor - 1));
          // The ingress rate limit turns the excess over limit × normal rate into 429s.
          rateLimited[i] = Math.max(0, 1 - (inj.rateLimitFactor * lambda) / spiked);
          lambda = spiked;
        }
      }
      const k = poisson(lambda, d.u, d.z1);
      count.push(k);
      const w = Math.max(0.3, 1 + (cv * d.zErr) / Math.sqrt(Math.max(k, 1))) * meanFactor;
      work.push(w);
      cpu[i] = k * t.pgCpu * w;
      io[i] = k * t.ioBlocks * w;
      redis[i] = k * t.redisOps * w;
    }
    let greedy = 0;
    const reportSessions = new Array<number>(n).fill(0);
    let slowRate = 0;
    let slowSecondsSq = 0;
    for (const inj of injections) {
      const f = coverage(inj, m);
      if (f <= 0 || !('tenant' in inj)) continue;
      const i = inj.tenant;
      if (inj.kind === 'cpu_report') {
        greedy += inj.sessions * f;
        reportSessions[i] = (reportSessions[i] as number) + inj.sessions * f;
        extraWorkers[i] = (extraWorkers[i] as number) + 60 * f;
        extraConns[i] = (extraConns[i] as number) + inj.sessions * f;
      } else if (inj.kind === 'temp_spill') io[i] = (io[i] as number) + (inj.ioRho * 60 * f) / spec.blockSeconds;
      else if (inj.kind === 'redis_flood') redis[i] = (redis[i] as number) + (inj.redisRho * 60 * f) / spec.redisOpSeconds;
      else if (inj.kind === 'conn_storm') extraConns[i] = (extraConns[i] as number) + inj.connections * f;
      else if (inj.kind === 'slow_requests') {
        const busy = inj.workerShare * spec.workers * 60 * f;
        extraWorkers[i] = (extraWorkers[i] as number) + busy;
        slowRate += busy / inj.requestSeconds / 60;
        slowSecondsSq += (busy / inj.requestSeconds) * 2 * inj.requestSeconds ** 2;
        extraConns[i] = (extraConns[i] as number) + inj.workerShare * spec.workers * f;
      } else if (inj.kind === 'lock_wait') {
        lockWait[i] = inj.waitSeconds * f;
        extraConns[i] = (extraConns[i] as number) + inj.idleConnections * f;
      }
    }
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    // Slower cores (steal) make every CPU second of work take longer and load the cores more.
    for (let i = 0; i < n; i++) cpu[i] = (cpu[i] as number) / cpuFactor;
    const rhoCpu = sum(cpu) / (spec.vcpu * 60);
    // Greedy report sessions share the cores fairly (processor sharing): with K of them the
    // runnable count N solves N = K + rho·N, and request work stretches by N / vCPU when N > vCPU.
    const runnable = greedy / (1 - Math.min(rhoCpu, MAX_RHO));
    const sCpu = stretch(spec.vcpu, rhoCpu) * Math.max(1, runnable / spec.vcpu);
    const cpuBusy = runnable >= spec.vcpu ? 1 : Math.min(1, rhoCpu + greedy / spec.vcpu);
    const rhoIo = (sum(io) * spec.blockSeconds) / 60;
    const sIo = 1 / (1 - Math.min(rhoIo, MAX_RHO));
    const rhoRedis = (sum(redis) * spec.redisOpSeconds) / 60;
    const sRedis = 1 / (1 - Math.min(rhoRedis, MAX_RHO));

    // Seconds a request holds a worker: Python, then PG CPU, disk and Redis, each stretched by its queue.
    const service = tenants.map((t, i) => {
      const w = work[i] as number;
      return (
        t.python * w * pyFactor +
        (t.pgCpu * w * sCpu) / cpuFactor +
        t.ioBlocks * w * spec.blockSeconds * sIo +
        t.redisOps * w * spec.redisOpSeconds * sRedis +
        (lockWait[i] as number)
      );
    });
    const lambda = sum(count) / 60 + slowRate;
    const busy = sum(count.map((k, i) => k * (service[i] as number))) / 60 + sum(extraWorkers) / 60;
    const rhoWorkers = busy / spec.workers;
    const meanS = lambda > 0 ? busy / lambda : 0;
    const second = (sum(count.map((k, i) => 2 * k * (service[i] as number) ** 2)) + slowSecondsSq) / 60;
    const cv2 = lambda > 0 && meanS > 0 ? second / lambda / meanS ** 2 - 1 : 1;
    const wait = Math.min(60, mgcWait(spec.workers, lambda, meanS, cv2));
    const timeouts = rhoWorkers > 1 ? 1 - 1 / rhoWorkers : 0;

    const conns = tenants.map((_, i) => 1 + ((count[i] as number) * (service[i] as number)) / 60 + (extraConns[i] as number));
    const connTotal = sum(conns);
    const refused = connTotal > spec.maxConnections ? (connTotal - spec.maxConnections) / connTotal : 0;
    const held = Math.min(1, spec.maxConnections / connTotal);

    const out: Record<string, TenantMinute> = {};
    tenants.forEach((t, i) => {
      const k = count[i] as number;
      const d = draws[i] as Draws;
      const latency = k > 0 ? wait + (service[i] as number) + 0.005 : NaN;
      const baseErrors = k > 0 ? Math.min(k, poisson(k * spec.baseErrorRatio, d.uErr, 0)) / k : 0;
      const errorRatio = Math.min(1, baseErrors + timeouts + refused * spec.newConnectionShare + (rateLimited[i] as number));
      run.latency[i]?.push(latency);
      run.errors[i]?.push(k > 0 ? errorRatio : NaN);
      run.requests[i]?.push(k);
      const tm: TenantMinute = {
        usage: {
          odoo_workers: k * (service[i] as number) + (extraWorkers[i] as number),
          pg_cpu: (cpu[i] as number) * sCpu + (reportSessions[i] as number) * 60,
          pg_io: io[i] as number,
          pg_conn: (conns[i] as number) * held,
          pg_locks: k * (lockWait[i] as number),
          redis: redis[i] as number,
          ingress: k,
        },
        requests: k,
      };
      if (k > 0) {
        tm.latencySeconds = latency;
        tm.errorRatio = errorRatio;
      }
      out[t.id] = tm;
    });
    run.minutes.push({
      cluster: 'sim',
      minute: START + m * MINUTE,
      saturation: {
        odoo_workers: Math.min(1, rhoWorkers),
        pg_cpu: cpuBusy,
        pg_io: Math.min(1, rhoIo),
        pg_conn: Math.min(1, connTotal / spec.maxConnections),
        redis: Math.min(1, rhoRedis),
      },
      tenants: out,
    });
  }
  return run;
}
