import { DateTime } from 'luxon';
import type { Clock } from '../../core/clock';
import type { Cluster, Fleet, Tenant, Tier } from '../../config/fleet-types';
import { readAll, withTransaction, type Client, type Pool, type Queryable } from '../../storage/db';
import type { PartitionKeeper } from '../../storage/partitions';
import { BAD, EXCLUDED, GOOD, NODATA } from '../classify';
import type { MonthRange } from '../../core/month';
import { loadMinuteEvidence } from './evidence-loader';
import { loadSparseEvidence } from './sparse-evidence';
import { classifyRange } from './minutes-report';
import { LOCK, lockKeyForTransaction } from '../../storage/locks';
import { backlogLimit, logsAttempted } from '../../../collectors/lib/log-backlog';

/**
 * The SLI minute counter behind tenantscope_sli_minutes_total. Each minute is classified once,
 * when it closes: ALLOWED_LATENESS after its end, so probes and log lines that arrive a little
 * late still count. Its state is stored (sla_minute, one byte per minute and UTC day) and added
 * to the running totals in the same transaction as the cursor moves, so the counter is
 * monotonic and no minute counts twice, whichever worker runs it. Evidence later than that
 * changes the reports (they are recomputed) but not the counter, which never goes back.
 */
export const ALLOWED_LATENESS_MS = 5 * 60_000;
const MINUTE = 60_000;
const DAY = 86_400_000;
/** At most this much is classified per tenant and run, so a long outage of the job catches up in steps. */
const MAX_STEP_MS = 7 * DAY;

export interface CounterDeps {
  pool: Pool;
  fleet: Fleet;
  clock: Clock;
  partitions: PartitionKeeper;
}

const STATE_OF: Record<number, 'good' | 'bad' | 'nodata' | 'excluded'> = {
  [GOOD]: 'good',
  [BAD]: 'bad',
  [NODATA]: 'nodata',
  [EXCLUDED]: 'excluded',
};

/**
 * Counts the minutes that closed since the last run of each of `tenants` (all of the fleet's by
 * default). Each tenant has its own cursor and lock, so jobs counting disjoint or overlapping
 * batches at once count every minute once. Returns minutes counted per tenant.
 */
export async function countClosedMinutes(deps: CounterDeps, tenants: readonly Tenant[] = deps.fleet.tenants): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const tenant of tenants) out.set(tenant.id, await countTenant(deps, tenant));
  return out;
}

const COUNTED_UNTIL = 'SELECT counted_until FROM sla_minute_total WHERE tenant_id = $1';
const MOVE_CURSOR = 'UPDATE sla_minute_total SET counted_until = $2 WHERE tenant_id = $1';

async function countTenant(deps: CounterDeps, tenant: Tenant): Promise<number> {
  const closedUntil = Math.floor((deps.clock.now() - ALLOWED_LATENESS_MS) / MINUTE) * MINUTE;
  // The sla_minute partitions are made first, in PartitionKeeper's own short transaction: taking
  // its lock inside the one below, which already reads tenant_minute, deadlocked with a collector
  // creating a tenant_minute partition (it holds that lock and waits for the table). The unlocked
  // read of the cursor only decides which months to make sure of; the cursor only moves forward.
  const seen = await deps.pool.query<{ counted_until: Date }>(COUNTED_UNTIL, [tenant.id]);
  const earliest =
    seen.rows[0]?.counted_until.getTime() ?? DateTime.fromMillis(closedUntil, { zone: tenant.timezone }).startOf('month').toMillis();
  const months: number[] = [];
  for (let m = DateTime.fromMillis(earliest, { zone: 'utc' }).startOf('month'); m.toMillis() <= closedUntil; m = m.plus({ months: 1 }))
    months.push(m.toMillis());
  await deps.partitions.ensure('sla_minute', months);
  return withTransaction(deps.pool, async (client) => {
    await lockKeyForTransaction(client, LOCK.slaCounter, tenant.id);
    const { rows } = await client.query<{ counted_until: Date }>(COUNTED_UNTIL, [tenant.id]);
    // A tenant seen for the first time is counted from the start of its current month.
    const from =
      rows[0]?.counted_until.getTime() ?? DateTime.fromMillis(closedUntil, { zone: tenant.timezone }).startOf('month').toMillis();
    const cluster = deps.fleet.clusters[tenant.cluster] as Cluster;
    // Minutes are counted once: a tenant counted for the first time waits for its cluster's Odoo
    // log to be read once (its history would otherwise count as minutes without data), and no
    // count goes past what a log reader working through a backlog has stored.
    if (!rows[0] && !(await logsAttempted(client, cluster))) return 0;
    const until = await backlogLimit(client, cluster, from, Math.min(closedUntil, from + MAX_STEP_MS), deps.clock.now());
    if (until <= from) return 0;
    let counted = 0;
    // One piece per tenant month, so exclusions, the month's totals and the tier apply per month.
    for (let start = from; start < until;) {
      const local = DateTime.fromMillis(start, { zone: tenant.timezone });
      const end = Math.min(until, local.startOf('month').plus({ months: 1 }).toMillis());
      counted += await countPiece(client, deps.fleet, tenant, local.toFormat('yyyy-MM'), {
        month: local.toFormat('yyyy-MM'),
        zone: tenant.timezone,
        startMs: start,
        endMs: end,
        minutes: (end - start) / MINUTE,
      });
      start = end;
    }
    await client.query(MOVE_CURSOR, [tenant.id, new Date(until)]);
    return counted;
  });
}

const ADD_TOTALS = `INSERT INTO sla_minute_total AS t (tenant_id, good, bad, nodata, excluded, counted_until) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (tenant_id) DO UPDATE SET good = t.good + $2, bad = t.bad + $3, nodata = t.nodata + $4, excluded = t.excluded + $5`;
const ADD_MONTH = `INSERT INTO sla_minute_month AS t (tenant_id, month, good, bad, nodata, excluded) VALUES ($1, $6, $2, $3, $4, $5)
     ON CONFLICT (tenant_id, month) DO UPDATE SET good = t.good + $2, bad = t.bad + $3, nodata = t.nodata + $4, excluded = t.excluded + $5`;

async function countPiece(client: Client, fleet: Fleet, tenant: Tenant, month: string, range: MonthRange): Promise<number> {
  const [minutes, sparse] = await readAll(client, [
    () => loadMinuteEvidence(client, tenant.id, range),
    () => loadSparseEvidence(client, tenant, range),
  ]);
  const input = {
    tenant,
    tier: fleet.tiers[tenant.tier] as Tier,
    cluster: fleet.clusters[tenant.cluster] as Cluster,
    month,
    tenantEvidence: sparse.tenant,
    clusterEvidence: sparse.cluster,
  };
  const states = classifyRange(input, range, minutes);
  const counts = { good: 0, bad: 0, nodata: 0, excluded: 0 };
  for (let i = 0; i < states.length; i++) counts[STATE_OF[states[i]!]!] += 1;
  await writeDays(client, tenant.id, range.startMs, states);
  const values = [tenant.id, counts.good, counts.bad, counts.nodata, counts.excluded];
  await client.query(ADD_TOTALS, [...values, new Date(range.endMs)]);
  await client.query(ADD_MONTH, [...values, month]);
  return states.length;
}

const DAY_STATES = 'SELECT states FROM sla_minute WHERE tenant_id = $1 AND day = $2';
const SAVE_DAY_STATES =
  'INSERT INTO sla_minute (tenant_id, day, states) VALUES ($1, $2, $3) ON CONFLICT (tenant_id, day) DO UPDATE SET states = EXCLUDED.states';

/** Overlays the states on the UTC days they fall in (255 marks a minute not classified yet). */
async function writeDays(client: Client, tenant: string, startMs: number, states: Uint8Array): Promise<void> {
  const endMs = startMs + states.length * MINUTE;
  for (let day = Math.floor(startMs / DAY) * DAY; day < endMs; day += DAY) {
    const { rows } = await client.query<{ states: Buffer }>(DAY_STATES, [tenant, new Date(day)]);
    const bytes = rows[0] ? Buffer.from(rows[0].states) : Buffer.alloc(1440, 255);
    const first = Math.max(startMs, day);
    const last = Math.min(endMs, day + DAY);
    bytes.set(states.subarray((first - startMs) / MINUTE, (last - startMs) / MINUTE), (first - day) / MINUTE);
    await client.query(SAVE_DAY_STATES, [tenant, new Date(day), bytes]);
  }
}

type MinuteCounts = { good: number; bad: number; nodata: number; excluded: number };

const MINUTE_TOTALS = 'SELECT tenant_id AS tenant, good, bad, nodata, excluded, counted_until FROM sla_minute_total';
const MONTH_TOTALS = `SELECT tenant_id AS tenant, month, good, bad, nodata, excluded FROM sla_minute_month
        WHERE (tenant_id, month) IN (SELECT * FROM unnest($1::text[], $2::text[]))`;

/**
 * Minutes counted per state for each tenant: since it was first counted, and in the given month of
 * each; and the instant each tenant is counted up to (the SLI counter's cursor).
 */
export async function readMinuteCounts(
  db: Queryable,
  tenantMonths: { tenant: string; month: string }[],
): Promise<{ totals: Map<string, MinuteCounts>; months: Map<string, MinuteCounts>; countedUntil: Map<string, number> }> {
  const [totals, months] = await Promise.all([
    db.query<MinuteCounts & { tenant: string }>(MINUTE_TOTALS),
    db.query<MinuteCounts & { tenant: string }>(MONTH_TOTALS, [tenantMonths.map((t) => t.tenant), tenantMonths.map((t) => t.month)]),
  ]);
  const byTenant = (list: (MinuteCounts & { tenant: string })[]) =>
    new Map(list.map((r) => [r.tenant, { good: r.good, bad: r.bad, nodata: r.nodata, excluded: r.excluded }]));
  const countedUntil = new Map(
    (totals.rows as (MinuteCounts & { tenant: string; counted_until: Date })[]).map((r) => [r.tenant, r.counted_until.getTime()]),
  );
  return { totals: byTenant(totals.rows), months: byTenant(months.rows), countedUntil };
}
