import * as backups from './read';
import { newestBackup } from './walg-backup-list';
import type { CollectorDefinition, CollectorTarget, IngestDeps, RunContext, RunOutcome } from '../lib/collector';
import type { Fleet } from '../../services/config/fleet-types';
import { CollectorError } from '../../services/core/errors';
import { addRecoveryPoints, insertJobs, insertPgbackrestBackups, insertWalgBackups, readArchiveState, saveStanza } from './store';
import { advanceCheckpoint, readCheckpoint } from '../lib/checkpoint-store';
import { claimRun } from '../lib/collector-store';
import { withTransaction } from '../../services/storage/db';
import { nextArchiveState, stanzaPoints, type PointEvent } from './recovery-points';
import { succeededRun } from '../lib/run-record';
import { lockTargetForTransaction } from '../../services/storage/locks';
import { Rejections } from '../lib/rejections';
import { keepStorable, storableStanza, walgBackupProblem } from './storable';

/** Backups change a few times an hour; a minute keeps the WAL reach bound within a minute or so of the info file. */
export const BACKUPS_INTERVAL_SECONDS = 60;

export interface BackupsTarget extends CollectorTarget {
  collector: 'backups';
  stanza: string;
  pgbackrestInfoFile?: string;
  walgBackupListFile?: string;
  jobResultsFile?: string;
}

export const backupsCollector: CollectorDefinition<BackupsTarget> = {
  name: backups.name,
  targets: (fleet: Fleet) =>
    Object.values(fleet.clusters).flatMap((cluster) => {
      const b = cluster.backups;
      if (!b || !(b.pgbackrestInfoFile || b.walgBackupListFile || b.jobResultsFile)) return [];
      return [
        {
          collector: 'backups' as const,
          target: cluster.id,
          intervalSeconds: BACKUPS_INTERVAL_SECONDS,
          cluster: cluster.id,
          // one stanza per cluster, named after it unless the fleet file says otherwise
          stanza: b.stanza ?? cluster.id,
          ...(b.pgbackrestInfoFile && { pgbackrestInfoFile: b.pgbackrestInfoFile }),
          ...(b.walgBackupListFile && { walgBackupListFile: b.walgBackupListFile }),
          ...(b.jobResultsFile && { jobResultsFile: b.jobResultsFile }),
        },
      ];
    }),
  run: (deps, target, context) => ingestBackups(deps, target, context),
};

/**
 * Reads a cluster's backup files and stores backups and jobs as keyed events, the stanza's
 * state, and the recovery point history; the job file's checkpoint commits with them. A file that
 * cannot be read fails the run after the others are stored.
 */
export async function ingestBackups(deps: IngestDeps, target: BackupsTarget, run: RunContext): Promise<RunOutcome> {
  const before = target.jobResultsFile ? await readCheckpoint(deps.pool, target.collector, target.target) : undefined;
  const batch = await backups.collect({
    stanza: target.stanza,
    ...(target.pgbackrestInfoFile && { pgbackrestInfoFile: target.pgbackrestInfoFile }),
    ...(target.walgBackupListFile && { walgBackupListFile: target.walgBackupListFile }),
    ...(target.jobResultsFile && { jobResultsFile: target.jobResultsFile }),
    ...(before && { jobsCheckpoint: before }),
    signal: run.signal,
  });
  const now = deps.clock.now();
  // A file's mtime is when the job looked, but never later than our own clock (a replay, a skew).
  const observed = (mtime: number) => Math.min(mtime, now);
  const clusterTenants = new Set(deps.fleet.tenants.filter((t) => t.cluster === target.cluster).map((t) => t.id));
  const jobs = (batch.jobs?.results ?? []).filter((j) => clusterTenants.has(j.tenant));
  const unattributed = (batch.jobs?.results.length ?? 0) - jobs.length;
  const rejections = new Rejections({ malformed: (batch.pgbackrest?.rejected ?? 0) + (batch.walg?.rejected ?? 0) });
  for (const bad of batch.jobs?.rejected ?? []) rejections.add(bad.kind);
  // what parsed but PostgreSQL could not store is left out and counted, the rest stored
  const stanza = storableStanza(batch.pgbackrest?.stanza, rejections);
  const walg = batch.walg && { ...batch.walg, backups: keepStorable(batch.walg.backups, walgBackupProblem, rejections) };
  await deps.partitions.ensure(
    'backup_job',
    jobs.map((j) => j.finishedMs),
  );
  await deps.partitions.ensure('recovery_point', [
    ...jobs.map((j) => j.finishedMs),
    ...(stanza?.backups.map((b) => b.stopMs) ?? []),
    ...(batch.pgbackrest ? [observed(batch.pgbackrest.observedMs)] : []),
    ...(walg?.backups.flatMap((b) => b.finishMs ?? b.timeMs ?? []) ?? []),
  ]);
  const records = (stanza ? 1 + stanza.backups.length : 0) + (walg?.backups.length ?? 0) + jobs.length;
  // a run the runner abandoned at its timeout (already recorded as failed) stores nothing
  run.signal.throwIfAborted();
  const finishedAt = new Date(now);
  const applied = await withTransaction(deps.pool, async (client) => {
    // One run per cluster at a time: the stanza's previous read and the point maxima are read here.
    await lockTargetForTransaction(client, 'backups', target.cluster);
    if (batch.jobs && !(await advanceCheckpoint(client, target.collector, target.target, before, batch.jobs.checkpoint, finishedAt)))
      return false;
    await claimRun(client, succeededRun(target.collector, target.target, run, finishedAt, records, rejections));
    if (stanza && batch.pgbackrest) {
      const archive = nextArchiveState(stanza, await readArchiveState(client, target.cluster), observed(batch.pgbackrest.observedMs));
      await saveStanza(client, target.cluster, stanza, archive);
      await insertPgbackrestBackups(
        client,
        target.cluster,
        stanza.backups,
        stanza.systemIds[stanza.systemIds.length - 1] ?? null,
        finishedAt,
      );
      await addRecoveryPoints(
        client,
        target.cluster,
        null,
        'pgbackrest',
        stanzaPoints(stanza, archive).filter((p) => p.observedMs <= now),
      );
    }
    if (walg) {
      await insertWalgBackups(client, target.cluster, walg.backups, finishedAt);
      const newest = newestBackup(walg.backups);
      if (newest)
        await addRecoveryPoints(client, target.cluster, null, 'wal-g', [
          { observedMs: Math.min(newest.atMs, now), recoverableMs: Math.min(newest.atMs, now) },
        ]);
    }
    const inserted = await insertJobs(client, jobs);
    for (const [tenant, points] of dumpPoints(inserted)) await addRecoveryPoints(client, target.cluster, tenant, 'dump', points);
    return true;
  });
  for (const bad of applied ? (batch.jobs?.rejected ?? []) : []) {
    deps.log.warn(
      { collector: target.collector, cluster: target.cluster, file: target.jobResultsFile, line: bad.line, reason: bad.reason },
      'backup job result line skipped',
    );
  }
  if (batch.problems.length > 0) throw new CollectorError(batch.problems.join('; '));
  return { records: applied ? records : 0, rejected: applied ? rejections.total : 0, duplicate: !applied, unattributed };
}

/** A dump restores the database as of its start (pg_dump's snapshot), from its finish on. */
function dumpPoints(
  jobs: readonly { tenant: string; kind: string; status: string; startedMs: number; finishedMs: number }[],
): Map<string, PointEvent[]> {
  const out = new Map<string, PointEvent[]>();
  for (const j of jobs) {
    if (j.kind !== 'backup' || j.status !== 'ok') continue;
    out.set(j.tenant, [...(out.get(j.tenant) ?? []), { observedMs: j.finishedMs, recoverableMs: j.startedMs }]);
  }
  return out;
}
