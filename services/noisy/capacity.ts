import type { Cluster } from '../config/fleet-types';
import type { Capacity, ClusterSources } from './attribution';

/**
 * What each shared resource of a cluster can take per minute, in the resource's unit
 * (attribution.ts). Odoo workers come from the fleet (`clusters.<id>.capacity.odooWorkers`);
 * without it they are derived from the highest concurrency observed so far, once enough minutes
 * were seen to trust that peak: a derived capacity can only say "as busy as it has ever been",
 * so the gate it drives is weaker and the stored capacity says `derived`.
 */
export interface Observed {
  /** Minutes the attribution has seen Odoo worker usage on this cluster. */
  workerMinutes: number;
  /** The largest busy worker-seconds of one minute. */
  peakWorkerSeconds: number;
}

export const MIN_OBSERVED_MINUTES = 60;

export function emptyObserved(): Observed {
  return { workerMinutes: 0, peakWorkerSeconds: 0 };
}

export function observe(o: Observed, workerSeconds: number | undefined): Observed {
  if (workerSeconds === undefined) return o;
  return { workerMinutes: o.workerMinutes + 1, peakWorkerSeconds: Math.max(o.peakWorkerSeconds, workerSeconds) };
}

export function capacityOf(cluster: Cluster, sources: ClusterSources, observed: Observed): Capacity {
  const out: Capacity = {};
  if (cluster.capacity.odooWorkers !== undefined) out.odoo_workers = { perMinute: cluster.capacity.odooWorkers * 60, source: 'fleet' };
  else if (observed.workerMinutes >= MIN_OBSERVED_MINUTES && observed.peakWorkerSeconds > 0)
    out.odoo_workers = { perMinute: observed.peakWorkerSeconds, source: 'derived' };
  out.odoo_cron = { perMinute: cluster.capacity.cronThreads * 60, source: 'fleet' };
  if (cluster.capacity.pgVcpu !== undefined) out.pg_cpu = { perMinute: cluster.capacity.pgVcpu * 60, source: 'fleet' };
  if (sources.maxConnections !== undefined) out.pg_conn = { perMinute: sources.maxConnections, source: 'server' };
  return out;
}
