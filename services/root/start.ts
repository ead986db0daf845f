import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { CollectorRunner } from '../../collectors/runner';
import { listTargets } from '../../collectors/targets';
import { forgetOtherStatuses } from '../../collectors/lib/collector-store';
import { buildApi } from '../api/app';
import { syncFleet } from '../config/fleet-store';
import { createMetricsRegistry } from '../metrics/registry';
import { detectorFactory } from '../noisy/detector-port';
import type { JobWorker } from '../queue/job-worker';
import { MaintenanceScheduler, maintenanceWorker } from '../queue/maintenance-queue';
import { NoisyScheduler, noisyWorker } from '../queue/noisy-queue';
import { createRedis } from '../queue/queues';
import { CollectScheduler } from '../queue/scheduler';
import { ScheduleKeeper, type KeptSchedules } from '../queue/schedule-keeper';
import { SlaScheduler, slaWorker } from '../queue/sla-queue';
import { collectWorker } from '../queue/worker';
import { createReservedPool, type Pool } from '../storage/db';
import { migrate } from '../storage/migrate';
import { withPassword } from '../core/secret';
import type { FleetContext } from './context';

/** Connections reserved for /metrics: its group loads run in parallel, a few at a time. */
const METRICS_CONNECTIONS = 3;

export type Role = 'all' | 'api' | 'worker' | 'scheduler';
export const ROLES: readonly Role[] = ['all', 'api', 'worker', 'scheduler'];

export interface Running {
  /** Where the API listens, when this process serves it. */
  url?: string;
  /** Drains running jobs, closes servers and pools. Resolves within `graceMs` plus a little. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * The composition root: wires storage, collectors, queue and API for one process and role, over
 * the shared context and its fleet (services/root/context.ts). Every role migrates (under the advisory lock)
 * and syncs the fleet, so any start order works.
 */
export async function startProcess(context: FleetContext, role: Role): Promise<Running> {
  const { settings, fleet, log, clock, pool, partitions, signingKey } = context;
  const redisClients: Redis[] = [];
  // the password given by file joins the URL only here, as each client connects
  const redisUrl = withPassword(settings.redisUrl, settings.redisPassword);
  const redis = () => {
    const client = createRedis(redisUrl, {}, log);
    redisClients.push(client);
    return client;
  };
  const workers: Pick<JobWorker, 'close'>[] = [];
  const schedulers: { close(): Promise<void> }[] = [];
  let api: FastifyInstance | undefined;
  let runner: CollectorRunner | undefined;
  let metricsPool: Pool | undefined;
  // Each step has a bound, so a stuck job or connection cannot hold the process past SIGTERM's budget.
  const stop = async (graceMs = 7_000) => {
    await within(1_000, api?.close());
    // all workers drain at once: SIGTERM's 10 s hold one grace period, not several
    await within(graceMs + 1_000, Promise.all(workers.map((w) => w.close(graceMs))));
    for (const s of schedulers) await within(500, s.close());
    await within(500, runner?.close());
    await within(500, Promise.all(redisClients.map((c) => c.quit().catch(() => c.disconnect()))));
    redisClients.forEach((c) => c.disconnect());
    await within(500, metricsPool?.end());
    await within(500, context.close());
  };
  try {
    await migrate(pool, log);
    await syncFleet(pool, fleet, new Date(clock.now()));
    const targets = listTargets(fleet);
    const prefix = settings.queuePrefix;
    if (role === 'all' || role === 'scheduler') {
      const collectRedis = redis();
      const collect = new CollectScheduler(collectRedis, prefix, log);
      schedulers.push(collect);
      await collect.sync(targets);
      const kept: KeptSchedules[] = [{ name: 'collect', missing: () => collect.missing(), sync: () => collect.sync(targets) }];
      // the scheduler owns what is collected: outcomes of targets it no longer schedules go too
      for (const gone of await forgetOtherStatuses(pool, targets))
        log.info({ collector: gone.collector, target: gone.target }, 'collector status removed: target left the fleet file');
      for (const interval of [
        new SlaScheduler(redis(), prefix),
        new NoisyScheduler(redis(), prefix),
        new MaintenanceScheduler(redis(), prefix),
      ]) {
        schedulers.push(interval);
        await interval.sync();
        kept.push({ name: interval.queueName, missing: () => interval.missing(), sync: () => interval.sync() });
      }
      // Redis may come back without them (restarted without persistence, a failover)
      const keeper = new ScheduleKeeper(kept, log);
      keeper.start();
      collectRedis.on('ready', () => void keeper.check());
      schedulers.unshift({ close: () => keeper.stop() });
    }
    const reports = { db: pool, fleet, clock, signingKey, graceHours: settings.slaGraceHours };
    if (role === 'all' || role === 'worker') {
      runner = new CollectorRunner({ pool, partitions, fleet, clock, log, timeoutSeconds: settings.collectorTimeoutSeconds });
      if (signingKey === null) log.warn('no TENANTSCOPE_SIGNING_KEY_FILE: frozen SLA reports are stored unsigned');
      workers.push(
        collectWorker(redis(), prefix, settings.workerConcurrency, runner, log),
        slaWorker(redis(), prefix, { pool, fleet, clock, signingKey, graceHours: settings.slaGraceHours, partitions }, log),
        noisyWorker(redis(), prefix, { pool, fleet, clock, partitions, detector: detectorFactory(fleet.noisy) }, log),
        maintenanceWorker(
          redis(),
          prefix,
          {
            pool,
            clock,
            collectorRunRetentionDays: settings.collectorRunRetentionDays,
            retentionMonths: settings.retentionMonths,
            graceHours: settings.slaGraceHours,
          },
          log,
        ),
      );
    }
    let url: string | undefined;
    if (role === 'all' || role === 'api') {
      // its errors are reported through /readyz
      const probeRedis = createRedis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
      redisClients.push(probeRedis);
      // /metrics reads on connections of its own, opened now, so a server out of connections
      // (another client took them) cannot take its per-tenant series away
      metricsPool = await createReservedPool(
        withPassword(settings.databaseUrl, settings.databasePassword),
        METRICS_CONNECTIONS,
        'tenantscope-metrics',
        (err) => log.warn({ err }, 'idle metrics connection lost'),
      );
      api = await buildApi({
        log,
        metrics: createMetricsRegistry(metricsPool, buildInfo(settings.revision), log, clock, { tenantNames: settings.metricsTenantNames }),
        readiness: [
          { name: 'postgres', check: async () => void (await pool.query('SELECT 1')) },
          { name: 'redis', check: async () => void (await probeRedis.ping()) },
        ],
        ingest: { pool, partitions, fleet, clock, log },
        api: { pool, reports },
        limits: {
          perAddressPerMinute: settings.rateLimitPerAddress,
          perTokenPerMinute: settings.rateLimitPerToken,
          concurrentPushes: settings.pushConcurrency,
          pushReadSeconds: settings.pushReadSeconds,
        },
        ...(settings.metricsAuth && { metricsAuth: settings.metricsAuth }),
      });
      url = await api.listen({ host: settings.listen.host, port: settings.listen.port });
    }
    log.info({ url, tenants: fleet.tenants.length, targets: targets.length }, 'tenantscope started');
    return { ...(url !== undefined && { url }), stop };
  } catch (err) {
    await stop(1_000);
    throw err;
  }
}

function buildInfo(revision: string): { version: string; revision: string } {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return { version: pkg.version, revision };
}

/** Waits for `work` at most `ms`; a rejection or a timeout both just end the wait. */
async function within(ms: number, work: Promise<unknown> | undefined): Promise<void> {
  if (!work) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
