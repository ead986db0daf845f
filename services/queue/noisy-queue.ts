import type { Redis } from 'ioredis';
import type { Cluster } from '../config/fleet-types';
import type { Logger } from '../core/logger';
import { runNoisyDetection, type LiveDeps } from '../noisy/live-run';
import { clusterJobs, enqueueChildren, slotOf, type FanOutJobData } from './fan-out';
import { JobWorker } from './job-worker';
import { IntervalSchedules, openQueue } from './queues';

/**
 * The noisy-neighbour job, thin over services/noisy/live-run.ts: every minute the scheduled job
 * fans out one `noisy-cluster` job per cluster (ids deterministic per minute, fan-out.ts), and
 * each attributes its cluster's closed minutes and steps them through the detector. Idempotent
 * in PostgreSQL (a watermark and an advisory lock per cluster), so a duplicated, retried or
 * concurrent run does nothing twice.
 */
export const NOISY_QUEUE = 'noisy';
export const NOISY_SCHEDULE = { id: 'noisy-minutes', everyMs: 60_000 } as const;
export const NOISY_CLUSTER_JOB = 'noisy-cluster';
/** Jobs at once per worker process: clusters are independent, each job holds one pooled connection. */
export const NOISY_CONCURRENCY = 2;

export class NoisyScheduler extends IntervalSchedules {
  constructor(connection: Redis, prefix: string) {
    super(connection, prefix, NOISY_QUEUE, [NOISY_SCHEDULE]);
  }
}

/** Runs the noisy-neighbour jobs: the scheduled one fans out, cluster jobs do the work. */
export function noisyWorker(
  connection: Redis,
  prefix: string,
  deps: LiveDeps,
  log: Logger,
  concurrency = NOISY_CONCURRENCY,
): JobWorker<FanOutJobData> {
  const queue = openQueue(NOISY_QUEUE, connection, prefix);
  const worker = new JobWorker<FanOutJobData>({ connection, prefix, queue: NOISY_QUEUE, concurrency, log }, async (job) => {
    if (job.name === NOISY_SCHEDULE.id) {
      await enqueueChildren(queue, NOISY_CLUSTER_JOB, clusterJobs(deps.fleet, NOISY_SCHEDULE.id, slotOf(job, NOISY_SCHEDULE.everyMs)));
      return;
    }
    if (job.name !== NOISY_CLUSTER_JOB) return;
    // a cluster that left the fleet since the fan-out has nothing to run
    const cluster: Cluster | undefined = deps.fleet.clusters[job.data.cluster];
    if (!cluster) return;
    for (const run of await runNoisyDetection(deps, [cluster])) {
      for (const i of run.incidents) {
        log.info(
          {
            cluster: run.cluster,
            incident: i.id,
            resource: i.resource,
            kind: i.kind,
            antagonists: i.antagonists.map((a) => a.tenant),
            victims: i.victims,
            end: i.end,
          },
          'noisy-neighbour incident changed',
        );
      }
    }
  });
  return worker.closeAfter(() => queue.close());
}
