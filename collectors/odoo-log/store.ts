import { WORKER_EVENTS } from './parser';
import type { OdooRollup, TenantEventMinute } from './rollup';
import type { Client, Queryable } from '../../services/storage/db';
import { TENANTS } from '../../services/config/fleet-store';
import { byTenantMinute } from '../lib/tenant-minute-store';

const LOAD_WORKER_DB = 'SELECT pid, database FROM odoo_worker_db WHERE source = $1';

const SAVE_WORKER_DB = `
INSERT INTO odoo_worker_db (source, pid, database, seen_at)
SELECT $1, u.pid, u.database, u.seen_at FROM unnest($2::int4[], $3::text[], $4::timestamptz[]) AS u(pid, database, seen_at)
ON CONFLICT (source, pid) DO UPDATE SET database = EXCLUDED.database, seen_at = EXCLUDED.seen_at
WHERE odoo_worker_db.seen_at <= EXCLUDED.seen_at`;

const FORGET_WORKER_DB = 'DELETE FROM odoo_worker_db WHERE source = $1 AND pid = ANY($2::int4[])';

const ADD_CLUSTER_MINUTES = `
INSERT INTO odoo_worker_event_minute AS t (cluster_id, minute, event, events)
SELECT $1, u.minute, u.event, u.events FROM unnest($2::timestamptz[], $3::text[], $4::int4[]) AS u(minute, event, events)
ON CONFLICT (cluster_id, minute, event) DO UPDATE SET events = t.events + EXCLUDED.events`;

// Every event gets its row once a cluster's log has been read: a counter at a true 0, so the
// first kill shows in increase() instead of starting the series.
const ADD_CLUSTER_TOTALS = `
INSERT INTO odoo_worker_event_total AS t (cluster_id, event, events)
SELECT $1, u.event, u.events FROM unnest($2::text[], $3::int8[]) AS u(event, events)
ON CONFLICT (cluster_id, event) DO UPDATE SET events = t.events + EXCLUDED.events`;

const TENANT_COLUMNS = [
  'worker_max_request',
  'worker_memory_limit',
  'worker_cpu_limit',
  'worker_timeout_kill',
  'worker_crash',
  'cron_starts',
  'cron_done',
  'cron_failed',
  'cron_timed_runs',
  'cron_seconds',
] as const;
const typeOf = (c: string, int: string) => (c === 'cron_seconds' ? 'float8' : int);

const ADD_TENANT_MINUTES = `
INSERT INTO odoo_tenant_event_minute AS t (tenant_id, minute, ${TENANT_COLUMNS.join(', ')})
SELECT * FROM unnest($1::text[], $2::timestamptz[], ${TENANT_COLUMNS.map((c, i) => `$${i + 3}::${typeOf(c, 'int4')}[]`).join(', ')})
ON CONFLICT (tenant_id, minute) DO UPDATE SET ${TENANT_COLUMNS.map((c) => `${c} = t.${c} + EXCLUDED.${c}`).join(', ')}`;

const ADD_TENANT_TOTALS = `
INSERT INTO odoo_tenant_event_total AS t (tenant_id, ${TENANT_COLUMNS.join(', ')})
SELECT * FROM unnest($1::text[], ${TENANT_COLUMNS.map((c, i) => `$${i + 2}::${typeOf(c, 'int8')}[]`).join(', ')})
ON CONFLICT (tenant_id) DO UPDATE SET ${TENANT_COLUMNS.map((c) => `${c} = t.${c} + EXCLUDED.${c}`).join(', ')}`;

/** The database each pid of a log source last named, as stored by earlier batches. */
export async function loadWorkerDb(db: Queryable, source: string): Promise<Map<number, string>> {
  const { rows } = await db.query<{ pid: number; database: string }>(LOAD_WORKER_DB, [source]);
  return new Map(rows.map((r) => [r.pid, r.database]));
}

function columns(row: TenantEventMinute): Record<(typeof TENANT_COLUMNS)[number], number> {
  return {
    worker_max_request: row.worker['max-request'],
    worker_memory_limit: row.worker['memory-limit'],
    worker_cpu_limit: row.worker['cpu-limit'],
    worker_timeout_kill: row.worker['timeout-kill'],
    worker_crash: row.worker.crash,
    cron_starts: row.cronStarts,
    cron_done: row.cronDone,
    cron_failed: row.cronFailed,
    cron_timed_runs: row.cronTimedRuns,
    cron_seconds: row.cronSeconds,
  };
}

/**
 * Adds a batch's worker events and cron runs to the minute tables and the totals, and records
 * which database each pid named, inside the caller's transaction (partitions must exist).
 */
export async function addOdooEvents(client: Client, source: string, rollup: OdooRollup): Promise<void> {
  // one order for every writer of a cluster (see addMinuteRows): concurrent batches never deadlock
  const { clusterId, workerDb } = rollup;
  const clusterEvents = [...rollup.clusterEvents].sort(
    (a, b) => a.minute - b.minute || (a.event < b.event ? -1 : a.event > b.event ? 1 : 0),
  );
  const tenantEvents = [...rollup.tenantEvents].sort(byTenantMinute);
  if (clusterEvents.length > 0) {
    await client.query(ADD_CLUSTER_MINUTES, [
      clusterId,
      clusterEvents.map((e) => new Date(e.minute)),
      clusterEvents.map((e) => e.event),
      clusterEvents.map((e) => e.events),
    ]);
  }
  const totals = new Map<string, number>(WORKER_EVENTS.map((e) => [e, 0]));
  for (const e of clusterEvents) totals.set(e.event, (totals.get(e.event) ?? 0) + e.events);
  await client.query(ADD_CLUSTER_TOTALS, [clusterId, [...totals.keys()], [...totals.values()]]);

  if (tenantEvents.length > 0) {
    const values = tenantEvents.map(columns);
    await client.query(ADD_TENANT_MINUTES, [
      tenantEvents.map((r) => r.tenantId),
      tenantEvents.map((r) => new Date(r.minute)),
      ...TENANT_COLUMNS.map((c) => values.map((v) => v[c])),
    ]);
    const byTenant = new Map<string, Record<string, number>>();
    tenantEvents.forEach((r, i) => {
      const sum = byTenant.get(r.tenantId) ?? Object.fromEntries(TENANT_COLUMNS.map((c) => [c, 0]));
      for (const c of TENANT_COLUMNS) sum[c]! += values[i]![c];
      byTenant.set(r.tenantId, sum);
    });
    const tenants = [...byTenant.keys()];
    await client.query(ADD_TENANT_TOTALS, [tenants, ...TENANT_COLUMNS.map((c) => tenants.map((t) => byTenant.get(t)![c]))]);
  }

  const pids = [...workerDb].sort(([a], [b]) => a - b);
  const seen = pids.filter((e): e is [number, { database: string; seenAt: number }] => e[1] !== null);
  const forgotten = pids.filter(([, v]) => v === null).map(([pid]) => pid);
  if (forgotten.length > 0) await client.query(FORGET_WORKER_DB, [source, forgotten]);
  if (seen.length > 0) {
    await client.query(SAVE_WORKER_DB, [
      source,
      seen.map(([pid]) => pid),
      seen.map(([, v]) => v.database),
      seen.map(([, v]) => new Date(v.seenAt)),
    ]);
  }
}

// A watchdog kill or crash of the worker serving the tenant explains its downtime.
const WORKER_KILLS = `SELECT tenant_id, minute FROM odoo_tenant_event_minute
  WHERE tenant_id = ANY($1) AND minute >= to_timestamp($2) AND minute < to_timestamp($3)
    AND worker_timeout_kill + worker_memory_limit + worker_cpu_limit + worker_crash > 0 ORDER BY tenant_id, minute`;

/** Minutes in which a worker serving one of these tenants was killed or crashed (SLA incident signals). */
export async function readWorkerKillMinutes(
  db: Queryable,
  tenants: string[],
  fromSeconds: number,
  toSeconds: number,
): Promise<{ tenant_id: string; minute: Date }[]> {
  return (await db.query<{ tenant_id: string; minute: Date }>(WORKER_KILLS, [tenants, fromSeconds, toSeconds])).rows;
}

const ATTRIBUTION_CRON = `
SELECT e.tenant_id, e.minute, e.cron_seconds FROM odoo_tenant_event_minute e JOIN ${TENANTS} t ON t.id = e.tenant_id
WHERE t.cluster_id = $1 AND e.minute >= $2 AND e.minute < $3`;

/** Cron seconds per tenant minute of a cluster in [from, to). */
export async function readCronMinutesOfCluster(db: Queryable, cluster: string, fromMs: number, toMs: number) {
  return (await db.query(ATTRIBUTION_CRON, [cluster, new Date(fromMs), new Date(toMs)])).rows;
}

// A pushed body's digest, kept a day to recognise a shipper's retry of the very same body.
const FORGET_PUSHES_BEFORE = 'DELETE FROM odoo_push_batch WHERE cluster_id = $1 AND received_at < $2';
const TAKE_PUSH = 'INSERT INTO odoo_push_batch (cluster_id, digest, received_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING';

/**
 * Forgets the cluster's pushed digests received before `forgetBefore`, then records `digest`;
 * false when it is already there (a retry). Inside the caller's transaction.
 */
export async function takePushBatch(
  client: Client,
  clusterId: string,
  digest: Buffer,
  receivedAt: Date,
  forgetBefore: Date,
): Promise<boolean> {
  await client.query(FORGET_PUSHES_BEFORE, [clusterId, forgetBefore]);
  const { rowCount } = await client.query(TAKE_PUSH, [clusterId, digest, receivedAt]);
  return rowCount === 1;
}
