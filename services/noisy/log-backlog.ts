import type { Cluster } from '../config/fleet-types';
import type { Queryable } from '../storage/db';
import { hasOdooData } from '../../collectors/lib/tenant-minute-store';

/**
 * How far the noisy-neighbour job may go on a cluster while its Odoo log is read in steps (a
 * backlog after an outage of tenantscope, or a long history read for the first time): not past
 * the newest minute the log reader has stored, since later minutes have no Odoo lines yet and a
 * watermark never looks back. A reader that stopped moving holds nothing: a log that vanished
 * must not stop detection for good.
 */
export const BACKLOG_STALL_MS = 10 * 60_000;

const BEHIND = `SELECT count(*)::int AS n FROM ingest_checkpoint
  WHERE collector = 'odoo-log' AND target = ANY($1) AND behind AND updated_at >= $2`;

const NEWEST = `SELECT max(m.minute) AS minute FROM tenant_minute m JOIN tenant t ON t.id = m.tenant_id
  WHERE t.cluster_id = $1 AND m.minute >= $2 AND m.minute < $3
    AND ${hasOdooData('m')}`;

/** `until`, or the newest stored Odoo minute (itself maybe incomplete, so excluded) while behind. */
export async function backlogLimit(db: Queryable, cluster: Cluster, from: number, until: number, now: number): Promise<number> {
  const files = cluster.odoo?.logFiles ?? [];
  if (files.length === 0) return until;
  const behind = await db.query(BEHIND, [files, new Date(now - BACKLOG_STALL_MS)]);
  if (!behind.rows[0]?.n) return until;
  const newest = await db.query(NEWEST, [cluster.id, new Date(from), new Date(until)]);
  const minute = (newest.rows[0]?.minute as Date | null | undefined)?.getTime();
  return minute === undefined ? from : Math.min(until, minute);
}
