import type { Logger } from '../core/logger';
import type { Pool } from '../storage/db';
import { applyRetention, planRetention, type PartitionFate, type RetentionMonths } from '../storage/retention';
import { evidenceKeptFromMs } from '../sla/freeze';

/**
 * Partition retention as the daily maintenance job and `tenantscope retention` run it: the plan
 * of services/storage/retention.ts under the SLA's floor (no evidence of a month still to be
 * frozen or re-checked goes, services/sla/freeze.ts), then, unless only asked what would go,
 * the drops, each logged. Idempotent: a re-run after an interruption finishes the job.
 */
export interface PartitionRetentionDeps {
  pool: Pool;
  retentionMonths: RetentionMonths;
  graceHours: number;
}

export async function planPartitionRetention(deps: PartitionRetentionDeps, nowMs: number): Promise<PartitionFate[]> {
  return planRetention(deps.pool, deps.retentionMonths, nowMs, evidenceKeptFromMs(nowMs, deps.graceHours));
}

/** Drops what the plan says goes; returns the whole plan and what was dropped. */
export async function runPartitionRetention(
  deps: PartitionRetentionDeps,
  nowMs: number,
  log: Logger,
): Promise<{ plan: PartitionFate[]; dropped: PartitionFate[] }> {
  const plan = await planPartitionRetention(deps, nowMs);
  const dropped = await applyRetention(deps.pool, plan, (f) =>
    log.info(
      { partition: f.partition, table: f.table, class: f.class, month: f.month, bytes: f.bytes, reason: f.reason },
      'partition dropped',
    ),
  );
  return { plan, dropped };
}
