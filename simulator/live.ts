import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../services/core/clock';
import type { Fleet } from '../services/config/fleet-types';
import type { Logger } from '../services/core/logger';
import { BackupWriter } from './backup-writer';
import { handleIngress, type IngressHit } from './ingress-server';
import { Listeners, endpointsOf, type Endpoint } from './listeners';
import type { RequestEvent } from './model';
import { formatOdooRecord, openLogs } from './odoo-log-writer';
import { AccessLogs } from './traefik-access-log';
import { PgLoad } from './pg-load';
import { RedisLoad } from './redis-load';
import { planScenario, scenarioActive, type ScenarioOptions } from './scenarios';
import { Simulation } from './simulation';
import { TraefikMetrics } from './traefik-metrics';
import { handleTraefik } from './traefik-server';
import { isoSeconds } from './time-format';

export interface LiveSimulatorOptions extends ScenarioOptions {
  fleet: Fleet;
  logger: Logger;
  /** Defaults to the system clock; the scenario window counts from its reading at start. */
  clock?: Clock;
  rotateBytes?: number;
  /** Real load on the clusters' PostgreSQL and Redis; both default to on where the fleet names a server. */
  load?: { postgres?: boolean; redis?: boolean };
  /**
   * Minutes of the same traffic played into the Odoo logs before going live, as if the fleet had
   * been running: a tenantscope started next has baselines to learn from (the noisy-neighbour
   * detector needs an hour). The logs are started afresh, and rotate at HISTORY_ROTATE_BYTES so
   * the history stays in the one file a collector that starts without a checkpoint reads.
   */
  historyMinutes?: number;
}

/** Rotation size of the Odoo logs when history is played first (about 4 h of the demo fleet). */
export const HISTORY_ROTATE_BYTES = 64 * 1024 * 1024;

export interface LiveSimulator {
  /** The URLs it serves (ingress and Traefik API/metrics), as the fleet file spells their origins. */
  urls: string[];
  /** Closes servers, connections, pools, clients and timers; deletes no file and drops no database. */
  stop(): Promise<void>;
}

const TICK_MS = 250;
const BACKUP_REFRESH_MS = 30_000;
/** A clock that leaps further than this is followed by a jump, not by replaying every second. */
const MAX_CATCH_UP_SECONDS = 600;

/**
 * Runs the fleet in real time: the model plays each second as the clock passes it, Odoo logs are
 * appended, probes and Traefik scrapes are answered, backup files refreshed, and PostgreSQL and
 * Redis get real load. Resolves once every server listens and the load has its databases.
 */
export async function startLiveSimulator(options: LiveSimulatorOptions): Promise<LiveSimulator> {
  const { fleet, logger: log } = options;
  const clock = options.clock ?? systemClock;
  const startMs = clock.now();
  const plan = planScenario(fleet, options, startMs);
  const endpoints = endpointsOf(fleet);

  const stores = new Map<Endpoint, TraefikMetrics>();
  const storeOfCluster = new Map<string, TraefikMetrics>();
  for (const endpoint of endpoints.filter((e) => e.metricsClusters.length > 0)) {
    const store = new TraefikMetrics(startMs);
    stores.set(endpoint, store);
    for (const id of endpoint.metricsClusters) storeOfCluster.set(id, store);
  }

  const historyMs = Math.round((options.historyMinutes ?? 0) * 60_000);
  const logs =
    historyMs > 0 ? openLogs(fleet, options.rotateBytes ?? HISTORY_ROTATE_BYTES, true) : openLogs(fleet, options.rotateBytes, false);
  const accessLogs = new AccessLogs(fleet, options.rotateBytes ?? (historyMs > 0 ? HISTORY_ROTATE_BYTES : undefined), historyMs > 0);
  const flushLogs = () => {
    new Set([...logs.values()].map((l) => l.writer)).forEach((w) => w.flush());
    accessLogs.flush();
  };
  const tickRequests = new Map<number, number>();
  const sim = new Simulation(fleet, plan, startMs - historyMs, (id) => storeOfCluster.get(id), {
    odoo(clusterId, records) {
      const target = logs.get(clusterId);
      if (target) for (const r of records) target.writer.append(formatOdooRecord(r, target.zone));
    },
    request(ev) {
      tickRequests.set(ev.tenant.index, (tickRequests.get(ev.tenant.index) ?? 0) + 1);
      accessLogs.request(ev);
    },
  });
  const backups = new BackupWriter(sim.model.clusters.values(), plan);
  backups.open(startMs, false);
  backups.refresh(startMs);
  sim.boot();
  if (historyMs > 0) {
    // Event time, as fast as the machine allows; the scenario's window still counts from now.
    sim.advanceTo(Math.floor(startMs / 1000));
    tickRequests.clear();
    log.info({ minutes: options.historyMinutes }, 'simulator: history played into the Odoo logs');
  }
  flushLogs();

  const timers = new Set<NodeJS.Timeout>();
  const tenantsByHost = new Map(sim.model.tenants.flatMap((t) => t.tenant.hosts.map((h) => [h, t] as const)));
  const ingress = {
    model: sim.model,
    clock,
    tenantsByHost,
    timers,
    onHit: (hit: IngressHit) => sim.inject(hitEvent(hit)),
    onUnmatched: (endpoint: Endpoint, method: string) => {
      const store = storeOfCluster.get(endpoint.ingressClusters[0] ?? '');
      store?.record({ code: 404, method, protocol: 'http', seconds: 0.0002, requestBytes: 0, responseBytes: 19 });
    },
  };
  const traefik = {
    metricsFor: (endpoint: Endpoint) => stores.get(endpoint),
    tenantsOf: (clusters: readonly string[]) => fleet.tenants.filter((t) => clusters.includes(t.cluster)),
    startedAt: isoSeconds(startMs),
  };
  const handler = (endpoint: Endpoint, req: IncomingMessage, res: ServerResponse) => {
    try {
      if (handleTraefik(traefik, endpoint, req, res)) return;
      if (endpoint.ingressClusters.length > 0) return handleIngress(ingress, endpoint, req, res);
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
    } catch (err) {
      log.error({ err }, 'simulator: request handling failed');
      if (!res.headersSent) res.writeHead(500).end();
    }
  };
  const listeners = new Listeners();
  try {
    await listeners.listen(endpoints, handler);
  } catch (err) {
    await listeners.close();
    throw err;
  }

  const pgLoad =
    options.load?.postgres === false
      ? undefined
      : new PgLoad(sim.model, clock, log, (t) => `odoo-${pidFor(sim, t.tenant.cluster, t.index)}`);
  const redisLoad = options.load?.redis === false ? undefined : new RedisLoad(sim.model, log);
  await Promise.all([pgLoad?.start(), redisLoad?.start()]);

  let lastBackupRefresh = startMs;
  let scenarioWasActive = false;
  const tick = () => {
    try {
      const now = clock.now();
      const second = Math.floor(now / 1000);
      if (second - sim.playedUntilSecond > MAX_CATCH_UP_SECONDS) {
        log.warn({ skippedSeconds: second - sim.playedUntilSecond }, 'simulator: clock leapt forward; skipping ahead');
        sim.skipTo(second - 1);
      }
      sim.advanceTo(second);
      flushLogs();
      pgLoad?.tick(tickRequests, now);
      redisLoad?.tick(tickRequests, now);
      tickRequests.clear();
      if (now - lastBackupRefresh >= BACKUP_REFRESH_MS) {
        backups.refresh(now);
        lastBackupRefresh = now;
      }
      const active = scenarioActive(plan, now);
      if (active !== scenarioWasActive) {
        log.info({ scenario: plan.name, tenant: plan.tenant?.id }, active ? 'simulator: scenario started' : 'simulator: scenario ended');
        scenarioWasActive = active;
      }
    } catch (err) {
      log.error({ err }, 'simulator: tick failed');
    }
  };
  const interval = setInterval(tick, TICK_MS);
  log.info(
    { scenario: plan.name, tenant: plan.tenant?.id, start: isoSeconds(plan.startMs), end: isoSeconds(plan.endMs) },
    'simulator: running',
  );

  let stopping: Promise<void> | undefined;
  return {
    urls: endpoints.flatMap((e) => e.urls),
    stop: () =>
      (stopping ??= (async () => {
        clearInterval(interval);
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        await listeners.close();
        await Promise.all([pgLoad?.stop(), redisLoad?.stop()]);
        flushLogs();
      })()),
  };
}

/** A tenant's connections carry the pid of one of its cluster's HTTP workers, as Odoo's do. */
function pidFor(sim: Simulation, clusterId: string, index: number): number {
  const pids = sim.processesOf(clusterId)?.httpPids() ?? [1];
  return pids[index % pids.length] as number;
}

/** A real request the ingress answered, as a model event: Odoo logs it unless it was a 502. */
function hitEvent(hit: IngressHit): RequestEvent {
  const sql = hit.code === 502 || hit.withoutDatabase ? 0 : hit.seconds * 0.3;
  return {
    kind: 'request',
    ms: hit.ms,
    tenant: hit.tenant,
    method: hit.method,
    path: hit.path,
    protocol: 'http',
    addr: hit.addr,
    ...(hit.withoutDatabase && { database: '?' }),
    odoo:
      hit.code === 502
        ? undefined
        : {
            status: hit.code,
            queryCount: hit.withoutDatabase ? 0 : 6,
            sqlSeconds: sql,
            otherSeconds: Math.max(0, hit.seconds * 0.9 - sql),
            traceback: undefined,
            killed: false,
            gevent: false,
          },
    ingress: { code: hit.code, seconds: hit.seconds, requestBytes: 0, responseBytes: hit.responseBytes },
    workerPick: (hit.ms % 997) / 997,
    memoryPick: 1,
  };
}
