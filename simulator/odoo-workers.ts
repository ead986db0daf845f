import { pyRepr, traceback } from './odoo-catalog';
import type { CronEvent, RequestEvent } from './model';
import { PURPOSE, type ClusterModel } from './profiles';
import { rngFor } from './random';
import { werkzeugTimestamp } from './time-format';

/**
 * One cluster's Odoo prefork process table: the master, its HTTP and cron workers and the gevent
 * process, with the pids Odoo prints. It turns model events into log records and plays the
 * worker lifecycle: recycling at limit_request, the soft memory limit, and watchdog kills.
 * Stateful (pids only grow), so events must reach it in time order.
 */

export type Level = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

/** One Odoo log record; `perf` is set on werkzeug records only, `exc` holds a traceback. */
export interface OdooRecord {
  readonly ms: number;
  readonly pid: number;
  readonly level: Level;
  readonly db: string;
  readonly logger: string;
  readonly message: string;
  readonly perf?: string;
  readonly exc?: string;
}

/** Odoo 14-18 limit_request default. */
export const LIMIT_REQUEST = 8192;
/** limit_memory_soft default, 2048 MiB. */
export const LIMIT_MEMORY_SOFT = 2048 * 1024 * 1024;
/** Chance per request that the worker ends it above the soft memory limit. */
const MEMORY_LIMIT_PROBABILITY = 1 / 15_000;
const SERVER = 'odoo.service.server';
const CRON = 'odoo.addons.base.models.ir_cron';

interface Worker {
  pid: number;
  requests: number;
}

export class OdooProcesses {
  readonly masterPid = 1; // Odoo in a container runs as pid 1
  private nextPid: number;
  private readonly http: Worker[];
  private readonly cron: Worker[];
  private readonly geventPid: number;
  /** The server's local zone, which werkzeug's bracketed time uses. */
  private readonly zone: string;

  constructor(
    private readonly cluster: ClusterModel,
    seed: number,
  ) {
    this.zone = cluster.cluster.odoo?.logTimezone ?? cluster.cluster.timezone;
    const rng = rngFor(seed, PURPOSE.boot, cluster.tenants[0]?.hash ?? 0, cluster.httpWorkers);
    this.nextPid = rng.int(7, 40);
    this.geventPid = this.spawnPid();
    this.http = Array.from({ length: cluster.httpWorkers }, () => ({ pid: this.spawnPid(), requests: 0 }));
    this.cron = Array.from({ length: cluster.cronWorkers }, () => ({ pid: this.spawnPid(), requests: 0 }));
  }

  /** Pids of the live HTTP workers, e.g. for PostgreSQL application_name `odoo-<pid>`. */
  httpPids(): number[] {
    return this.http.map((w) => w.pid);
  }

  /** The lines a prefork server prints when it starts. */
  boot(ms: number): OdooRecord[] {
    const at = (offset: number, pid: number, message: string, logger = SERVER): OdooRecord => ({
      ms: ms + offset,
      pid,
      level: 'INFO',
      db: '?',
      logger,
      message,
    });
    const records = [
      at(0, this.masterPid, 'Odoo version 17.0-20250310', 'odoo'),
      at(1, this.masterPid, 'Using configuration file at /etc/odoo/odoo.conf', 'odoo'),
      at(2, this.masterPid, `database: odoo@pg-${this.cluster.cluster.id}:5432`, 'odoo'),
      at(180, this.masterPid, 'HTTP service (werkzeug) running on 0.0.0.0:8069'),
      at(240, this.geventPid, 'Evented Service (longpolling) running on 0.0.0.0:8072'),
    ];
    this.http.forEach((w, i) => records.push(at(260 + i * 7, w.pid, `Worker WorkerHTTP (${w.pid}) alive`)));
    this.cron.forEach((w, i) => records.push(at(300 + i * 7, w.pid, `Worker WorkerCron (${w.pid}) alive`)));
    return records;
  }

  /** The records a request produces: its traceback, its werkzeug line, and any lifecycle it causes. */
  request(ev: RequestEvent): OdooRecord[] {
    const odoo = ev.odoo;
    if (!odoo) return [];
    const db = ev.database ?? ev.tenant.tenant.database;
    const slot = Math.min(this.http.length - 1, Math.floor(ev.workerPick * this.http.length));
    const worker = this.http[slot] as Worker;
    if (odoo.killed) {
      const kill: OdooRecord = {
        ms: ev.ms,
        pid: this.masterPid,
        level: 'ERROR',
        db: '?',
        logger: SERVER,
        message: `WorkerHTTP (${worker.pid}) timeout after 120s`,
      };
      return [kill, ...this.replace(this.http, slot, 'WorkerHTTP', ev.ms + 25)];
    }
    const pid = odoo.gevent ? this.geventPid : worker.pid;
    const records: OdooRecord[] = [];
    if (odoo.traceback) {
      records.push({
        ms: ev.ms,
        pid,
        level: 'ERROR',
        db,
        logger: 'odoo.http',
        message: 'Exception during request handling.',
        exc: traceback(odoo.traceback, db, this.cluster.cluster.id),
      });
    }
    records.push({
      ms: ev.ms,
      pid,
      level: 'INFO',
      db,
      logger: 'werkzeug',
      message: `${ev.addr} - - [${werkzeugTimestamp(ev.ms, this.zone)}] "${ev.method} ${ev.path} HTTP/1.1" ${odoo.status} -`,
      perf: `${odoo.queryCount} ${odoo.sqlSeconds.toFixed(3)} ${odoo.otherSeconds.toFixed(3)}`,
    });
    if (odoo.gevent) return records;
    worker.requests++;
    if (worker.requests >= LIMIT_REQUEST) {
      records.push(this.info(ev.ms + 1, worker.pid, `Worker (${worker.pid}) max request (${worker.requests}) reached.`));
      records.push(...this.exit(slot, ev.ms + 2));
    } else if (ev.memoryPick < MEMORY_LIMIT_PROBABILITY) {
      const memory = LIMIT_MEMORY_SOFT + Math.floor((ev.memoryPick / MEMORY_LIMIT_PROBABILITY) * 180 * 1024 * 1024);
      records.push(this.info(ev.ms + 1, worker.pid, `Worker (${worker.pid}) virtual memory limit (${memory}) reached.`));
      records.push(...this.exit(slot, ev.ms + 2));
    }
    return records;
  }

  /** The record of a cron job starting, finishing, or failing with its traceback. */
  cronRecord(ev: CronEvent): OdooRecord {
    const slot = Math.min(this.cron.length - 1, Math.floor(ev.workerPick * this.cron.length));
    const pid = (this.cron[slot] as Worker).pid;
    const db = ev.tenant.tenant.database;
    const job = `Job ${pyRepr(ev.job.name)} (${ev.job.id})`;
    switch (ev.phase) {
      case 'start':
        return { ms: ev.ms, pid, level: 'INFO', db, logger: CRON, message: `${job} starting` };
      case 'done':
        return { ms: ev.ms, pid, level: 'INFO', db, logger: CRON, message: `${job} done in ${ev.seconds.toFixed(3)}s` };
      case 'failed':
        return {
          ms: ev.ms,
          pid,
          level: 'ERROR',
          db,
          logger: CRON,
          message: `${job} server action #${ev.job.serverAction} failed`,
          exc: traceback('cron-fetchmail', db, this.cluster.cluster.id),
        };
    }
  }

  private exit(slot: number, ms: number): OdooRecord[] {
    const worker = this.http[slot] as Worker;
    const registries = Math.max(1, this.cluster.tenants.length);
    return [
      this.info(ms, worker.pid, `Worker (${worker.pid}) exiting. request_count: ${worker.requests}, registry count: ${registries}.`),
      ...this.replace(this.http, slot, 'WorkerHTTP', ms + 40),
    ];
  }

  /** The master forks a replacement; the new child announces itself. */
  private replace(pool: Worker[], slot: number, kind: string, ms: number): OdooRecord[] {
    const worker = { pid: this.spawnPid(), requests: 0 };
    pool[slot] = worker;
    return [this.info(ms, worker.pid, `Worker ${kind} (${worker.pid}) alive`)];
  }

  private info(ms: number, pid: number, message: string): OdooRecord {
    return { ms, pid, level: 'INFO', db: '?', logger: SERVER, message };
  }

  private spawnPid(): number {
    const pid = this.nextPid;
    this.nextPid += 1 + (pid % 3); // forks elsewhere on the host take pids in between
    return pid;
  }
}
