import type { Client, Queryable } from '../../services/storage/db';
import type { Rejections } from './rejections';

export interface RunRecord {
  collector: string;
  target: string;
  scheduledAt: Date;
  finishedAt: Date;
  success: boolean;
  durationSeconds: number;
  records: number;
  rejected: number;
  /** The rejected records by reason, added to collector_rejection when the run is claimed. */
  rejections?: Rejections;
  error?: string;
  worker: string;
}

const CLAIM_RUN = `INSERT INTO collector_run (collector, target, scheduled_at, finished_at, success, duration_seconds, records, rejected, error, worker)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`;

/**
 * Records a scheduled run under its key (collector, target, scheduled time), and its rejected
 * records by reason. Returns false when the key is already there: a duplicated or retried job
 * whose work was done once already (nothing is added then). Pass the transaction of the run's
 * work, so its rows, its ledger row and its rejection counts commit together.
 */
export async function claimRun(db: Client | Queryable, run: RunRecord): Promise<boolean> {
  const { rowCount } = await db.query(CLAIM_RUN, [
    run.collector,
    run.target,
    run.scheduledAt,
    run.finishedAt,
    run.success,
    run.durationSeconds,
    run.records,
    run.rejected,
    run.error ?? null,
    run.worker,
  ]);
  if (rowCount === 1 && run.rejections) await addRejections(db, run.collector, run.target, run.rejections);
  return rowCount === 1;
}

const ADD_REJECTIONS = `INSERT INTO collector_rejection AS t (collector, target, reason, records)
  SELECT $1, $2, u.reason, u.records FROM unnest($3::text[], $4::int8[]) AS u(reason, records)
  ON CONFLICT (collector, target, reason) DO UPDATE SET records = t.records + EXCLUDED.records`;

/**
 * Adds rejected records by reason to the counters /metrics publishes. Call it in the transaction
 * that stores the rest of the same input (claimRun does for scheduled runs; a pushed batch calls
 * it itself), so a retry never counts twice.
 */
export async function addRejections(db: Client | Queryable, collector: string, target: string, rejections: Rejections): Promise<void> {
  const entries = rejections.entries();
  if (entries.length === 0) return;
  await db.query(ADD_REJECTIONS, [collector, target, entries.map(([r]) => r), entries.map(([, n]) => n)]);
}

export interface RejectionRow {
  collector: string;
  target: string;
  reason: string;
  records: number;
}

const REJECTIONS = 'SELECT collector, target, reason, records FROM collector_rejection ORDER BY collector, target, reason';

/** Rejected records since the install, by collector, target and reason. */
export async function readRejections(db: Queryable): Promise<RejectionRow[]> {
  const { rows } = await db.query<{ collector: string; target: string; reason: string; records: string }>(REJECTIONS);
  return rows.map((r) => ({ ...r, records: Number(r.records) }));
}

const RECORD_STATUS = `INSERT INTO collector_status (collector, target, success, duration_seconds, finished_at, error)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (collector, target) DO UPDATE SET success = EXCLUDED.success, duration_seconds = EXCLUDED.duration_seconds,
       finished_at = EXCLUDED.finished_at, error = EXCLUDED.error
     WHERE collector_status.finished_at <= EXCLUDED.finished_at`;

/** The latest outcome per collector and target, read by /metrics. */
export async function recordStatus(db: Queryable, run: RunRecord): Promise<void> {
  await db.query(RECORD_STATUS, [run.collector, run.target, run.success, run.durationSeconds, run.finishedAt, run.error ?? null]);
}

/** The latest outcome of each collector target, as /metrics publishes it. */
export interface CollectorStatusRow {
  collector: string;
  target: string;
  success: boolean;
  duration_seconds: number;
  finished_at: Date;
}

const FORGET_STATUSES = `DELETE FROM collector_status s
  WHERE NOT EXISTS (SELECT 1 FROM unnest($1::text[], $2::text[]) AS k(collector, target) WHERE k.collector = s.collector AND k.target = s.target)
  RETURNING collector, target`;

/**
 * Deletes the latest outcome of every target not in `targets` (a log path, a URL or a cluster the
 * fleet file no longer has), so /metrics stops publishing it and TenantscopeCollectorDown does not
 * fire for good on a target nobody collects. Returns what was forgotten.
 */
export async function forgetOtherStatuses(
  db: Queryable,
  targets: readonly { collector: string; target: string }[],
): Promise<{ collector: string; target: string }[]> {
  const { rows } = await db.query<{ collector: string; target: string }>(FORGET_STATUSES, [
    targets.map((t) => t.collector),
    targets.map((t) => t.target),
  ]);
  return rows;
}

const COLLECTOR_STATUS =
  'SELECT collector, target, success, duration_seconds, finished_at FROM collector_status ORDER BY collector, target';

export async function readCollectorStatus(db: Queryable): Promise<CollectorStatusRow[]> {
  const { rows } = await db.query<CollectorStatusRow>(COLLECTOR_STATUS);
  return rows;
}

// Failed runs of a collector's targets in [from, to): for the postgres stats target, the server did not answer.
const FAILED_RUNS = `SELECT target, scheduled_at FROM collector_run
  WHERE collector = $4 AND target = ANY($1) AND NOT success AND scheduled_at >= to_timestamp($2) AND scheduled_at < to_timestamp($3)
  ORDER BY target, scheduled_at`;

export async function readFailedRuns(
  db: Queryable,
  collector: string,
  targets: string[],
  fromSeconds: number,
  toSeconds: number,
): Promise<{ target: string; scheduled_at: Date }[]> {
  return (await db.query<{ target: string; scheduled_at: Date }>(FAILED_RUNS, [targets, fromSeconds, toSeconds, collector])).rows;
}

// One bounded batch: the ctids of at most $2 old successful rows, then those rows. ctid =
// ANY(ARRAY(...)) lets PostgreSQL delete by tuple id (a TID scan) without a sort or a join.
const DELETE_SUCCESSFUL_BEFORE = `DELETE FROM collector_run WHERE ctid = ANY(ARRAY(
  SELECT ctid FROM collector_run WHERE success AND finished_at < $1 LIMIT $2))`;

/** Deletes at most `limit` successful runs that finished before `cutoff`; returns how many went (collector-run-retention.ts). */
export async function deleteSuccessfulRunsBefore(db: Queryable, cutoff: Date, limit: number): Promise<number> {
  const { rowCount } = await db.query(DELETE_SUCCESSFUL_BEFORE, [cutoff, limit]);
  return rowCount ?? 0;
}

const ATTEMPTED = 'SELECT count(*)::int AS n FROM collector_status WHERE collector = $1 AND target = ANY($2)';

/** How many of these targets have a recorded run (successful or not). */
export async function attemptedTargets(db: Queryable, collector: string, targets: readonly string[]): Promise<number> {
  return (await db.query<{ n: number }>(ATTEMPTED, [collector, targets])).rows[0]!.n;
}
