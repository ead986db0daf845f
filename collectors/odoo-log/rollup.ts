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
  return new OdooRollupBuilder(clusterId, tenantByDb, lastDb).add(records).result();
}

/**
 * The same rollup, fed in pieces as records arrive (a pushed body as it streams in), so no record
 * outlives its piece: what is kept is one row per tenant minute, one per cluster minute and event,
 * and the database each pid last named.
 */
export class OdooRollupBuilder {
  private readonly requests = new MinuteRollup();
  private readonly clusterEvents = new Map<string, ClusterEventMinute>();
  private readonly tenantEvents = new Map<string, TenantEventMinute>();
  private readonly workerDb: OdooRollup['workerDb'] = new Map();
  private readonly known: Map<number, string>;
  /**
   * Cron failures without a duration, by database and job, not counted yet: Odoo 19 logs
   * `server action #N failed` inside a run and then the run's summary line (`failed`, or
   * `partially done`); 17 and 18 end a run with the first. A failure line directly followed, for
   * the same job, by a summary with a duration is that run's intermediate error: the summary
   * alone counts, and the held line is dropped.
   */
  private readonly pendingFailures = new Map<string, OdooCronRecord>();
  private unattributed = 0;

  constructor(
    private readonly clusterId: string,
    private readonly tenantByDb: ReadonlyMap<string, string>,
    lastDb: ReadonlyMap<number, string>,
  ) {
    this.known = new Map(lastDb);
  }

  add(records: Iterable<OdooLogRecord>): this {
    for (const record of records) this.addOne(record);
    return this;
  }

  result(): OdooRollup {
    for (const held of this.pendingFailures.values()) this.countCron(held);
    this.pendingFailures.clear();
    return {
      clusterId: this.clusterId,
      requests: this.requests.all(),
      clusterEvents: [...this.clusterEvents.values()],
      tenantEvents: [...this.tenantEvents.values()],
      workerDb: this.workerDb,
      unattributed: this.unattributed,
    };
  }

  private addOne(record: OdooLogRecord): void {
    if (record.type !== 'worker' && record.pid !== null && record.db !== null) {
      this.known.set(record.pid, record.db);
      // most lines come from a pid seen before: its entry is updated, not made again
      const seen = this.workerDb.get(record.pid);
      if (seen) {
        seen.database = record.db;
        seen.seenAt = record.ts;
      } else this.workerDb.set(record.pid, { database: record.db, seenAt: record.ts });
    }
    if (record.type === 'request') {
      const tenantId = this.tenantOf(record.db);
      if (tenantId) addRequest(this.requests, tenantId, record);
    } else if (record.type === 'worker') {
      const minute = minuteOf(record.ts);
      const key = `${minute}\u0000${record.event}`;
      const row = this.clusterEvents.get(key) ?? { clusterId: this.clusterId, minute, event: record.event, events: 0 };
      row.events += 1;
      this.clusterEvents.set(key, row);
      const db = this.known.get(record.workerPid);
      const tenantId = db === undefined ? undefined : this.tenantByDb.get(db);
      if (tenantId && isAttributed(record.event)) this.tenantMinute(tenantId, record.ts).worker[record.event] += 1;
      if (record.event === 'alive') {
        // a new process under a reused pid has served nobody yet
        this.known.delete(record.workerPid);
        this.workerDb.set(record.workerPid, null);
      }
    } else if (record.type === 'cron') {
      this.addCronLine(record);
    }
  }

  private addCronLine(record: OdooCronRecord): void {
    if (record.cronId === null) return this.countCron(record);
    const key = `${record.db}\u0000${record.cronId}`;
    const held = this.pendingFailures.get(key);
    this.pendingFailures.delete(key);
    // the held failure counts unless this line is its run's summary (an end with a duration)
    if (held && !(record.event !== 'start' && record.seconds !== null)) this.countCron(held);
    if (record.event === 'failed' && record.seconds === null) this.pendingFailures.set(key, record);
    else this.countCron(record);
  }

  private countCron(record: OdooCronRecord): void {
    const tenantId = this.tenantOf(record.db);
    if (tenantId) addCron(this.tenantMinute(tenantId, record.ts), record);
  }

  private tenantOf(db: string | null): string | undefined {
    if (db === null) return undefined;
    const tenant = this.tenantByDb.get(db);
    if (!tenant) this.unattributed += 1;
    return tenant;
  }

  private tenantMinute(tenantId: string, ts: number): TenantEventMinute {
    const minute = minuteOf(ts);
    const key = `${tenantId}\u0000${minute}`;
    let row = this.tenantEvents.get(key);
    if (!row) {
      const worker = Object.fromEntries(ATTRIBUTED_EVENTS.map((e) => [e, 0])) as Record<AttributedEvent, number>;
      row = { tenantId, minute, worker, cronStarts: 0, cronDone: 0, cronFailed: 0, cronTimedRuns: 0, cronSeconds: 0 };
      this.tenantEvents.set(key, row);
    }
    return row;
  }
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
