import { open, stat } from 'node:fs/promises';
import { CollectorError } from '../../services/core/errors';

/**
 * Tailing a file that a writer appends to and rotates: from a checkpoint (file identity and
 * byte offset), following rename rotation (`file` → `file.1` … `.3`) and copytruncate, reading
 * only complete lines. The caller commits the returned checkpoint together with what it made of
 * the lines, so a restart or a retry never reads a line twice. Used by the Odoo log and the
 * backup job results.
 */
export interface FileCheckpoint {
  /** `device:inode` of the file the offset belongs to. */
  fileIdentity: string;
  offset: number;
}

/**
 * Complete lines read from one file, starting at byte `from`: their bytes, without the last
 * newline (utf8Lines cuts and decodes them; a reader may read the bytes themselves).
 */
export interface TailChunk {
  path: string;
  from: number;
  bytes: Buffer;
  /** Lines longer than the whole read limit, skipped so the tail cannot stall on them. */
  oversized: number;
}

const ROTATED_SUFFIXES = ['.1', '.2', '.3'];

/**
 * Reads up to `maxBytes` appended since `previous`: first the rest of a rotated-away file, then
 * the current one. `what` names the file in errors ("log file", "backup job results"). An
 * aborted `signal` (the run timed out) stops it between reads, with the signal's reason.
 */
export async function tailFile(
  file: string,
  previous: FileCheckpoint | undefined,
  maxBytes: number,
  what: string,
  signal?: AbortSignal,
): Promise<{ chunks: TailChunk[]; checkpoint: FileCheckpoint; bytes: number; more: boolean }> {
  signal?.throwIfAborted();
  const current = await identify(file, what);
  if (!current) throw new CollectorError(`${what} ${file} does not exist`);
  const chunks: TailChunk[] = [];
  let bytes = 0;
  let start = 0;
  if (previous && previous.fileIdentity !== current.identity) {
    // Rotated by rename: finish the old file first, wherever it went.
    const rotated = await findRotated(file, previous.fileIdentity, what);
    if (rotated && rotated.size > previous.offset) {
      signal?.throwIfAborted();
      const read = await readLines(rotated.path, previous.offset, rotated.size, maxBytes);
      chunks.push({ path: rotated.path, from: previous.offset, ...read });
      bytes += read.consumed;
      if (previous.offset + read.consumed < rotated.size) {
        return { chunks, checkpoint: { fileIdentity: previous.fileIdentity, offset: previous.offset + read.consumed }, bytes, more: true };
      }
    }
  } else if (previous) {
    // Same file; a smaller size means it was truncated in place (copytruncate).
    start = current.size < previous.offset ? 0 : previous.offset;
  }
  const limit = maxBytes - bytes;
  signal?.throwIfAborted();
  const read = await readLines(file, start, current.size, limit);
  chunks.push({ path: file, from: start, ...read });
  bytes += read.consumed;
  // Stopped by the read limit, not by the end of what was written: a backlog is waiting.
  const more = current.size - start > limit;
  return { chunks, checkpoint: { fileIdentity: current.identity, offset: start + read.consumed }, bytes, more };
}

async function identify(path: string, what: string): Promise<{ identity: string; size: number } | undefined> {
  try {
    const s = await stat(path, { bigint: true });
    return { identity: `${s.dev}:${s.ino}`, size: Number(s.size) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CollectorError(`${what} ${path} cannot be read (${(err as NodeJS.ErrnoException).code})`);
  }
}

async function findRotated(file: string, identity: string, what: string): Promise<{ path: string; size: number } | undefined> {
  for (const suffix of ROTATED_SUFFIXES) {
    const found = await identify(file + suffix, what);
    if (found?.identity === identity) return { path: file + suffix, size: found.size };
  }
  return undefined;
}

/** Reads [from, min(to, from + limit)) and keeps only complete lines. */
async function readLines(
  path: string,
  from: number,
  to: number,
  limit: number,
): Promise<{ bytes: Buffer; consumed: number; oversized: number }> {
  const length = Math.max(0, Math.min(to - from, limit));
  const none = { bytes: Buffer.alloc(0), consumed: 0, oversized: 0 };
  if (length === 0) return none;
  const handle = await open(path, 'r');
  try {
    // not zeroed: only the bytes read are looked at
    const buffer = Buffer.allocUnsafeSlow(length);
    const { bytesRead } = await handle.read(buffer, 0, length, from);
    const end = buffer.lastIndexOf(0x0a, bytesRead - 1);
    // A line longer than the whole read limit would stall the tail forever: skip it, counted.
    if (end < 0 && bytesRead === limit) return { ...none, consumed: bytesRead, oversized: 1 };
    if (end < 0) return none;
    return { bytes: buffer.subarray(0, end), consumed: end + 1, oversized: 0 };
  } finally {
    await handle.close();
  }
}
