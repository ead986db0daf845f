import * as odooProbe from './read';
import type { CollectorDefinition, CollectorTarget, IngestDeps, RunContext, RunOutcome } from '../lib/collector';
import type { Fleet, Password, Tenant } from '../../services/config/fleet-types';
import { withPassword } from '../../services/core/secret';
import { claimRun } from '../lib/collector-store';
import { withTransaction } from '../../services/storage/db';
import { addMinuteRows } from '../lib/tenant-minute-store';
import { MinuteRollup } from '../lib/minute-rollup';
import { succeededRun } from '../lib/run-record';
import { Rejections } from '../lib/rejections';
import { storeLatestProbe } from './store';

export interface ProbeTarget extends CollectorTarget {
  collector: 'odoo-probe';
  tenant: Tenant;
  /** The ingress, as written in the fleet file: never shown; the target id is the tenant's host. */
  url: string;
  password?: Password;
  path: string;
  timeoutSeconds: number;
}

export const odooProbeCollector: CollectorDefinition<ProbeTarget> = {
  name: odooProbe.name,
  targets: (fleet: Fleet) =>
    fleet.tenants.flatMap((tenant) => {
      const probe = fleet.clusters[tenant.cluster]?.probe;
      if (!probe) return [];
      // the first host is the tenant's primary address; probing one is enough to see the tenant
      const host = tenant.hosts[0] as string;
      return [
        {
          collector: 'odoo-probe' as const,
          target: host,
          intervalSeconds: probe.intervalSeconds,
          cluster: tenant.cluster,
          tenant,
          url: probe.url,
          ...(probe.password && { password: probe.password }),
          path: probe.path,
          timeoutSeconds: probe.timeoutSeconds,
        },
      ];
    }),
  run: (deps, target, context) => ingestProbe(deps, target, context),
};

/**
 * Probes one tenant and stores the result under the run's key: a duplicated job probes again
 * but writes nothing, so a minute never holds a probe twice.
 */
export async function ingestProbe(deps: IngestDeps, target: ProbeTarget, run: RunContext): Promise<RunOutcome> {
  const result = await odooProbe.collect({
    url: withPassword(target.url, target.password),
    path: target.path,
    host: target.target,
    timeoutSeconds: target.timeoutSeconds,
    now: () => deps.clock.now(),
    signal: run.signal,
  });
  const rollup = new MinuteRollup();
  const minute = rollup.probe(target.tenant.id, result.ts);
  if (result.ok) minute.ok += 1;
  else minute.failed += 1;
  minute.secondsSum += result.durationSeconds;
  const rows = rollup.all();
  await deps.partitions.ensure(
    'tenant_minute',
    rows.map((r) => r.minute),
  );
  // a run the runner abandoned at its timeout (already recorded as failed) stores nothing
  run.signal.throwIfAborted();
  const finishedAt = new Date(deps.clock.now());
  const applied = await withTransaction(deps.pool, async (client) => {
    const claimed = await claimRun(client, succeededRun(target.collector, target.target, run, finishedAt, 1, new Rejections()));
    if (!claimed) return false;
    await addMinuteRows(client, rows);
    await storeLatestProbe(client, {
      tenant: target.tenant.id,
      at: new Date(result.ts),
      ok: result.ok,
      durationSeconds: result.durationSeconds,
      reason: result.reason === 'status' ? `status ${result.status}` : result.reason,
    });
    return true;
  });
  return { records: applied ? 1 : 0, rejected: 0, duplicate: !applied };
}
