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
 * runs are kept: the `postgres` collector's are SLA evidence (services/sla/store/sparse-evidence.ts,
 * readFailedRuns gives it a month of them, and months are re-checked after they froze), and failures
 * are few. `collector_status` (latest outcome per target) is not touched.
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
