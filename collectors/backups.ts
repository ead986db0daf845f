import { open, readFile, stat } from 'node:fs/promises';
import { CollectorError } from '../services/errors';
import { parseJobLines, type BackupJobResult } from './backup-jobs';
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

export interface FileCheckpoint {
  /** `device:inode` of the file the offset belongs to. */
  fileIdentity: string;
  offset: number;
}

export interface BackupsInput {
  /** The stanza of this cluster in the info file (one stanza per cluster). */
  stanza: string;
  pgbackrestInfoFile?: string;
  walgBackupListFile?: string;
  jobResultsFile?: string;
  jobsCheckpoint?: FileCheckpoint;
  /** Most bytes of the job file read in one run, so a large backlog is taken in steps. */
  maxBytes?: number;
}

export interface BackupsBatch {
  /** The stanza of this cluster, when the info file has it; `observedMs` is the file's mtime. */
  pgbackrest?: { stanza: PgbackrestStanza | undefined; observedMs: number; rejected: number };
  walg?: { backups: WalgBackup[]; observedMs: number; rejected: number };
  jobs?: { results: BackupJobResult[]; rejected: { line: number; reason: string }[]; checkpoint: FileCheckpoint };
  /** Configured files that could not be read, with why: the run reads the others, then fails. */
  problems: string[];
}

const ROTATED_SUFFIXES = ['.1', '.2', '.3'];

export async function collect(input: BackupsInput): Promise<BackupsBatch> {
  const out: BackupsBatch = { problems: [] };
  if (input.pgbackrestInfoFile) {
    const file = await readWhole(input.pgbackrestInfoFile, out.problems);
    if (file) {
      const info = parsePgbackrestInfo(file.text);
      out.pgbackrest = { stanza: pickStanza(info.stanzas, input.stanza), observedMs: file.mtimeMs, rejected: info.rejected };
      if (!out.pgbackrest.stanza && info.rejected === 0) out.problems.push(`pgBackRest info ${input.pgbackrestInfoFile} has no stanza ${input.stanza}`);
    }
  }
  if (input.walgBackupListFile) {
    const file = await readWhole(input.walgBackupListFile, out.problems);
    if (file) out.walg = { ...parseWalgBackupList(file.text), observedMs: file.mtimeMs };
  }
  if (input.jobResultsFile) {
    try {
      out.jobs = await tailJobs(input.jobResultsFile, input.jobsCheckpoint, input.maxBytes ?? 8 * 1024 * 1024);
    } catch (err) {
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

async function readWhole(path: string, problems: string[]): Promise<{ text: string; mtimeMs: number } | undefined> {
  try {
    const s = await stat(path);
    return { text: await readFile(path, 'utf8'), mtimeMs: Math.floor(s.mtimeMs) };
  } catch (err) {
    problems.push(`backup file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}

async function tailJobs(file: string, previous: FileCheckpoint | undefined, maxBytes: number): Promise<NonNullable<BackupsBatch['jobs']>> {
  const current = await identify(file);
  if (!current) throw new CollectorError(`backup job results ${file} does not exist`);
  const out: NonNullable<BackupsBatch['jobs']> = { results: [], rejected: [], checkpoint: { fileIdentity: current.identity, offset: 0 } };
  let start = 0;
  let budget = maxBytes;
  if (previous && previous.fileIdentity !== current.identity) {
    // Rotated by rename: finish the old file first, wherever it went.
    const rotated = await findRotated(file, previous.fileIdentity);
    if (rotated && rotated.size > previous.offset) {
      const read = await readLines(rotated.path, previous.offset, rotated.size, budget);
      addLines(out, read.lines, await lineNumberAt(rotated.path, previous.offset, read.lines));
      budget -= read.consumed;
      if (previous.offset + read.consumed < rotated.size) {
        out.checkpoint = { fileIdentity: previous.fileIdentity, offset: previous.offset + read.consumed };
        return out;
      }
    }
  } else if (previous) {
    // Same file; a smaller size means it was truncated in place (copytruncate).
    start = current.size < previous.offset ? 0 : previous.offset;
  }
  const read = await readLines(file, start, current.size, budget);
  addLines(out, read.lines, await lineNumberAt(file, start, read.lines));
  out.checkpoint = { fileIdentity: current.identity, offset: start + read.consumed };
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
async function lineNumberAt(path: string, offset: number, lines: readonly string[]): Promise<number> {
  if (offset === 0 || parseJobLines(lines).rejected.length === 0) return 1;
  const handle = await open(path, 'r');
  try {
    let count = 1;
    const buffer = Buffer.alloc(1 << 16);
    for (let at = 0; at < offset; ) {
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

async function identify(path: string): Promise<{ identity: string; size: number } | undefined> {
  try {
    const s = await stat(path, { bigint: true });
    return { identity: `${s.dev}:${s.ino}`, size: Number(s.size) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CollectorError(`backup job results ${path} cannot be read (${(err as NodeJS.ErrnoException).code})`);
  }
}

async function findRotated(file: string, identity: string): Promise<{ path: string; size: number } | undefined> {
  for (const suffix of ROTATED_SUFFIXES) {
    const found = await identify(file + suffix);
    if (found?.identity === identity) return { path: file + suffix, size: found.size };
  }
  return undefined;
}

/** Reads [from, min(to, from + limit)) and keeps only complete lines; an over-long line is one rejected line. */
async function readLines(path: string, from: number, to: number, limit: number): Promise<{ lines: string[]; consumed: number }> {
  const length = Math.max(0, Math.min(to - from, limit));
  if (length === 0) return { lines: [], consumed: 0 };
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, from);
    const end = buffer.lastIndexOf(0x0a, bytesRead - 1);
    // A line longer than the whole read limit would stall the tail forever: skip it as one bad line.
    if (end < 0 && bytesRead === limit) return { lines: ['<line longer than the read limit>'], consumed: bytesRead };
    if (end < 0) return { lines: [], consumed: 0 };
    return { lines: buffer.toString('utf8', 0, end).split('\n'), consumed: end + 1 };
  } finally {
    await handle.close();
  }
}
