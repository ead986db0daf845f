import type { Client, Queryable } from '../../services/storage/db';

/**
 * "PostgreSQL unreachable" evidence: one row per failed run of a cluster's `<cluster>/stats`
 * target, written by the runner in the transaction of the failed run's ledger row, read by the
 * SLA as the `postgres-unreachable` signal. Its own table (not collector_run) so that SLA evidence
 * follows the evidence retention, not the run ledger's (migration 0020, issue #13).
 */
export const UNREACHABLE_TABLE = 'postgres_unreachable' as const;

const INSERT = `INSERT INTO postgres_unreachable (cluster_id, scheduled_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`;

/** Records that the cluster's server did not answer the stats run scheduled at `scheduledAt`. */
export async function recordUnreachable(tx: Client | Queryable, cluster: string, scheduledAt: Date): Promise<void> {
  await tx.query(INSERT, [cluster, scheduledAt]);
}

const READ = `SELECT cluster_id, scheduled_at FROM postgres_unreachable
  WHERE cluster_id = ANY($1) AND scheduled_at >= to_timestamp($2) AND scheduled_at < to_timestamp($3)
  ORDER BY cluster_id, scheduled_at`;

/** The clusters' unreachable stats runs in [from, to), by cluster then time. */
export async function readUnreachable(
  db: Queryable,
  clusters: string[],
  fromSeconds: number,
  toSeconds: number,
): Promise<{ cluster_id: string; scheduled_at: Date }[]> {
  return (await db.query<{ cluster_id: string; scheduled_at: Date }>(READ, [clusters, fromSeconds, toSeconds])).rows;
}
