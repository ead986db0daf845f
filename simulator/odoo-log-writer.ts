import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Fleet } from '../services/config/fleet-types';
import type { OdooRecord } from './odoo-workers';
import { odooTimestamp } from './time-format';

/** Default size at which a log file is rotated, as logrotate's `size 5M` would. */
export const DEFAULT_ROTATE_BYTES = 5 * 1024 * 1024;
/** Rotated generations kept: `<file>.1` (newest) to `<file>.3`. */
export const ROTATED_KEPT = 3;

/**
 * Odoo 14-18's `%(asctime)s %(pid)s %(levelname)s %(dbname)s %(name)s: %(message)s %(perf_info)s`.
 * perf_info is "" on every non-werkzeug record, hence their one trailing space; a traceback
 * follows the first line, as logging.Formatter appends exc_text.
 */
export function formatOdooRecord(record: OdooRecord, zone: string): string {
  const head = `${odooTimestamp(record.ms, zone)} ${record.pid} ${record.level} ${record.db} ${record.logger}: ${record.message} ${record.perf ?? ''}`;
  return record.exc === undefined ? `${head}\n` : `${head}\n${record.exc}\n`;
}

/**
 * Appends records to one Odoo log file, rotating by size like Python's RotatingFileHandler: a
 * record that would take the file past the limit goes to a fresh file after `file` becomes
 * `file.1` (and `.1` → `.2`, `.2` → `.3`). A record is never split across files.
 * Writes are buffered and synchronous on flush, so a batch run and a live tick see the same bytes.
 */
export class OdooLogWriter {
  private size = 0;
  private buffer: string[] = [];
  private buffered = 0;

  constructor(
    readonly file: string,
    private readonly rotateBytes = DEFAULT_ROTATE_BYTES,
  ) {
    if (!(rotateBytes > 0)) throw new Error(`rotateBytes: expected a size in bytes > 0, got ${rotateBytes}`);
  }

  /** Creates the folder; `fresh` removes the file and its rotated generations first (batch runs). */
  open(fresh: boolean): void {
    mkdirSync(dirname(this.file), { recursive: true });
    if (fresh) {
      for (let i = ROTATED_KEPT; i >= 1; i--) rmSync(`${this.file}.${i}`, { force: true });
      rmSync(this.file, { force: true });
    }
    this.size = fileSize(this.file);
  }

  append(text: string): void {
    const bytes = Buffer.byteLength(text);
    if (this.size + this.buffered > 0 && this.size + this.buffered + bytes > this.rotateBytes) {
      this.flush();
      this.rotate();
    }
    this.buffer.push(text);
    this.buffered += bytes;
    if (this.buffered > 256 * 1024) this.flush();
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    appendFileSync(this.file, this.buffer.join(''));
    this.size += this.buffered;
    this.buffer = [];
    this.buffered = 0;
  }

  private rotate(): void {
    for (let i = ROTATED_KEPT - 1; i >= 1; i--) {
      try {
        renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    try {
      renameSync(this.file, `${this.file}.1`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    this.size = 0;
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * Opens each cluster's first log file (`fresh`: started over, as a batch run does); clusters
 * naming the same file share one writer.
 */
export function openLogs(
  fleet: Fleet,
  rotateBytes: number | undefined,
  fresh: boolean,
): Map<string, { writer: OdooLogWriter; zone: string }> {
  const byFile = new Map<string, OdooLogWriter>();
  const logs = new Map<string, { writer: OdooLogWriter; zone: string }>();
  for (const cluster of Object.values(fleet.clusters)) {
    const file = cluster.odoo?.logFiles[0];
    if (!cluster.odoo || !file) continue;
    let writer = byFile.get(file);
    if (!writer) {
      writer = new OdooLogWriter(file, rotateBytes);
      writer.open(fresh);
      byFile.set(file, writer);
    }
    logs.set(cluster.id, { writer, zone: cluster.odoo.logTimezone });
  }
  return logs;
}
