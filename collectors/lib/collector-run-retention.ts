import type { Queryable } from '../../services/storage/db';
import { deleteSuccessfulRunsBefore } from './collector-store';

const DAY_MS = 86_400_000;

/**
 * Deletes successful `collector_run` rows that finished before `now` − `keepDays`, `batch` rows
 * per statement (each its own short transaction, so no long lock or huge WAL burst), until a
 * batch deletes fewer than `batch` rows or `maxBatches` ran; the next run continues. Returns the
 * number of rows deleted.
 *
 * Why only successful rows: a row's job after its run is to be the idempotency key of recent
 * scheduled work (a retried or duplicated job finds it), which needs days, not months. Failed
 * runs are kept: they are few, and before migration 0020 the `postgres` collector's were the SLA's
 * "PostgreSQL unreachable" evidence, which now has its own table (postgres_unreachable, retained
 * with the SLA evidence by services/storage/retention.ts). `collector_status` (latest outcome per target) is not touched.
 */
export async function pruneCollectorRuns(db: Queryable, now: Date, keepDays: number, batch = 10_000, maxBatches = 50): Promise<number> {
  const cutoff = new Date(now.getTime() - keepDays * DAY_MS);
  let deleted = 0;
  for (let i = 0; i < maxBatches; i++) {
    const n = await deleteSuccessfulRunsBefore(db, cutoff, batch);
    deleted += n;
    if (n < batch) break;
  }
  return deleted;
}
