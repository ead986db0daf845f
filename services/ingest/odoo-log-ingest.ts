import * as odooLog from '../../collectors/odoo-log';
import type { Fleet } from '../config/fleet-types';
import { codeClass, isHeldRequest, bucketIndex, MinuteRollup } from './minute-rollup';
import { advanceCheckpoint, readCheckpoint } from '../storage/checkpoint-store';
import { claimRun } from '../storage/collector-store';
import { succeededRun } from './run-record';
import { withTransaction } from '../storage/db';
import { addMinuteRows } from '../storage/tenant-minute-store';
import type { CollectorDefinition, CollectorTarget, IngestDeps, RunContext, RunOutcome } from '../collect/run-types';

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
 * Reads what was appended to one Odoo log since its checkpoint and adds it to the tenants'
 * minutes. Rollups and the new checkpoint commit together; a run that finds the checkpoint
 * moved by another worker writes nothing.
 */
export async function ingestOdooLog(deps: IngestDeps, target: LogTarget, run: RunContext): Promise<RunOutcome> {
  const before = await readCheckpoint(deps.pool, target.collector, target.target);
  const batch = await odooLog.collect({ file: target.file, zone: target.zone, ...(before && { checkpoint: before }) });
  const tenantByDb = new Map(deps.fleet.tenants.filter((t) => t.cluster === target.cluster).map((t) => [t.database, t.id]));
  const rollup = new MinuteRollup();
  let unattributed = 0;
  for (const record of batch.records) {
    if (record.type !== 'request') continue;
    const tenantId = record.db === null ? undefined : tenantByDb.get(record.db);
    if (!tenantId) {
      if (record.db !== null) unattributed += 1;
      continue;
    }
    const minute = rollup.odoo(tenantId, record.ts);
    minute.requests[codeClass(record.status)] += 1;
    if (isHeldRequest(record.path)) {
      minute.held += 1;
      continue;
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
  const rows = rollup.all();
  await deps.partitions.ensure('tenant_minute', rows.map((r) => r.minute));
  const finishedAt = new Date(deps.clock.now());
  const applied = await withTransaction(deps.pool, async (client) => {
    const moved = await advanceCheckpoint(client, target.collector, target.target, before, batch.checkpoint, finishedAt);
    if (!moved) return false;
    await addMinuteRows(client, rows);
    await claimRun(client, succeededRun(target.collector, target.target, run, finishedAt, batch.records.length, batch.rejected));
    return true;
  });
  return { records: applied ? batch.records.length : 0, rejected: applied ? batch.rejected : 0, duplicate: !applied, unattributed };
}
