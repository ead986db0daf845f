import type { Cluster } from '../../services/config/fleet-types';
import type { Queryable } from '../../services/storage/db';
import { anyCheckpointBehind } from './checkpoint-store';
import { newestOdooMinuteOfCluster } from './tenant-minute-store';
import { attemptedTargets } from './collector-store';

/**
 * How far a job that classifies minutes once (the noisy-neighbour job, the SLI minute counter) may
 * go on a cluster while its Odoo log is read in steps (a backlog after an outage of tenantscope,
 * or a long history read for the first time): not past the newest minute the log reader has
 * stored, since later minutes have no Odoo lines yet and a watermark never looks back. A reader
 * that stopped moving holds nothing: a log that vanished must not stop detection for good.
 */
export const BACKLOG_STALL_MS = 10 * 60_000;

/** `until`, or the newest stored Odoo minute (itself maybe incomplete, so excluded) while behind. */
export async function backlogLimit(db: Queryable, cluster: Cluster, from: number, until: number, now: number): Promise<number> {
  const files = cluster.odoo?.logFiles ?? [];
  if (files.length === 0) return until;
  if (!(await anyCheckpointBehind(db, 'odoo-log', files, new Date(now - BACKLOG_STALL_MS)))) return until;
  const minute = (await newestOdooMinuteOfCluster(db, cluster.id, new Date(from), new Date(until)))?.getTime();
  return minute === undefined ? from : Math.min(until, minute);
}

/**
 * Whether every Odoo log of the cluster has been tried at least once (read, or failed to be):
 * before that, a job starting from nothing would classify the log's history as minutes without
 * data, and never look back.
 */
export async function logsAttempted(db: Queryable, cluster: Cluster): Promise<boolean> {
  const files = cluster.odoo?.logFiles ?? [];
  return files.length === 0 || (await attemptedTargets(db, 'odoo-log', files)) === files.length;
}
