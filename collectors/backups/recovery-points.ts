import { walArchiveReach, type PgbackrestBackup, type PgbackrestStanza } from './pgbackrest-info';

/**
 * When was the newest recoverable point, from what pgBackRest shows. A backup is recoverable to
 * its `timestamp.stop`. WAL beyond it (`archive[].max`) carries no time, so its reach is bounded
 * from below by reads of the info file: a segment first seen at read R was not yet archived at
 * the read P before it, so everything up to P is in the archive. That bound errs on the side of
 * a larger RPO exposure, never a smaller one; on the very first read it is unknown (null).
 */

export interface ArchiveState {
  min: string | null;
  max: string | null;
  /** The read that first showed `max`, Unix ms. */
  maxSeenAt: number | null;
  /** Lower bound of the time `max` reaches, Unix ms. */
  reachAt: number | null;
  /** The read this state belongs to (info file mtime), Unix ms. */
  observedAt: number;
}

export function nextArchiveState(stanza: PgbackrestStanza, previous: ArchiveState | undefined, observedAt: number): ArchiveState {
  // An older or the same file read again changes nothing.
  if (previous && observedAt <= previous.observedAt) return previous;
  const reach = walArchiveReach(stanza);
  if (!reach) return { min: null, max: null, maxSeenAt: null, reachAt: null, observedAt };
  if (previous && previous.max === reach.max) return { ...previous, min: reach.min, observedAt };
  return { min: reach.min, max: reach.max, maxSeenAt: observedAt, reachAt: previous ? previous.observedAt : null, observedAt };
}

export interface PointEvent {
  /** From this instant on ... */
  observedMs: number;
  /** ... the data as of this instant could be restored. */
  recoverableMs: number;
}

/** Backups without checksum errors, by stop time: the usable ones. */
export function goodBackups(backups: readonly PgbackrestBackup[]): PgbackrestBackup[] {
  return backups.filter((b) => b.error !== true).sort((a, b) => a.stopMs - b.stopMs);
}

/**
 * Recovery points of a stanza: each good backup at its stop, and the WAL reach when the archive
 * continues from the newest good backup (its WAL range starts at or before the backup's first
 * segment and reaches at least its last one).
 */
export function stanzaPoints(stanza: PgbackrestStanza, archive: ArchiveState): PointEvent[] {
  const good = goodBackups(stanza.backups);
  const points: PointEvent[] = good.map((b) => ({ observedMs: b.stopMs, recoverableMs: b.stopMs }));
  const newest = good[good.length - 1];
  if (!newest || archive.max === null || archive.reachAt === null || archive.reachAt <= newest.stopMs) return points;
  const reachesBackup = newest.archiveStop === null || archive.max >= newest.archiveStop;
  const coversStart = archive.min === null || newest.archiveStart === null || archive.min <= newest.archiveStart;
  if (reachesBackup && coversStart) points.push({ observedMs: archive.observedAt, recoverableMs: archive.reachAt });
  return points;
}
