import { open, readFile, stat } from 'node:fs/promises';
import { parseJobLines, type BackupJobResult, type JobFileParse } from './jobs';
import { tailFile, type FileCheckpoint } from '../lib/file-tail';
import { utf8Lines } from '../lib/utf8-lines';
import { parsePgbackrestInfo, type PgbackrestStanza } from './pgbackrest-info';
import { parseWalgBackupList, type WalgBackup } from './walg-backup-list';

/**
 * Reads a cluster's backup sources, all files the backup jobs write (so tenantscope holds no
 * backup repository credentials): the `pgbackrest info --output=json` output, the `wal-g
 * backup-list --detail --json` output (both read whole; their modification time is when the
 * job looked), and the per-tenant job results file, tailed from a checkpoint like the Odoo log
 * (rename rotation and copytruncate), so each line is counted once when the caller commits the
 * checkpoint with what it produced.
 */
export const name = 'backups';

export type { FileCheckpoint };

export interface BackupsInput {
  /** The stanza of this cluster in the info file (one stanza per cluster). */
  stanza: string;
  pgbackrestInfoFile?: string;
  walgBackupListFile?: string;
  jobResultsFile?: string;
  jobsCheckpoint?: FileCheckpoint;
  /** Most bytes of the job file read in one run, so a large backlog is taken in steps. */
  maxBytes?: number;
  /** Aborted when the run timed out: reading stops between files and chunks, the run fails. */
  signal?: AbortSignal;
}

export interface BackupsBatch {
  /** The stanza of this cluster, when the info file has it; `observedMs` is the file's mtime. */
  pgbackrest?: { stanza: PgbackrestStanza | undefined; observedMs: number; rejected: number };
  walg?: { backups: WalgBackup[]; observedMs: number; rejected: number };
  jobs?: { results: BackupJobResult[]; rejected: JobFileParse['rejected']; checkpoint: FileCheckpoint };
  /** Configured files that could not be read, with why: the run reads the others, then fails. */
  problems: string[];
}

export async function collect(input: BackupsInput): Promise<BackupsBatch> {
  const out: BackupsBatch = { problems: [] };
  const signal = input.signal;
  if (input.pgbackrestInfoFile) {
    const file = await readWhole(input.pgbackrestInfoFile, out.problems, signal);
    if (file) {
      const info = parsePgbackrestInfo(file.text);
      out.pgbackrest = { stanza: pickStanza(info.stanzas, input.stanza), observedMs: file.mtimeMs, rejected: info.rejected };
      if (!out.pgbackrest.stanza && info.rejected === 0)
        out.problems.push(`pgBackRest info ${input.pgbackrestInfoFile} has no stanza ${input.stanza}`);
    }
  }
  if (input.walgBackupListFile) {
    const file = await readWhole(input.walgBackupListFile, out.problems, signal);
    if (file) out.walg = { ...parseWalgBackupList(file.text), observedMs: file.mtimeMs };
  }
  if (input.jobResultsFile) {
    try {
      out.jobs = await tailJobs(input.jobResultsFile, input.jobsCheckpoint, input.maxBytes ?? 8 * 1024 * 1024, signal);
    } catch (err) {
      // a timed-out run is not a file problem: it stops here
      signal?.throwIfAborted();
      out.problems.push((err as Error).message);
    }
  }
  return out;
}

/**
 * The cluster's stanza by name. A stanza pgBackRest could not read (status 99) may be named
 * `[invalid]`: when it is the only one in the file, it is this cluster's, so its error is seen.
 */
function pickStanza(stanzas: readonly PgbackrestStanza[], wanted: string): PgbackrestStanza | undefined {
  const named = stanzas.find((s) => s.name === wanted);
  if (named) return named;
  const only = stanzas.length === 1 ? stanzas[0] : undefined;
  return only && (only.name === null || only.name === '[invalid]') ? only : undefined;
}

async function readWhole(path: string, problems: string[], signal?: AbortSignal): Promise<{ text: string; mtimeMs: number } | undefined> {
  signal?.throwIfAborted();
  try {
    const s = await stat(path);
    return { text: await readFile(path, { encoding: 'utf8', ...(signal && { signal }) }), mtimeMs: Math.floor(s.mtimeMs) };
  } catch (err) {
    signal?.throwIfAborted();
    problems.push(`backup file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}

async function tailJobs(
  file: string,
  previous: FileCheckpoint | undefined,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<NonNullable<BackupsBatch['jobs']>> {
  const tail = await tailFile(file, previous, maxBytes, 'backup job results', signal);
  const out: NonNullable<BackupsBatch['jobs']> = { results: [], rejected: [], checkpoint: tail.checkpoint };
  for (const chunk of tail.chunks) {
    signal?.throwIfAborted();
    const { lines, invalidUtf8 } = chunk.bytes.length > 0 ? utf8Lines(chunk.bytes) : { lines: [], invalidUtf8: [] };
    const first = await lineNumberAt(chunk.path, chunk.from, lines, chunk.oversized + invalidUtf8.length);
    // A skipped over-long line is one bad line, reported like any other.
    if (chunk.oversized > 0) out.rejected.push({ line: first, reason: 'longer than the read limit', kind: 'too_long' });
    const invalid = new Set(invalidUtf8);
    for (const i of invalid) out.rejected.push({ line: first + i, reason: 'not UTF-8', kind: 'invalid_utf8' });
    // blanked, not removed, so the lines after keep their numbers (blank lines are skipped)
    addLines(
      out,
      lines.map((line, i) => (invalid.has(i) ? '' : line)),
      first,
    );
  }
  return out;
}

function addLines(out: NonNullable<BackupsBatch['jobs']>, lines: string[], firstLine: number): void {
  const parsed = parseJobLines(lines, firstLine);
  out.results.push(...parsed.results);
  out.rejected.push(...parsed.rejected);
}

/**
 * The line number of the line starting at `offset`. Counting newlines before it costs a read of
 * the file's head, so it is done only when some line of this read will be rejected.
 */
async function lineNumberAt(path: string, offset: number, lines: readonly string[], skipped: number): Promise<number> {
  if (offset === 0 || (skipped === 0 && parseJobLines(lines).rejected.length === 0)) return 1;
  const handle = await open(path, 'r');
  try {
    let count = 1;
    const buffer = Buffer.alloc(1 << 16);
    for (let at = 0; at < offset;) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, offset - at), at);
      if (bytesRead === 0) break;
      for (let i = 0; i < bytesRead; i++) if (buffer[i] === 0x0a) count += 1;
      at += bytesRead;
    }
    return count;
  } finally {
    await handle.close();
  }
}
