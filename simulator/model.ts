import type { Fleet } from '../services/config/fleet-types';
import { CRON_JOBS, ROUTES, type CronJob, type Route, type TracebackKind } from './odoo-catalog';
import {
  MEAN_PYTHON_SECONDS,
  MEAN_QUERIES,
  PURPOSE,
  clusterModels,
  diurnalFactor,
  tenantModels,
  type ClusterModel,
  type TenantModel,
} from './profiles';
import { Rng, mix, rngFor } from './random';
import { effectsAt, type Effects, type ScenarioPlan } from './scenarios';

/**
 * The traffic model: per tenant and per second, which requests arrive and how they end, which
 * cron jobs run, and how a probe would fare. Every answer is a pure function of the seed, the
 * scenario and the instant, so batch and live runs of the same inputs agree.
 *
 * Shared resources couple tenants: a cluster's SQL and CPU demand (from the expected rates, not
 * the sampled ones, so a neighbour's dice never change another tenant's draws) slows everyone's
 * queries and Python time, and queues requests in front of the busy workers.
 */

/** Odoo's limit_time_real default: the master kills a worker whose request runs longer. */
export const LIMIT_TIME_REAL_SECONDS = 120;
const BASE_ERROR_PROBABILITY = 0.002;
const BASE_RUNAWAY_PROBABILITY = 0.00002;
/** In an outage, the share of requests that reach Odoo (and fail there) rather than die at the ingress. */
const OUTAGE_REACHES_ODOO = 0.3;
const HEAVY_QUERIES: readonly [number, number] = [60, 200];
const HEAVY_PYTHON_MS: readonly [number, number] = [200, 600];

export interface ClusterLoad {
  readonly pgUtil: number;
  readonly hostUtil: number;
  readonly workerUtil: number;
  /** Multiplies every query's time on the cluster. */
  readonly sqlSlow: number;
  /** Multiplies every request's Python time on the cluster. */
  readonly cpuSlow: number;
  /** Mean wait for a free worker, seen by the ingress but not by Odoo's own timers. */
  readonly queueMeanSeconds: number;
}

export interface OdooOutcome {
  readonly status: number;
  readonly queryCount: number;
  readonly sqlSeconds: number;
  readonly otherSeconds: number;
  readonly traceback: TracebackKind | undefined;
  /** Ran past limit_time_real: the master killed the worker; no request line is logged. */
  readonly killed: boolean;
  /** Served by the gevent (websocket) process rather than an HTTP worker. */
  readonly gevent: boolean;
}

export interface IngressOutcome {
  readonly code: number;
  readonly seconds: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
}

export interface RequestEvent {
  readonly kind: 'request';
  /** When the request ends: Odoo logs it and the ingress counts it. */
  readonly ms: number;
  readonly tenant: TenantModel;
  readonly method: string;
  readonly path: string;
  readonly protocol: 'http' | 'websocket';
  readonly addr: string;
  /** The dbname Odoo logs, when not the tenant's (`?` for routes served without a database). */
  readonly database?: string;
  /** Undefined when the ingress answered alone (a 502 in an outage). */
  readonly odoo: OdooOutcome | undefined;
  readonly ingress: IngressOutcome;
  /** Uniform draws the worker pool uses to pick a worker and roll the memory limit. */
  readonly workerPick: number;
  readonly memoryPick: number;
}

export interface CronEvent {
  readonly kind: 'cron';
  readonly ms: number;
  readonly tenant: TenantModel;
  readonly job: CronJob;
  readonly phase: 'start' | 'done' | 'failed';
  readonly seconds: number;
  readonly workerPick: number;
}

export interface ProbeOutcome {
  readonly ok: boolean;
  readonly code: number;
  readonly latencyMs: number;
}

export class TrafficModel {
  readonly tenants: readonly TenantModel[];
  readonly clusters: ReadonlyMap<string, ClusterModel>;
  private readonly loadCache = new Map<string, { second: number; load: ClusterLoad }>();

  constructor(
    fleet: Fleet,
    readonly plan: ScenarioPlan,
  ) {
    this.tenants = tenantModels(fleet, plan.seed);
    this.clusters = clusterModels(fleet, this.tenants);
  }

  tenant(id: string): TenantModel | undefined {
    return this.tenants.find((t) => t.tenant.id === id);
  }

  effects(t: TenantModel, ms: number): Effects {
    return effectsAt(this.plan, t.tenant.id, ms);
  }

  /** Expected requests per second of `t` at `ms`, scenario included. */
  rate(t: TenantModel, ms: number): number {
    return t.peakRate * diurnalFactor(t.tenant.timezone, ms) * this.effects(t, ms).rateFactor;
  }

  loadAt(clusterId: string, second: number): ClusterLoad {
    const cached = this.loadCache.get(clusterId);
    if (cached?.second === second) return cached.load;
    const cluster = this.clusters.get(clusterId);
    const ms = second * 1000;
    let sql = 0;
    let python = 0;
    for (const t of cluster?.tenants ?? []) {
      const e = this.effects(t, ms);
      if (e.outage) continue; // its requests fail before doing any work
      const rate = this.rate(t, ms);
      sql += rate * MEAN_QUERIES * e.queryFactor * t.perQuerySeconds * e.perQueryFactor;
      python += rate * MEAN_PYTHON_SECONDS * t.pythonScale * e.pythonFactor;
      const heavyQueries = (HEAVY_QUERIES[0] + HEAVY_QUERIES[1]) / 2;
      sql += e.heavyRate * heavyQueries * t.perQuerySeconds * e.perQueryFactor * 1.5;
      python += (e.heavyRate * (HEAVY_PYTHON_MS[0] + HEAVY_PYTHON_MS[1])) / 2000;
    }
    const pgUtil = sql / (cluster?.pgCapacity ?? 1);
    const hostUtil = (sql + python) / (cluster?.hostCpus ?? 2);
    const workerUtil = (sql + python) / (cluster?.httpWorkers ?? 2);
    const load: ClusterLoad = {
      pgUtil,
      hostUtil,
      workerUtil,
      sqlSlow: 1 / (1 - Math.min(pgUtil, 0.85)),
      cpuSlow: 1 / (1 - Math.min(hostUtil, 0.85)),
      queueMeanSeconds: (0.03 * workerUtil * workerUtil) / (1 - Math.min(workerUtil, 0.9)),
    };
    this.loadCache.set(clusterId, { second, load });
    return load;
  }

  /** The requests of `t` that start in `second`, interactive and (in a noisy scenario) heavy. */
  requestsAt(t: TenantModel, second: number): RequestEvent[] {
    const ms = second * 1000;
    const effects = this.effects(t, ms);
    const load = this.loadAt(t.tenant.cluster, second);
    const rng = rngFor(this.plan.seed, t.hash, second, PURPOSE.requests);
    const events: RequestEvent[] = [];
    const count = rng.poisson(this.rate(t, ms));
    for (let i = 0; i < count; i++) events.push(this.request(t, second, rng, rng.weighted(ROUTES), effects, load, false));
    if (effects.heavyRate > 0) {
      const heavy = rngFor(this.plan.seed, t.hash, second, PURPOSE.heavy);
      const n = heavy.poisson(effects.heavyRate);
      for (let i = 0; i < n; i++) events.push(this.request(t, second, heavy, HEAVY_ROUTE, effects, load, true));
    }
    return events;
  }

  /**
   * One request. Every request consumes the same draws whatever the scenario decides, so a
   * scenario aimed at one tenant never reshuffles another tenant's traffic.
   */
  private request(t: TenantModel, second: number, rng: Rng, route: Route, e: Effects, load: ClusterLoad, heavy: boolean): RequestEvent {
    // When in its second the request ends and is logged; a killed one ends at the watchdog instead.
    const endMs = second * 1000 + Math.floor(rng.float() * 1000);
    const path = route.path(rng);
    const addr = rng.pick(t.clientAddrs);
    const baseQueries = rng.int(route.queries[0], route.queries[1]);
    const queryNoise = rng.lognormal(0.35);
    const pythonMs = rng.range(route.pythonMs[0], route.pythonMs[1]);
    const pythonNoise = rng.lognormal(0.3);
    const errorPick = rng.float();
    const outagePick = rng.float();
    const runawayPick = rng.float();
    const statusPick = rng.float();
    const waitDraw = rng.float();
    const workerPick = rng.float();
    const memoryPick = rng.float();
    const bytesPick = rng.float();
    const holdPick = rng.float();
    const requestBytes = Math.round(route.requestBytes[0] + (route.requestBytes[1] - route.requestBytes[0]) * bytesPick);
    const responseBytes = Math.round(route.responseBytes[0] + (route.responseBytes[1] - route.responseBytes[0]) * bytesPick);
    const protocol = route.kind === 'websocket' ? 'websocket' : 'http';
    const base = { kind: 'request' as const, tenant: t, method: route.method, path, protocol, addr, workerPick, memoryPick } as const;
    const overhead = 0.001 + 0.002 * holdPick;

    if (e.outage) {
      if (outagePick >= OUTAGE_REACHES_ODOO) {
        return { ...base, ms: endMs, odoo: undefined, ingress: { code: 502, seconds: overhead, requestBytes, responseBytes: 11 } };
      }
      const other = 0.004 + 0.01 * pythonNoise; // the registry fails to open within milliseconds
      const odoo: OdooOutcome = {
        status: 500,
        queryCount: 0,
        sqlSeconds: 0,
        otherSeconds: other,
        traceback: 'db-unavailable',
        killed: false,
        gevent: route.kind === 'websocket',
      };
      return { ...base, ms: endMs, odoo, ingress: { code: 500, seconds: other + overhead, requestBytes, responseBytes: 2_700 } };
    }

    const queryCount = route.kind === 'websocket' ? 1 : Math.max(1, Math.round(baseQueries * e.queryFactor * (heavy ? 1 : queryNoise)));
    const perQuery = t.perQuerySeconds * e.perQueryFactor * (heavy ? 1.5 : 1);
    const sqlSeconds = route.kind === 'websocket' ? 0.001 : queryCount * perQuery * queryNoise * load.sqlSlow;
    const otherSeconds = (pythonMs / 1000) * t.pythonScale * e.pythonFactor * pythonNoise * load.cpuSlow;
    const wait = waitDraw * load.queueMeanSeconds * 3; // waitDraw is uniform: mean 1.5x queueMean, a rough tail

    if (runawayPick < BASE_RUNAWAY_PROBABILITY + e.runawayProbability && route.kind !== 'websocket' && route.kind !== 'static') {
      const killed: OdooOutcome = { status: 0, queryCount, sqlSeconds, otherSeconds, traceback: undefined, killed: true, gevent: false };
      const seconds = LIMIT_TIME_REAL_SECONDS + overhead + wait;
      return {
        ...base,
        ms: endMs + Math.round(seconds * 1000),
        odoo: killed,
        ingress: { code: 502, seconds, requestBytes, responseBytes: 11 },
      };
    }

    let status = route.kind === 'websocket' ? 101 : 200;
    let traceback: TracebackKind | undefined;
    if (statusPick < (route.notModified ?? 0)) status = 304;
    else if (statusPick > 1 - (route.notFound ?? 0)) status = 404;
    if (errorPick < BASE_ERROR_PROBABILITY && (route.kind === 'json' || route.kind === 'http')) {
      // JSON-RPC errors travel as HTTP 200 with an error body; plain HTTP routes answer 500.
      traceback = route.kind === 'json' ? 'json-bug' : 'http-bug';
      status = route.kind === 'json' ? 200 : 500;
    }
    const wall = sqlSeconds + otherSeconds;
    // A websocket's ingress duration is the connection's life, not the upgrade.
    const ingressSeconds = route.kind === 'websocket' ? 30 + 270 * holdPick : wall + wait + overhead;
    const bytesOut = status === 304 || status === 101 ? 0 : status === 500 ? 2_700 : responseBytes;
    const odoo: OdooOutcome = {
      status,
      queryCount,
      sqlSeconds,
      otherSeconds,
      traceback,
      killed: false,
      gevent: route.kind === 'websocket',
    };
    return { ...base, ms: endMs, odoo, ingress: { code: status, seconds: ingressSeconds, requestBytes, responseBytes: bytesOut } };
  }

  /** Cron runs of `t` that start in `second`: a start event and its end, both dated. */
  cronsAt(t: TenantModel, second: number): CronEvent[] {
    const events: CronEvent[] = [];
    const load = this.loadAt(t.tenant.cluster, second);
    const e = this.effects(t, second * 1000);
    for (const job of CRON_JOBS) {
      const phase = mix(this.plan.seed, t.hash, job.id, PURPOSE.cron) % job.everySeconds;
      if ((((second - phase) % job.everySeconds) + job.everySeconds) % job.everySeconds !== 0) continue;
      const rng = rngFor(this.plan.seed, t.hash, job.id, second, PURPOSE.cron);
      const startMs = second * 1000 + rng.int(0, 999);
      const seconds = rng.range(job.seconds[0], job.seconds[1]) * load.sqlSlow * e.perQueryFactor;
      const failed = rng.float() < job.failureProbability;
      const workerPick = rng.float();
      events.push({ kind: 'cron', ms: startMs, tenant: t, job, phase: 'start', seconds, workerPick });
      events.push({
        kind: 'cron',
        ms: startMs + Math.round(seconds * 1000),
        tenant: t,
        job,
        phase: failed ? 'failed' : 'done',
        seconds,
        workerPick,
      });
    }
    return events;
  }

  /** How a probe of `t` sent at `ms` fares at the ingress: an Odoo login page render, or a 502. */
  probeAt(t: TenantModel, ms: number): ProbeOutcome {
    const second = Math.floor(ms / 1000);
    const rng = rngFor(this.plan.seed, t.hash, second, PURPOSE.probe);
    const noise = rng.lognormal(0.25);
    const overhead = rng.range(1, 3);
    if (this.effects(t, ms).outage) return { ok: false, code: 502, latencyMs: overhead };
    const load = this.loadAt(t.tenant.cluster, second);
    const sqlMs = 6 * t.perQuerySeconds * 1000 * load.sqlSlow;
    const pythonMs = 18 * t.pythonScale * load.cpuSlow;
    const latencyMs = (sqlMs + pythonMs) * noise + overhead + load.queueMeanSeconds * 1000;
    return { ok: true, code: 200, latencyMs };
  }
}

/** The noisy tenant's reports: big read_group calls over its journal items. */
const HEAVY_ROUTE: Route = {
  weight: 1,
  method: 'POST',
  kind: 'json',
  path: () => '/web/dataset/call_kw/account.move.line/read_group',
  queries: HEAVY_QUERIES,
  pythonMs: HEAVY_PYTHON_MS,
  requestBytes: [600, 1_500],
  responseBytes: [2_000, 60_000],
};
