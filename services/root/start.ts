import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { buildApi } from '../api/app';
import { loadSigningKey } from '../auth/signing-key';
import { systemClock, type Clock } from '../core/clock';
import { CollectorRunner } from '../../collectors/runner';
import { listTargets } from '../../collectors/targets';
import type { Settings } from '../config/env';
import type { Fleet } from '../config/fleet-types';
import type { Logger } from '../core/logger';
import { createMetricsRegistry } from '../metrics/registry';
import { createRedis } from '../queue/queues';
import { CollectScheduler } from '../queue/scheduler';
import { CollectWorker } from '../queue/worker';
import { SlaScheduler, SlaWorker } from '../queue/sla-queue';
import { NoisyScheduler, NoisyWorker } from '../queue/noisy-queue';
import { MaintenanceScheduler, MaintenanceWorker } from '../queue/maintenance-queue';
import { detectorFactory } from '../noisy/detector-port';
import { createPool, type Pool } from '../storage/db';
import { syncFleet } from '../config/fleet-store';
import { migrate } from '../storage/migrate';
import { PartitionKeeper } from '../storage/partitions';

export type Role = 'all' | 'api' | 'worker' | 'scheduler';
export const ROLES: readonly Role[] = ['all', 'api', 'worker', 'scheduler'];

export interface Running {
  /** Where the API listens, when this process serves it. */
  url?: string;
  /** Drains running jobs, closes servers and pools. Resolves within `graceMs` plus a little. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * The composition root: wires storage, collectors, queue and API for one process and role.
 * Every role migrates (under the advisory lock) and syncs the fleet, so any start order works.
 */
export async function startProcess(opts: { settings: Settings; fleet: Fleet; role: Role; log: Logger; clock?: Clock }): Promise<Running> {
  const { settings, fleet, role, log } = opts;
  const clock = opts.clock ?? systemClock;
  const pool: Pool = createPool(settings.databaseUrl, 10, `tenantscope-${role}`, (err) =>
    log.warn({ err }, 'idle database connection lost'),
  );
  const redisClients: Redis[] = [];
  const redis = () => {
    const client = createRedis(settings.redisUrl);
    client.on('error', (err) => log.warn({ err }, 'redis connection error'));
    redisClients.push(client);
    return client;
  };
  let api: FastifyInstance | undefined;
  let worker: CollectWorker | undefined;
  let scheduler: CollectScheduler | undefined;
  let slaScheduler: SlaScheduler | undefined;
  let slaWorker: SlaWorker | undefined;
  let noisyScheduler: NoisyScheduler | undefined;
  let noisyWorker: NoisyWorker | undefined;
  let maintenanceScheduler: MaintenanceScheduler | undefined;
  let maintenanceWorker: MaintenanceWorker | undefined;
  let runner: CollectorRunner | undefined;
  // Each step has a bound, so a stuck job or connection cannot hold the process past SIGTERM's budget.
  const stop = async (graceMs = 7_000) => {
    await within(1_000, api?.close());
    // all workers drain at once: SIGTERM's 10 s hold one grace period, not several
    await within(
      graceMs + 1_000,
      Promise.all([worker?.close(graceMs), slaWorker?.close(graceMs), noisyWorker?.close(graceMs), maintenanceWorker?.close(graceMs)]),
    );
    await within(500, scheduler?.close());
    await within(500, slaScheduler?.close());
    await within(500, noisyScheduler?.close());
    await within(500, maintenanceScheduler?.close());
    await within(500, runner?.close());
    await within(500, Promise.all(redisClients.map((c) => c.quit().catch(() => c.disconnect()))));
    redisClients.forEach((c) => c.disconnect());
    await within(500, pool.end());
  };
  try {
    await migrate(pool, log);
    await syncFleet(pool, fleet, new Date(clock.now()));
    const targets = listTargets(fleet);
    if (role === 'all' || role === 'scheduler') {
      scheduler = new CollectScheduler(redis(), settings.queuePrefix, log);
      await scheduler.sync(targets);
      slaScheduler = new SlaScheduler(redis(), settings.queuePrefix);
      await slaScheduler.sync();
      noisyScheduler = new NoisyScheduler(redis(), settings.queuePrefix);
      await noisyScheduler.sync();
      maintenanceScheduler = new MaintenanceScheduler(redis(), settings.queuePrefix);
      await maintenanceScheduler.sync();
    }
    const signingKey = loadSigningKey(settings.signingKeyFile);
    const reports = { db: pool, fleet, clock, signingKey, graceHours: settings.slaGraceHours };
    if (role === 'all' || role === 'worker') {
      runner = new CollectorRunner({
        pool,
        partitions: new PartitionKeeper(pool),
        fleet,
        clock,
        log,
        timeoutSeconds: settings.collectorTimeoutSeconds,
      });
      worker = new CollectWorker(redis(), settings.queuePrefix, settings.workerConcurrency, runner, log);
      if (signingKey === null) log.warn('no TENANTSCOPE_SIGNING_KEY_FILE: frozen SLA reports are stored unsigned');
      slaWorker = new SlaWorker(redis(), settings.queuePrefix, { pool, fleet, clock, signingKey, graceHours: settings.slaGraceHours }, log);
      noisyWorker = new NoisyWorker(
        redis(),
        settings.queuePrefix,
        { pool, fleet, clock, partitions: new PartitionKeeper(pool), detector: detectorFactory(fleet.noisy) },
        log,
      );
      maintenanceWorker = new MaintenanceWorker(
        redis(),
        settings.queuePrefix,
        { pool, clock, collectorRunRetentionDays: settings.collectorRunRetentionDays },
        log,
      );
    }
    let url: string | undefined;
    if (role === 'all' || role === 'api') {
      const probeRedis = createRedis(settings.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
      probeRedis.on('error', () => undefined); // reported through /readyz
      redisClients.push(probeRedis);
      api = await buildApi({
        log,
        metrics: createMetricsRegistry(pool, buildInfo(settings.revision), log),
        readiness: [
          { name: 'postgres', check: async () => void (await pool.query('SELECT 1')) },
          { name: 'redis', check: async () => void (await probeRedis.ping()) },
        ],
        ingest: { pool, partitions: new PartitionKeeper(pool), fleet, clock, log },
        api: { pool, reports },
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
