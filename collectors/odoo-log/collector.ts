import * as odooLog from './read';
import type { Fleet } from '../../services/config/fleet-types';
import { advanceCheckpoint, readCheckpoint } from '../lib/checkpoint-store';
import { claimRun } from '../lib/collector-store';
import { withTransaction, type Client } from '../../services/storage/db';
import { addOdooEvents, loadWorkerDb } from './store';
import { addMinuteRows } from '../lib/tenant-minute-store';
import type { CollectorDefinition, CollectorTarget, IngestDeps, RunContext, RunOutcome } from '../lib/collector';
import { OdooRollupBuilder, type OdooRollup } from './rollup';
import { succeededRun } from '../lib/run-record';
import { storableRecords } from './storable';
import { Rejections } from '../lib/rejections';
import { acceptedRange } from '../lib/accepted-range';

export interface LogTarget extends CollectorTarget {
  collector: 'odoo-log';
  file: string;
  zone: string;
}

export const odooLogCollector: CollectorDefinition<LogTarget> = {
  name: odooLog.name,
  targets: (fleet: Fleet) =>
    Object.values(fleet.clusters).flatMap((cluster) =>
      (cluster.odoo?.logFiles ?? []).map((file) => ({
        collector: 'odoo-log' as const,
        target: file,
        intervalSeconds: cluster.odoo!.intervalSeconds,
        cluster: cluster.id,
        file,
        zone: cluster.odoo!.logTimezone,
      })),
    ),
  run: (deps, target, context) => ingestOdooLog(deps, target, context),
};

/**
 * Reads what was appended to one Odoo log since its checkpoint and adds it to the tenants' and
 * the cluster's minutes. Rollups and the new checkpoint commit together; a run that finds the
 * checkpoint moved by another worker writes nothing.
 */
export async function ingestOdooLog(deps: IngestDeps, target: LogTarget, run: RunContext): Promise<RunOutcome> {
  const before = await readCheckpoint(deps.pool, target.collector, target.target);
  const builder = await startRollup(deps, target.cluster, target.target);
  const range = acceptedRange(deps.clock.now());
  const rejections = new Rejections();
  let records = 0;
  // records go into the rollup as each piece of the file is read, so no run holds all of them
  const batch = await odooLog.collect(
    { file: target.file, zone: target.zone, now: deps.clock.now(), ...(before && { checkpoint: before }), signal: run.signal },
    (read) => {
      const storable = storableRecords(read, range);
      rejections.addAll(storable.rejections);
      records += storable.records.length;
      builder.add(storable.records);
    },
  );
  rejections.addAll(batch.rejections);
  const rollup = await ensurePartitions(deps, builder.result());
  // a run the runner abandoned at its timeout (already recorded as failed) stores nothing
  run.signal.throwIfAborted();
  const finishedAt = new Date(deps.clock.now());
  const applied = await withTransaction(deps.pool, async (client) => {
    const moved = await advanceCheckpoint(client, target.collector, target.target, before, batch.checkpoint, finishedAt, batch.more);
    if (!moved) return false;
    await storeRollup(client, target.target, rollup);
    await claimRun(client, succeededRun(target.collector, target.target, run, finishedAt, records, rejections));
    return true;
  });
  return {
    records: applied ? records : 0,
    rejected: applied ? rejections.total : 0,
    duplicate: !applied,
    unattributed: rollup.unattributed,
  };
}

/** A rollup of one log source to feed records into, knowing what each pid named before them. */
export async function startRollup(deps: IngestDeps, clusterId: string, source: string): Promise<OdooRollupBuilder> {
  const tenantByDb = new Map(deps.fleet.tenants.filter((t) => t.cluster === clusterId).map((t) => [t.database, t.id]));
  return new OdooRollupBuilder(clusterId, tenantByDb, await loadWorkerDb(deps.pool, source));
}

/** Makes the monthly partitions a rollup's minutes need (each in a short transaction of its own). */
export async function ensurePartitions(deps: IngestDeps, rollup: OdooRollup): Promise<OdooRollup> {
  await deps.partitions.ensure(
    'tenant_minute',
    rollup.requests.map((r) => r.minute),
  );
  await deps.partitions.ensure(
    'odoo_worker_event_minute',
    rollup.clusterEvents.map((r) => r.minute),
  );
  await deps.partitions.ensure(
    'odoo_tenant_event_minute',
    rollup.tenantEvents.map((r) => r.minute),
  );
  return rollup;
}

/** Writes a rollup inside the caller's transaction. */
export async function storeRollup(client: Client, source: string, rollup: OdooRollup): Promise<void> {
  await addMinuteRows(client, rollup.requests);
  await addOdooEvents(client, source, rollup);
}
