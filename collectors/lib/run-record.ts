import type { RunContext } from './collector';
import type { RunRecord } from './collector-store';
import type { Rejections } from './rejections';

/** The ledger row of a run that did its work, written in the same transaction as that work. */
export function succeededRun(
  collector: string,
  target: string,
  run: RunContext,
  finishedAt: Date,
  records: number,
  rejections: Rejections,
): RunRecord {
  return {
    collector,
    target,
    scheduledAt: run.scheduledAt,
    finishedAt,
    success: true,
    durationSeconds: (finishedAt.getTime() - run.startedAt) / 1000,
    records,
    rejected: rejections.total,
    rejections,
    worker: run.worker,
  };
}
