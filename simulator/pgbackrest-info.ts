import type { BackupModel } from './backup-model';
import { lsnText, walSegment } from './backup-model';
import { hashString, mix } from './random';
import type { TenantModel } from './profiles';

/**
 * `pgbackrest info --output=json` for one stanza per cluster, exactly as pgBackRest 2.5x prints
 * it: one line, object keys in alphabetical order, `system-id` as a bare 64-bit integer (which
 * JavaScript's JSON.parse cannot hold exactly; a real collector meets the same), timestamps in
 * unix seconds. The stanza status stays `ok` even while backups fail: pgBackRest keeps no record
 * of a failed backup.
 */

const PG_VERSION = '16';
const BACKREST_VERSION = '2.54.2';

/** A JSON number written as-is, for integers beyond 2^53. */
class RawNumber {
  constructor(readonly text: string) {}
}

type Json = null | boolean | number | string | RawNumber | Json[] | { [key: string]: Json };

/** JSON with keys sorted, as pgBackRest's own writer orders them. */
export function sortedJson(value: Json): string {
  if (value instanceof RawNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJson(value[k] as Json)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The 19-digit system identifier initdb gave this cluster (fixed by the seed). */
function systemId(seed: number, stanza: string): string {
  const a = mix(seed, hashString(stanza), 1);
  const b = mix(seed, hashString(stanza), 2);
  return `7${String(a).padStart(10, '0').slice(0, 9)}${String(b).padStart(10, '0').slice(0, 9)}`;
}

export function stanzaInfo(model: BackupModel, tenants: readonly TenantModel[], seed: number, ms: number): Json {
  const state = model.stateAt(ms);
  const db = { id: 1, 'repo-key': 1 };
  const databaseRef: Json[] = [
    { name: 'postgres', oid: 5 },
    { name: 'template0', oid: 4 },
    { name: 'template1', oid: 1 },
    ...tenants.map((t, i) => ({ name: t.tenant.database, oid: 16_384 + i * 7 + 1 })),
  ].sort((a, b) => (a.name < b.name ? -1 : 1));
  const backups: Json[] = state.backups.map((b) => ({
    archive: { start: walSegment(b.lsnStart), stop: walSegment(b.lsnStop) },
    backrest: { format: 5, version: BACKREST_VERSION },
    database: db,
    'database-ref': databaseRef,
    error: false,
    info: { delta: b.delta, repository: { delta: b.repoDelta, size: b.repoSize }, size: b.size },
    label: b.label,
    link: null,
    lsn: { start: lsnText(b.lsnStart), stop: lsnText(b.lsnStop) },
    prior: b.prior,
    reference: b.reference === null ? null : [...b.reference],
    tablespace: null,
    timestamp: { start: Math.floor(b.startMs / 1000), stop: Math.floor(b.stopMs / 1000) },
    type: b.type,
  }));
  const oldest = state.backups[0];
  const archive: Json[] = oldest
    ? [
        {
          database: db,
          id: `${PG_VERSION}-1`,
          max: walSegment(Math.max(oldest.lsnStop, state.walNow - 16 * 1024 * 1024)),
          min: walSegment(oldest.lsnStart),
        },
      ]
    : [];
  const backupLock: Json = state.running ? { held: true, size: state.running.size, 'size-cplt': state.running.done } : { held: false };
  return {
    archive,
    backup: backups,
    cipher: 'none',
    db: [{ id: 1, 'repo-key': 1, 'system-id': new RawNumber(systemId(seed, model.stanza)), version: PG_VERSION }],
    name: model.stanza,
    repo: [{ cipher: 'none', key: 1, status: { code: 0, message: 'ok' } }],
    status: { code: 0, lock: { backup: backupLock, restore: { held: false } }, message: 'ok' },
  };
}

/** The whole `info` output for the stanzas written to one file, with pgBackRest's trailing newline. */
export function pgbackrestInfoText(stanzas: readonly Json[]): string {
  return `${sortedJson([...stanzas])}\n`;
}

export type { Json };
