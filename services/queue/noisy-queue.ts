import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger';
import { runNoisyDetection, type LiveDeps } from '../noisy/live-run';
import { closeWorker, IntervalSchedules } from './queues';

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

export class NoisyWorker {
  private readonly worker: Worker;

  constructor(
    connection: Redis,
    prefix: string,
    deps: LiveDeps,
    private readonly log: Logger,
  ) {
    this.worker = new Worker(
      NOISY_QUEUE,
      async () => {
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
      },
      // One at a time per worker: each run walks every cluster, and the locks make a second pointless.
      { connection, prefix, concurrency: 1 },
    );
    this.worker.on('error', (err) => log.error({ err }, 'noisy queue worker error'));
    this.worker.on('failed', (_job, err) => log.warn({ err }, 'noisy-neighbour run failed'));
  }

  close(graceMs: number): Promise<void> {
    return closeWorker(this.worker, graceMs, this.log);
  }
}
