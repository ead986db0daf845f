import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger';
import { runNoisyDetection, type LiveDeps } from '../noisy/live-run';
import { JobWorker } from './job-worker';
import { IntervalSchedules } from './queues';

/**
 * The noisy-neighbour job, thin over services/noisy/live-run.ts: every minute, each cluster's
 * closed minutes are attributed and stepped through the detector. Idempotent in PostgreSQL (a
 * watermark and an advisory lock per cluster), so a duplicated or concurrent run does nothing twice.
 */
export const NOISY_QUEUE = 'noisy';
export const NOISY_SCHEDULE = { id: 'noisy-minutes', everyMs: 60_000 } as const;

export class NoisyScheduler extends IntervalSchedules {
  constructor(connection: Redis, prefix: string) {
    super(connection, prefix, NOISY_QUEUE, [NOISY_SCHEDULE]);
  }
}

/** Runs the noisy-neighbour job; one at a time per worker: each run walks every cluster, and the locks make a second pointless. */
export function noisyWorker(connection: Redis, prefix: string, deps: LiveDeps, log: Logger): JobWorker {
  return new JobWorker({ connection, prefix, queue: NOISY_QUEUE, concurrency: 1, log }, async () => {
    const runs = await runNoisyDetection(deps);
    for (const run of runs) {
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
}
