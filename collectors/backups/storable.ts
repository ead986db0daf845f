import type { PgbackrestBackup, PgbackrestStanza } from './pgbackrest-info';
import type { WalgBackup } from './walg-backup-list';
import { Rejections, type RejectReason } from '../lib/rejections';
import { firstProblem, isInt4, isInt8, isStorableText, isStorableTime } from '../lib/storable';

/**
 * What PostgreSQL can store of the backup sources (lib/storable.ts). The info file and the
 * backup list are read whole on every run: one backup with a NUL in its label or a size of 1e30
 * bytes would fail every run until the tool rewrote the file, taking the good backups with it.
 * Such a backup (or stanza) is rejected and counted by reason; the others are stored.
 */
export function pgbackrestBackupProblem(b: PgbackrestBackup): RejectReason | undefined {
  return firstProblem([
    [isStorableText(b.label) && isStorableText(b.lsnStart) && isStorableText(b.lsnStop), 'invalid_text'],
    [(b.databases ?? []).every(isStorableText), 'invalid_text'],
    [isStorableTime(b.startMs) && isStorableTime(b.stopMs), 'time_out_of_range'],
    [isInt8(b.sizeBytes) && isInt8(b.repoSizeBytes), 'number_out_of_range'],
  ]);
}

/** The stanza's own fields (name, status, repository messages) must fit too, or the stanza is rejected. */
export function stanzaProblem(s: PgbackrestStanza): RejectReason | undefined {
  return firstProblem([
    [isStorableText(s.name) && isStorableText(s.statusMessage) && s.repos.every((r) => isStorableText(r.message)), 'invalid_text'],
    [isInt4(s.statusCode), 'number_out_of_range'],
  ]);
}

export function walgBackupProblem(b: WalgBackup): RejectReason | undefined {
  return firstProblem([
    [isStorableText(b.backupName) && isStorableText(b.storageName) && isStorableText(b.walFileName), 'invalid_text'],
    [isStorableTime(b.startMs) && isStorableTime(b.finishMs) && isStorableTime(b.timeMs), 'time_out_of_range'],
    [isInt8(b.uncompressedBytes) && isInt8(b.compressedBytes), 'number_out_of_range'],
  ]);
}

/** `items` without those `problem` refuses, each refusal counted in `rejections`. */
export function keepStorable<T>(items: readonly T[], problem: (item: T) => RejectReason | undefined, rejections: Rejections): T[] {
  return items.filter((item) => {
    const reason = problem(item);
    if (reason) rejections.add(reason);
    return reason === undefined;
  });
}

/** The stanza with only its storable backups, or undefined when the stanza itself cannot be stored. */
export function storableStanza(stanza: PgbackrestStanza | undefined, rejections: Rejections): PgbackrestStanza | undefined {
  if (!stanza) return undefined;
  const reason = stanzaProblem(stanza);
  if (reason) {
    rejections.add(reason);
    return undefined;
  }
  return { ...stanza, backups: keepStorable(stanza.backups, pgbackrestBackupProblem, rejections) };
}
