import { readAll, type Queryable } from '../../storage/db';
import { emptyMinuteEvidence, type MinuteEvidence } from '../minute-evidence';
import type { MonthRange } from '../../core/month';
import { readRequests } from './evidence-loader';
import { readMinuteEvidence, readTenantProbeCodes, streamMinuteEvidenceFlags } from '../../../collectors/lib/tenant-minute-store';
import { readIngressMinuteRows } from '../../../collectors/traefik/store';

/**
 * The minute evidence reports need, for many tenants sharing one month range, in one query per
 * rollup table: the minute-evidence queries evidence-loader.ts reads too, here with the probes as
 * flags (`monthReports` reads 1,000 tenant-months; one query per tenant and table cost more in
 * round trips and planning than in reading rows).
 *
 * Reports look at probes only as "some ok" and "some failed" (classifyMinutes, findIncidents),
 * so the probe arrays of the result hold 0 or 1, not counts: use loadMinuteEvidence where counts
 * matter (the export bundle writes one probe line per count). Building anything per row is what
 * costs PostgreSQL most here, so nearly all rows are not sent at all: a minute with ok probes,
 * no failed one and nothing from Odoo is the usual one, and when a tenant's rows cover every
 * minute from its first to its last (count = last - first + 1: the key is unique per minute),
 * first and last say where the usual minutes are. Only the other rows come, as ONE character
 * each, code point 0x10000 + index * 4 + flags (2: probes_ok <> 0, 1: probes_failed <> 0), with
 * Odoo's counts as int4[]. A tenant with a gap is read again with a character for every row.
 * chr() above 0x7F needs a UTF8 database, which tenantscope's are (PostgreSQL's default).
 */

type Row = [string, ...(string | null)[]];

/** Reads the one-character-per-row probe string into the 0/1 probe arrays. */
function readProbes(text: string, ev: MinuteEvidence): void {
  // Each character is a surrogate pair in JavaScript; (high - 0xD800) << 10 | (low - 0xDC00) is code point - 0x10000.
  for (let at = 0; at + 1 < text.length; at += 2) {
    const v = ((text.charCodeAt(at) - 0xd800) << 10) | (text.charCodeAt(at + 1) - 0xdc00);
    const i = v >> 2;
    ev.probesOk[i] = (v >> 1) & 1;
    ev.probesFailed[i] = v & 1;
  }
}

/**
 * Reads the month's minute evidence of `tenants` (all with this `range`), for computing reports:
 * `minutesOf(tenant)` then builds one tenant's arrays (2 MB for a month) when it is computed, so
 * a batch holds only its compact rows. A tenant without rows gets empty arrays.
 */
export async function loadReportMinutes(
  db: Queryable,
  tenants: readonly string[],
  range: MonthRange,
): Promise<(tenant: string) => MinuteEvidence> {
  const [own] = await readAll(db, [() => readMinuteEvidence(db, tenants, range.startMs / 1000, range.endMs / 1000, 'flags')]);
  return minutesOfRows(db, own, tenants, range);
}

/**
 * The minute evidence of `tenants` (all with this `range`) in batches of about `batch` tenants:
 * the Odoo/probe minutes of all of them in ONE scan of the month, streamed in tenant order
 * (minute rows of different tenants share pages, so a read per batch would read every page once
 * per batch), then per batch its ingress minutes. Tenants without Odoo/probe minutes come last.
 * `minutesOf` as loadReportMinutes' for the batch's tenants.
 */
export async function* streamReportMinutes(
  db: Queryable,
  tenants: readonly string[],
  range: MonthRange,
  batch: number,
): AsyncGenerator<{ tenants: string[]; minutesOf: (tenant: string) => MinuteEvidence }> {
  const seen = new Set<string>();
  for await (const own of streamMinuteEvidenceFlags(db, tenants, range.startMs / 1000, range.endMs / 1000, batch)) {
    const ids = own.map((r) => r[0]);
    for (const id of ids) seen.add(id);
    yield { tenants: ids, minutesOf: await minutesOfRows(db, own, ids, range) };
  }
  const rest = tenants.filter((t) => !seen.has(t));
  for (let i = 0; i < rest.length; i += batch) {
    const ids = rest.slice(i, i + batch);
    yield { tenants: ids, minutesOf: await minutesOfRows(db, [], ids, range) };
  }
}

/** Builds minutesOf from the Odoo/probe rows of `tenants` already read, reading their ingress minutes (and every probe minute of tenants with gaps). */
async function minutesOfRows(
  db: Queryable,
  own: Row[],
  tenants: readonly string[],
  range: MonthRange,
): Promise<(tenant: string) => MinuteEvidence> {
  const values = [tenants, range.startMs / 1000, range.endMs / 1000] as const;
  const gappy = own.filter(([, count, first, last]) => Number(count) !== Number(last) - Number(first) + 1).map(([tenant]) => tenant);
  const [ingress, every] = await readAll(db, [
    () => readIngressMinuteRows(db, tenants, values[1], values[2]),
    () => (gappy.length > 0 ? readTenantProbeCodes(db, gappy, values[1], values[2]) : Promise.resolve([])),
  ]);
  const byTenant = <T extends Row>(rows: T[]) => new Map(rows.map((r) => [r[0], r]));
  const [ownOf, everyOf, ingressOf] = [byTenant(own), byTenant(every), byTenant(ingress)];
  const at = new Int32Array(range.minutes);
  return (tenant) => {
    const ev = emptyMinuteEvidence(range.minutes);
    const row = ownOf.get(tenant);
    if (row) {
      const [, count, first, last, unusual, odooIdx, odooTotal, odooErrors] = row;
      if (Number(count) === Number(last) - Number(first) + 1) ev.probesOk.fill(1, Number(first), Number(last) + 1);
      if (unusual) readProbes(unusual, ev);
      // A tenant with a gap: every row, the unusual ones included.
      const all = everyOf.get(tenant)?.[1];
      if (all) readProbes(all, ev);
      readRequests(odooIdx, odooTotal, odooErrors, ev.hasOdoo, ev.odooTotal, ev.odooErrors, at);
    }
    const requests = ingressOf.get(tenant);
    if (requests) readRequests(requests[1], requests[2], requests[3], ev.hasIngress, ev.ingressTotal, ev.ingressErrors, at);
    return ev;
  };
}
