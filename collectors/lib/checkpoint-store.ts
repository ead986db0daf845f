import type { FileCheckpoint as LogCheckpoint } from './file-tail';
import type { Client, Queryable } from '../../services/storage/db';
import { lockTargetForTransaction } from '../../services/storage/locks';

const CHECKPOINT = 'SELECT file_identity, file_offset FROM ingest_checkpoint WHERE collector = $1 AND target = $2';

export async function readCheckpoint(db: Queryable, collector: string, target: string): Promise<LogCheckpoint | undefined> {
  const { rows } = await db.query<{ file_identity: string; file_offset: number }>(CHECKPOINT, [collector, target]);
  const row = rows[0];
  return row ? { fileIdentity: row.file_identity, offset: Number(row.file_offset) } : undefined;
}

const SAVE_CHECKPOINT = `INSERT INTO ingest_checkpoint (collector, target, file_identity, file_offset, updated_at, behind) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (collector, target) DO UPDATE SET file_identity = EXCLUDED.file_identity, file_offset = EXCLUDED.file_offset,
       updated_at = EXCLUDED.updated_at, behind = EXCLUDED.behind`;

/**
 * Moves a checkpoint from `expected` to `next` inside the caller's transaction. Returns false,
 * changing nothing, when another run moved it first: that run's rollups are already committed.
 * `behind`: the read stopped at its size limit with more written (a backlog being taken in steps).
 */
export async function advanceCheckpoint(
  client: Client,
  collector: string,
  target: string,
  expected: LogCheckpoint | undefined,
  next: LogCheckpoint,
  now: Date,
  behind = false,
): Promise<boolean> {
  // A row lock cannot guard a checkpoint that does not exist yet; this lock guards both cases.
  await lockTargetForTransaction(client, collector, target);
  const { rows } = await client.query<{ file_identity: string; file_offset: number }>(CHECKPOINT, [collector, target]);
  const stored = rows[0];
  if (stored === undefined && expected !== undefined) return false;
  if (
    stored !== undefined &&
    (expected === undefined || stored.file_identity !== expected.fileIdentity || Number(stored.file_offset) !== expected.offset)
  ) {
    return false;
  }
  await client.query(SAVE_CHECKPOINT, [collector, target, next.fileIdentity, next.offset, now, behind]);
  return true;
}

const BEHIND_COUNT =
  'SELECT count(*)::int AS n FROM ingest_checkpoint WHERE collector = $1 AND target = ANY($2) AND behind AND updated_at >= $3';

/** Whether any of these targets' last read stopped at its size limit with more written, and moved since `since`. */
export async function anyCheckpointBehind(db: Queryable, collector: string, targets: readonly string[], since: Date): Promise<boolean> {
  const { rows } = await db.query<{ n: number }>(BEHIND_COUNT, [collector, targets, since]);
  return (rows[0]?.n ?? 0) > 0;
}

const FORGET_CHECKPOINTS = 'DELETE FROM ingest_checkpoint WHERE collector = $1 AND target = ANY($2)';

/** Forgets the checkpoints of these targets: their files were rewritten, so the next read starts over. */
export async function forgetCheckpoints(db: Queryable, collector: string, targets: readonly string[]): Promise<void> {
  await db.query(FORGET_CHECKPOINTS, [collector, targets]);
}
