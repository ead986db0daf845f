import * as jobs from './read';
import { writeBacklogs } from './store';
import type { CollectorDefinition, CollectorTarget, IngestDeps, RunContext, RunOutcome } from '../lib/collector';
import { claimRun } from '../lib/collector-store';
import { Rejections } from '../lib/rejections';
import { succeededRun } from '../lib/run-record';
import type { Fleet, Password } from '../../services/config/fleet-types';
import { withPassword } from '../../services/core/secret';
import { withTransaction } from '../../services/storage/db';

/**
 * One target per cluster with a `postgres` block, `<cluster>/jobs`, every
 * `postgres.jobsIntervalSeconds` (60 s by default): a slower schedule than the server's
 * statistics, because it opens a connection per tenant database, at most `JOBS_CONCURRENCY` at
 * once per cluster.
 */
export interface JobsTarget extends CollectorTarget {
  collector: 'odoo-jobs';
  url: string;
  password?: Password;
  overdueSeconds: number;
}

export const JOBS_CONCURRENCY = 4;
/** A backlog stays published for this many of its intervals after its read. */
const FRESH_INTERVALS = 3;

export const odooJobsCollector: CollectorDefinition<JobsTarget> = {
  name: jobs.name,
  targets: (fleet: Fleet) =>
    Object.values(fleet.clusters).flatMap((cluster) => {
      const pgc = cluster.postgres;
      if (!pgc) return [];
      return [
        {
          collector: 'odoo-jobs' as const,
          target: `${cluster.id}/jobs`,
          intervalSeconds: pgc.jobsIntervalSeconds,
          cluster: cluster.id,
          url: pgc.url,
          ...(pgc.password && { password: pgc.password }),
          overdueSeconds: pgc.cronOverdueSeconds,
        },
      ];
    }),
  run: (deps, target, context) => ingestJobs(deps, target, context),
};

/**
 * Reads every tenant database of the cluster, then replaces their rows in one transaction under
 * the run's key. A database that could not be read keeps a row naming why (and no counts): the
 * run succeeds for the others, and the failure is counted as an unattributed record.
 */
export async function ingestJobs(deps: IngestDeps, target: JobsTarget, run: RunContext): Promise<RunOutcome> {
  const tenants = deps.fleet.tenants.filter((t) => t.cluster === target.cluster);
  const read = await jobs.collect({
    url: withPassword(target.url, target.password),
    databases: tenants.map((t) => t.database),
    overdueSeconds: target.overdueSeconds,
    concurrency: JOBS_CONCURRENCY,
    signal: run.signal,
  });
  // a run the runner abandoned at its timeout (already recorded as failed) stores nothing
  run.signal.throwIfAborted();
  const sampledAt = new Date(deps.clock.now());
  const freshUntil = new Date(sampledAt.getTime() + FRESH_INTERVALS * target.intervalSeconds * 1000);
  const rows = read.map((r, i) => ({ tenantId: tenants[i]!.id, ...(r.jobs && { jobs: r.jobs }), ...(r.error && { error: r.error }) }));
  const failed = read.filter((r) => r.error !== undefined);
  for (const f of failed)
    deps.log.warn({ collector: target.collector, target: target.target, database: f.database, reason: f.error }, 'job backlog not read');
  const applied = await withTransaction(deps.pool, async (client) => {
    const claimed = await claimRun(
      client,
      succeededRun(target.collector, target.target, run, sampledAt, read.length - failed.length, new Rejections()),
    );
    if (!claimed) return false;
    await writeBacklogs(client, rows, sampledAt, freshUntil);
    return true;
  });
  return { records: applied ? read.length - failed.length : 0, rejected: 0, duplicate: !applied, unattributed: failed.length };
}
