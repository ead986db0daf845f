import type { Queryable } from '../../services/storage/db';

const DAY_MS = 86_400_000;

// One bounded batch: the ctids of at most $2 old successful rows, then those rows. ctid =
// ANY(ARRAY(...)) lets PostgreSQL delete by tuple id (a TID scan) without a sort or a join.
const DELETE_BATCH = `DELETE FROM collector_run WHERE ctid = ANY(ARRAY(
  SELECT ctid FROM collector_run WHERE success AND finished_at < $1 LIMIT $2))`;

/**
 * Deletes successful `collector_run` rows that finished before `now` − `keepDays`, `batch` rows
 * per statement (each its own short transaction, so no long lock or huge WAL burst), until a
 * batch deletes fewer than `batch` rows or `maxBatches` ran; the next run continues. Returns the
 * number of rows deleted.
 *
 * Why only successful rows: a row's job after its run is to be the idempotency key of recent
 * scheduled work (a retried or duplicated job finds it), which needs days, not months. Failed
 * runs are kept: the `postgres` collector's are SLA evidence (services/sla/store/sparse-evidence.ts,
 * readFailedRuns gives it a month of them, and months are re-checked after they froze), and failures
 * are few. `collector_status` (latest outcome per target) is not touched.
 */
export async function pruneCollectorRuns(db: Queryable, now: Date, keepDays: number, batch = 10_000, maxBatches = 50): Promise<number> {
  const cutoff = new Date(now.getTime() - keepDays * DAY_MS);
  let deleted = 0;
  for (let i = 0; i < maxBatches; i++) {
    const { rowCount } = await db.query(DELETE_BATCH, [cutoff, batch]);
    const n = rowCount ?? 0;
    deleted += n;
    if (n < batch) break;
  }
  return deleted;
}
