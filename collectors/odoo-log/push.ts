import { createHash } from 'node:crypto';
import { parseOdooLog } from './parser';
import type { IngestDeps } from '../lib/collector';
import { RequestError } from '../../services/core/errors';
import { withTransaction } from '../../services/storage/db';
import { rollUp, storeRollup } from './collector';
import { storableRecords } from './storable';
import { takePushBatch } from './store';
import { addRejections } from '../lib/collector-store';
import { Rejections } from '../lib/rejections';
import { utf8Lines, withoutLines } from '../lib/utf8-lines';

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

export interface PushedLines {
  lines: string[];
  /** JSON items that are not an object with a `message` (Vector) or `log` (Fluent Bit) string. */
  rejected: number;
}

const JSON_TYPES = /json/i;

/**
 * The log lines in a pushed body: newline-delimited text, or (content type `application/json`,
 * `application/x-ndjson` ...) a JSON array or NDJSON of Vector or Fluent Bit events, whose
 * `message` or `log` field holds one line (or several, when the shipper joined a traceback).
 */
export function pushedLines(body: string, contentType: string | undefined): PushedLines {
  if (!JSON_TYPES.test(contentType ?? '')) return { lines: body.split('\n'), rejected: 0 };
  const out: PushedLines = { lines: [], rejected: 0 };
  const take = (item: unknown) => {
    const line =
      typeof item === 'object' && item !== null
        ? ((item as Record<string, unknown>).message ?? (item as Record<string, unknown>).log)
        : undefined;
    if (typeof line === 'string') out.lines.push(...line.replace(/\n$/, '').split('\n'));
    else out.rejected += 1;
  };
  const whole = tryJson(body);
  if (whole.ok && Array.isArray(whole.value)) whole.value.forEach(take);
  else if (whole.ok) take(whole.value);
  else {
    for (const text of body.split('\n')) {
      if (text.trim() === '') continue;
      const item = tryJson(text);
      if (item.ok) take(item.value);
      else out.rejected += 1;
    }
  }
  return out;
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * Parses lines a shipper pushed for a cluster and adds them to the rollups, with the cluster's
 * log zone and tenant map, in one transaction. A pushed batch has no offset: the only guard
 * against counting twice is the body's SHA-256, kept a day, which recognises a retry of the
 * very same body (lines carry millisecond timestamps and pids, so two different batches do not
 * share one); a shipper that re-batches before retrying still counts twice (at least once).
 */
export async function pushOdooLog(
  deps: IngestDeps,
  clusterId: string,
  body: Buffer | string,
  contentType: string | undefined,
): Promise<PushResult> {
  const cluster = Object.hasOwn(deps.fleet.clusters, clusterId) ? deps.fleet.clusters[clusterId] : undefined;
  if (!cluster) throw new RequestError(404, `no cluster named ${JSON.stringify(clusterId)} in the fleet file`);
  const now = deps.clock.now();
  // lines whose bytes are not UTF-8 are counted, not decoded into U+FFFD and stored
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const text = utf8Lines(bytes);
  const { lines, rejected: badItems } = pushedLines(withoutLines(text.lines, text.invalidUtf8).join('\n'), contentType);
  const parsed = parseOdooLog(lines, { zone: cluster.odoo?.logTimezone ?? cluster.timezone, referenceMs: now });
  const source = `push:${clusterId}`;
  const storable = storableRecords(parsed.records);
  const rejections = new Rejections({ malformed: parsed.rejected + badItems, invalid_utf8: text.invalidUtf8.length }).addAll(
    storable.rejections,
  );
  const rollup = await rollUp(deps, clusterId, source, storable.records);
  const digest = createHash('sha256').update(bytes).digest();
  const fresh = await withTransaction(deps.pool, async (client) => {
    if (!(await takePushBatch(client, clusterId, digest, new Date(now), new Date(now - RETRY_WINDOW_MS)))) return false;
    await storeRollup(client, source, rollup);
    await addRejections(client, 'odoo-log', source, rejections);
    return true;
  });
  return { records: storable.records.length, rejected: rejections.total, duplicate: !fresh };
}
