import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { OdooLogParser } from './parser';
import type { IngestDeps } from '../lib/collector';
import { RequestError } from '../../services/core/errors';
import { withTransaction } from '../../services/storage/db';
import { ensurePartitions, startRollup, storeRollup } from './collector';
import { storableRecords } from './storable';
import { takePushBatch } from './store';
import { addRejections } from '../lib/collector-store';
import { Rejections } from '../lib/rejections';
import { acceptedRange } from '../lib/accepted-range';

/** Largest body a shipper may push at once; a larger one is refused with 413. */
export const PUSH_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/** How long a pushed body's digest is kept to recognise a shipper's retry of it. */
const RETRY_WINDOW_MS = 24 * 3600 * 1000;

export interface PushResult {
  records: number;
  rejected: number;
  /** True when the very same body was already taken (a shipper's retry): nothing was added. */
  duplicate: boolean;
}

const JSON_TYPES = /json/i;
/** Parsing time after which a push lets the event loop turn (see readPushedBody). */
const YIELD_EVERY_MS = 5;

function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * Parses lines a shipper pushed for a cluster and adds them to the rollups, with the cluster's
 * log zone and tenant map, in one transaction. The body is read as it streams in: each line is
 * parsed when its newline arrives, and neither the whole body nor its text is held at once (a JSON
 * array, which cannot be cut at lines, is the exception: it is kept until it ends). A body over
 * `limitBytes` is refused with 413 as soon as it passes the limit.
 *
 * A pushed batch has no offset: the only guard against counting twice is the body's SHA-256, kept
 * a day, which recognises a retry of the very same body (lines carry millisecond timestamps and
 * pids, so two different batches do not share one); a shipper that re-batches before retrying
 * still counts twice (at least once).
 */
export async function pushOdooLog(
  deps: IngestDeps,
  clusterId: string,
  body: AsyncIterable<Buffer> | Buffer | string,
  contentType: string | undefined,
  limitBytes = PUSH_BODY_LIMIT_BYTES,
): Promise<PushResult> {
  const cluster = Object.hasOwn(deps.fleet.clusters, clusterId) ? deps.fleet.clusters[clusterId] : undefined;
  if (!cluster) throw new RequestError(404, `no cluster named ${JSON.stringify(clusterId)} in the fleet file`);
  const now = deps.clock.now();
  const range = acceptedRange(now);
  const parser = new OdooLogParser({ zone: cluster.odoo?.logTimezone ?? cluster.timezone, referenceMs: now });
  const source = `push:${clusterId}`;
  const builder = await startRollup(deps, clusterId, source);
  const rejections = new Rejections();
  let records = 0;
  // records go into the rollup after each piece of the body, so none outlives its piece
  const roll = () => {
    const storable = storableRecords(parser.take(), range);
    rejections.addAll(storable.rejections);
    records += storable.records.length;
    builder.add(storable.records);
  };
  const read = await readPushedBody(chunksOf(body), contentType, parser, limitBytes, roll);
  roll();
  rejections.add('malformed', parser.result().rejected).add('invalid_utf8', read.invalidUtf8);
  const rollup = await ensurePartitions(deps, builder.result());
  const fresh = await withTransaction(deps.pool, async (client) => {
    if (!(await takePushBatch(client, clusterId, read.digest, new Date(now), new Date(now - RETRY_WINDOW_MS)))) return false;
    await storeRollup(client, source, rollup);
    await addRejections(client, 'odoo-log', source, rejections);
    return true;
  });
  return { records, rejected: rejections.total, duplicate: !fresh };
}

async function* chunksOf(body: AsyncIterable<Buffer> | Buffer | string): AsyncIterable<Buffer> {
  if (typeof body === 'string') yield Buffer.from(body, 'utf8');
  else if (Buffer.isBuffer(body)) yield body;
  else yield* body;
}

/**
 * Feeds each line of a streamed body to `parser` as its newline arrives: text lines as they are,
 * NDJSON items by their `message`/`log`; a JSON array (its first byte `[`) once it is whole.
 * Lines that are not UTF-8, and JSON items without a line, are counted on the parser or returned.
 */
async function readPushedBody(
  chunks: AsyncIterable<Buffer>,
  contentType: string | undefined,
  parser: OdooLogParser,
  limitBytes: number,
  afterChunk: () => void,
): Promise<{ digest: Buffer; invalidUtf8: number }> {
  const hash = createHash('sha256');
  const json = JSON_TYPES.test(contentType ?? '');
  let mode = (json ? undefined : 'text') as 'text' | 'ndjson' | 'array' | undefined;
  const held: string[] = [];
  let invalidUtf8 = 0;
  const line = (bytes: Buffer) => {
    if (!isUtf8(bytes)) {
      invalidUtf8 += 1;
      return;
    }
    const text = bytes.toString('utf8');
    if (mode === undefined && text.trim() !== '') mode = text.trimStart().startsWith('[') ? 'array' : 'ndjson';
    if (mode === 'text') parser.line(text);
    else if (mode === 'array') held.push(text);
    else if (text.trim() !== '') feedItems(parser, tryJson(text));
  };
  const lines = new LineSplitter(line);
  let size = 0;
  let since = performance.now();
  for await (const chunk of chunks) {
    size += chunk.length;
    if (size > limitBytes) throw new RequestError(413, `body: larger than ${limitBytes} bytes; push smaller batches`);
    hash.update(chunk);
    lines.write(chunk);
    afterChunk();
    // Chunks that arrived while this one was parsed are handed over without a turn of the event
    // loop; every few milliseconds of parsing, the other requests (a report, a probe) get theirs.
    if (performance.now() - since > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      since = performance.now();
    }
  }
  lines.end();
  if (mode === 'array') {
    const whole = tryJson(held.join('\n'));
    if (whole.ok && Array.isArray(whole.value)) whole.value.forEach((item) => feedItems(parser, { ok: true, value: item }));
    else feedItems(parser, whole);
  }
  return { digest: hash.digest(), invalidUtf8 };
}

/** One JSON item's line(s) to the parser: a Vector `message` or Fluent Bit `log` string; anything else is rejected. */
function feedItems(parser: OdooLogParser, item: { ok: true; value: unknown } | { ok: false }): void {
  const value = item.ok && typeof item.value === 'object' && item.value !== null ? (item.value as Record<string, unknown>) : undefined;
  const line = value?.message ?? value?.log;
  if (typeof line !== 'string') return parser.reject();
  for (const text of line.replace(/\n$/, '').split('\n')) parser.line(text);
}

/** Cuts a byte stream at newlines; a line split across chunks is joined before it is handed on. */
class LineSplitter {
  private partial: Buffer[] = [];

  constructor(private readonly onLine: (bytes: Buffer) => void) {}

  write(chunk: Buffer): void {
    let start = 0;
    for (let newline = chunk.indexOf(0x0a); newline >= 0; newline = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, newline);
      this.onLine(this.partial.length > 0 ? Buffer.concat([...this.partial, piece]) : piece);
      this.partial = [];
      start = newline + 1;
    }
    if (start < chunk.length) this.partial.push(chunk.subarray(start));
  }

  end(): void {
    if (this.partial.length > 0) this.onLine(Buffer.concat(this.partial));
    this.partial = [];
  }
}
