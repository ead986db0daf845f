import type { OdooCronRecord, OdooLogRecord, WorkerEvent } from './parser';
import { bucketIndex, codeClass, isHeldRequest, minuteOf, MinuteRollup, type MinuteRow } from '../lib/minute-rollup';

/**
 * Odoo log records → what tenantscope stores: requests per tenant minute (tenant_minute),
 * worker lifecycle events per cluster minute, and per tenant minute the worker events
 * attributed to it and its cron runs.
 */

/** Worker events worth blaming on the tenant a worker served last (not births and recycles). */
export const ATTRIBUTED_EVENTS = ['max-request', 'memory-limit', 'cpu-limit', 'timeout-kill', 'crash'] as const;
export type AttributedEvent = (typeof ATTRIBUTED_EVENTS)[number];

export interface ClusterEventMinute {
  clusterId: string;
  minute: number;
  event: WorkerEvent;
  events: number;
}

export interface TenantEventMinute {
  tenantId: string;
  minute: number;
  worker: Record<AttributedEvent, number>;
  cronStarts: number;
  cronDone: number;
  cronFailed: number;
  cronTimedRuns: number;
  cronSeconds: number;
}

export interface OdooRollup {
  clusterId: string;
  requests: MinuteRow[];
  clusterEvents: ClusterEventMinute[];
  tenantEvents: TenantEventMinute[];
  /** pid → the database it last named (with the line's time), or null: forget that pid. */
  workerDb: Map<number, { database: string; seenAt: number } | null>;
  /** Requests and cron lines naming a database no tenant of the cluster has. */
  unattributed: number;
}

/**
 * Rolls records up in log order. `lastDb` holds what each pid named before these records (read
 * from the store); it is how a watchdog kill, logged by the master with only the worker's pid,
 * finds its tenant: the database that worker last named in any line (its request, cron or
 * other lines). A hung request logs nothing, so that is the request before it when the hung one
 * wrote no line: a best guess, which is why these series are separate from the cluster's.
 */
export function rollUpOdooRecords(
  records: readonly OdooLogRecord[],
  clusterId: string,
  tenantByDb: ReadonlyMap<string, string>,
  lastDb: ReadonlyMap<number, string>,
): OdooRollup {
  const requests = new MinuteRollup();
  const clusterEvents = new Map<string, ClusterEventMinute>();
  const tenantEvents = new Map<string, TenantEventMinute>();
  const workerDb: OdooRollup['workerDb'] = new Map();
  const known = new Map(lastDb);
  const superseded = supersededFailures(records);
  let unattributed = 0;
  const tenantOf = (db: string | null): string | undefined => {
    if (db === null) return undefined;
    const tenant = tenantByDb.get(db);
    if (!tenant) unattributed += 1;
    return tenant;
  };
  const tenantMinute = (tenantId: string, ts: number): TenantEventMinute => {
    const minute = minuteOf(ts);
    const key = `${tenantId}\u0000${minute}`;
    let row = tenantEvents.get(key);
    if (!row) {
      const worker = Object.fromEntries(ATTRIBUTED_EVENTS.map((e) => [e, 0])) as Record<AttributedEvent, number>;
      row = { tenantId, minute, worker, cronStarts: 0, cronDone: 0, cronFailed: 0, cronTimedRuns: 0, cronSeconds: 0 };
      tenantEvents.set(key, row);
    }
    return row;
  };

  records.forEach((record, index) => {
    if (record.type !== 'worker' && record.pid !== null && record.db !== null) {
      known.set(record.pid, record.db);
      workerDb.set(record.pid, { database: record.db, seenAt: record.ts });
    }
    if (record.type === 'request') {
      const tenantId = tenantOf(record.db);
      if (tenantId) addRequest(requests, tenantId, record);
    } else if (record.type === 'worker') {
      const minute = minuteOf(record.ts);
      const key = `${minute}\u0000${record.event}`;
      const row = clusterEvents.get(key) ?? { clusterId, minute, event: record.event, events: 0 };
      row.events += 1;
      clusterEvents.set(key, row);
      const db = known.get(record.workerPid);
      const tenantId = db === undefined ? undefined : tenantByDb.get(db);
      if (tenantId && isAttributed(record.event)) tenantMinute(tenantId, record.ts).worker[record.event] += 1;
      if (record.event === 'alive') {
        // a new process under a reused pid has served nobody yet
        known.delete(record.workerPid);
        workerDb.set(record.workerPid, null);
      }
    } else if (record.type === 'cron' && !superseded.has(index)) {
      const tenantId = tenantOf(record.db);
      if (tenantId) addCron(tenantMinute(tenantId, record.ts), record);
    }
  });
  return {
    clusterId,
    requests: requests.all(),
    clusterEvents: [...clusterEvents.values()],
    tenantEvents: [...tenantEvents.values()],
    workerDb,
    unattributed,
  };
}

function isAttributed(event: WorkerEvent): event is AttributedEvent {
  return (ATTRIBUTED_EVENTS as readonly string[]).includes(event);
}

function addRequest(rollup: MinuteRollup, tenantId: string, record: Extract<OdooLogRecord, { type: 'request' }>): void {
  const minute = rollup.odoo(tenantId, record.ts);
  minute.requests[codeClass(record.status)] += 1;
  if (isHeldRequest(record.path)) {
    minute.held += 1;
    return;
  }
  minute.queries += record.queryCount ?? 0;
  if (record.sqlSeconds !== null && record.otherSeconds !== null) {
    minute.sqlSeconds += record.sqlSeconds;
    minute.pythonSeconds += record.otherSeconds;
    const wall = record.sqlSeconds + record.otherSeconds;
    minute.durationCounts[bucketIndex(wall)]! += 1;
    minute.durationSum += wall;
  }
}

function addCron(row: TenantEventMinute, record: OdooCronRecord): void {
  if (record.event === 'start') {
    row.cronStarts += 1;
    return;
  }
  if (record.event === 'done') row.cronDone += 1;
  else row.cronFailed += 1;
  if (record.seconds !== null) {
    row.cronTimedRuns += 1;
    row.cronSeconds += record.seconds;
  }
}

/**
 * Odoo 19 logs `server action #N failed` inside a run and then the run's summary line (`failed`,
 * or `partially done` when some progress was committed); 17 and 18 end a run with the first.
 * A failure line directly followed, for the same job, by a summary with a duration is that
 * run's intermediate error: the summary alone counts.
 */
function supersededFailures(records: readonly OdooLogRecord[]): Set<number> {
  const pending = new Map<string, number>();
  const superseded = new Set<number>();
  records.forEach((r, index) => {
    if (r.type !== 'cron' || r.cronId === null) return;
    const key = `${r.db}\u0000${r.cronId}`;
    const open = pending.get(key);
    if (open !== undefined && r.event !== 'start' && r.seconds !== null) superseded.add(open);
    pending.delete(key);
    if (r.event === 'failed' && r.seconds === null) pending.set(key, index);
  });
  return superseded;
}
