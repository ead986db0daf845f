import { PURPOSE, type TenantModel } from './profiles';
import { mix, rngFor } from './random';
import { effectsAt, type ScenarioPlan } from './scenarios';
import { isoSeconds } from './time-format';

/**
 * Per-tenant dump jobs (every 15 minutes, a failed one retried after 5) and restore tests (every
 * 4 hours), as the job results file records them: one JSON line per finished job. Pure functions
 * of time, so a live writer can ask "what finished since I last looked" and a batch run gets the
 * same lines.
 */

const DUMP_EVERY_MS = 15 * 60_000;
const RETRY_AFTER_MS = 5 * 60_000;
const RESTORE_EVERY_MS = 4 * 3_600_000;
/** No job runs longer than this; bounds how far back a query must look. */
const LONGEST_JOB_MS = 60 * 60_000;

export interface JobResult {
  readonly tenant: string;
  readonly kind: 'backup' | 'restore-test';
  readonly status: 'ok' | 'failed';
  readonly startedMs: number;
  readonly finishedMs: number;
  readonly bytes: number;
}

/** Jobs of `tenants` that finish in `[fromMs, toMs)`, ordered by finish time, then tenant order. */
export function jobsFinishedIn(tenants: readonly TenantModel[], plan: ScenarioPlan, fromMs: number, toMs: number): JobResult[] {
  const jobs: (JobResult & { order: number })[] = [];
  const keep = (job: JobResult, t: TenantModel) => {
    if (job.finishedMs >= fromMs && job.finishedMs < toMs) jobs.push({ ...job, order: t.index * 2 + (job.kind === 'backup' ? 0 : 1) });
  };
  for (const t of tenants) {
    // Dumps: a slot every 5 minutes; every third is the schedule, the others retry a failure.
    const dumpPhase = mix(plan.seed, t.hash, DUMP_EVERY_MS, PURPOSE.job) % DUMP_EVERY_MS;
    let lastFailed = false;
    for (let slot = firstSlot(fromMs, dumpPhase, DUMP_EVERY_MS); slot < toMs; slot += RETRY_AFTER_MS) {
      const scheduled = (slot - dumpPhase) % DUMP_EVERY_MS === 0;
      if (!scheduled && !lastFailed) continue;
      const job = runJob(t, plan, 'backup', slot);
      lastFailed = job.status === 'failed';
      keep(job, t);
    }
    const restorePhase = mix(plan.seed, t.hash, RESTORE_EVERY_MS, PURPOSE.job) % RESTORE_EVERY_MS;
    for (let slot = firstSlot(fromMs, restorePhase, RESTORE_EVERY_MS); slot < toMs; slot += RESTORE_EVERY_MS)
      keep(runJob(t, plan, 'restore-test', slot), t);
  }
  return jobs.sort((a, b) => a.finishedMs - b.finishedMs || a.order - b.order).map(({ order: _order, ...job }) => job);
}

/** The first scheduled instant from which a job could still finish at or after `fromMs`. */
function firstSlot(fromMs: number, phase: number, every: number): number {
  return Math.floor((fromMs - LONGEST_JOB_MS - phase) / every) * every + phase;
}

function runJob(t: TenantModel, plan: ScenarioPlan, kind: JobResult['kind'], scheduledMs: number): JobResult {
  const rng = rngFor(plan.seed, t.hash, Math.floor(scheduledMs / 1000), PURPOSE.job);
  const startedMs = scheduledMs + rng.int(3, 50) * 1000;
  const dumpBytes = Math.round(t.databaseBytes * rng.range(0.2, 0.24));
  const failed = effectsAt(plan, t.tenant.id, startedMs).backupsFailing;
  if (failed) {
    return { tenant: t.tenant.id, kind, status: 'failed', startedMs, finishedMs: startedMs + rng.int(2, 20) * 1000, bytes: 0 };
  }
  // pg_dump -Fc streams at ~25 MB/s; a restore test also rebuilds indexes, about 3x slower.
  const seconds = kind === 'backup' ? dumpBytes / 25e6 + rng.range(2, 8) : (3 * dumpBytes) / 25e6 + rng.range(20, 60);
  return { tenant: t.tenant.id, kind, status: 'ok', startedMs, finishedMs: startedMs + Math.round(seconds * 1000), bytes: dumpBytes };
}

/** One line of the job results file, keys in the documented order. */
export function jobLine(job: JobResult): string {
  return `${JSON.stringify({ tenant: job.tenant, kind: job.kind, status: job.status, started: isoSeconds(job.startedMs), finished: isoSeconds(job.finishedMs), bytes: job.bytes })}\n`;
}
