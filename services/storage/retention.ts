import { DateTime } from 'luxon';
import type { Pool } from './db';
import { LOCK, tryLockForSession, unlockForSession } from './locks';
import { MONTHLY_TABLES, type MonthlyTable } from './partitions';

/**
 * Retention of the monthly partitions (issue #13): a partition goes, whole, when its month is
 * older than its table class keeps and it ends before `protectedFromMs` (the caller's floor: the
 * SLA's months still to be frozen or re-checked, services/sla/freeze.ts evidenceKeptFromMs).
 * Reports (sla_report) are not partitioned and never go. Domain-free: tables and months only.
 *
 * Dropping is detach-then-drop, each partition on its own: DETACH ... CONCURRENTLY (it cannot
 * run in a transaction, and does not block writers of the other months), then DROP TABLE. An
 * interruption leaves either a partition whose detach is pending (the next run FINALIZEs it) or
 * a detached table under the partition's name (the next run finds it by name and drops it), so a
 * re-run always finishes the job.
 */
export const RETENTION_CLASSES = {
  /** Per-source samples (PostgreSQL, Redis, worker lifecycle) that attribution already summarised. */
  'raw-samples': ['pg_tenant_minute', 'redis_minute', 'redis_tenant_minute', 'odoo_worker_event_minute'],
  /** The per-tenant minute rollups the SLA classifies and the usage reports read. */
  'minute-rollups': ['tenant_minute', 'ingress_minute', 'odoo_tenant_event_minute'],
  /** Classified SLA minutes and the sparse SLA evidence (outages, backups, recovery points). */
  'sla-minutes': ['sla_minute', 'postgres_unreachable', 'backup_job', 'recovery_point'],
  /** The noisy-neighbour attribution per tenant and cluster. */
  'noisy-attribution': ['tenant_resource_minute', 'cluster_resource_minute'],
} as const satisfies Record<string, readonly MonthlyTable[]>;
export type RetentionClass = keyof typeof RETENTION_CLASSES;
export const RETENTION_CLASS_NAMES = Object.keys(RETENTION_CLASSES) as RetentionClass[];

/** Whole months kept before the current one, per class. */
export type RetentionMonths = Record<RetentionClass, number>;

export interface PartitionFate {
  class: RetentionClass;
  table: MonthlyTable;
  partition: string;
  /** UTC month, YYYY-MM. */
  month: string;
  bytes: number;
  /** 'attached', 'detach-pending' (an interrupted detach) or 'detached' (dropping was interrupted). */
  state: 'attached' | 'detach-pending' | 'detached';
  drop: boolean;
  /** Why it goes or why it stays, for the operator. */
  reason: string;
}

const PARTITIONS = `SELECT c.relname AS partition, p.relname AS parent, i.inhdetachpending AS pending, pg_total_relation_size(c.oid)::int8 AS bytes
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
  LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
  LEFT JOIN pg_class p ON p.oid = i.inhparent
  WHERE c.relkind = 'r' AND c.relname ~ '_y[0-9]{4}m[0-9]{2}$'
  ORDER BY c.relname`;

const NAME = /^(.+)_y(\d{4})m(\d{2})$/;

/** Every monthly partition (and leftover detached one) with what retention does to it and why. */
export async function planRetention(db: Pool, keep: RetentionMonths, nowMs: number, protectedFromMs: number): Promise<PartitionFate[]> {
  const classOf = new Map<string, RetentionClass>();
  for (const name of RETENTION_CLASS_NAMES) for (const t of RETENTION_CLASSES[name]) classOf.set(t, name);
  const thisMonth = DateTime.fromMillis(nowMs, { zone: 'utc' }).startOf('month');
  const floor = DateTime.fromMillis(protectedFromMs, { zone: 'utc' });
  const { rows } = await db.query<{ partition: string; parent: string | null; pending: boolean | null; bytes: string }>(PARTITIONS);
  const out: PartitionFate[] = [];
  for (const r of rows) {
    const m = NAME.exec(r.partition);
    const table = m?.[1] as MonthlyTable | undefined;
    if (!m || !table || !(MONTHLY_TABLES as readonly string[]).includes(table)) continue;
    if (r.parent !== null && r.parent !== table) continue; // a partition of some other table that happens to share the name pattern
    const cls = classOf.get(table)!;
    const start = DateTime.utc(Number(m[2]), Number(m[3]), 1);
    const end = start.plus({ months: 1 });
    const keptFrom = thisMonth.minus({ months: keep[cls] });
    const state = r.parent === null ? 'detached' : r.pending ? 'detach-pending' : 'attached';
    const month = start.toFormat('yyyy-MM');
    let drop = false;
    let reason: string;
    if (end > keptFrom) reason = `within retention: ${cls} keeps ${keep[cls]} months, so months from ${keptFrom.toFormat('yyyy-MM')} stay`;
    else if (end > floor)
      reason = `past retention but protected: evidence of SLA months not yet frozen plus grace and recheck (kept from ${floor.toFormat('yyyy-MM-dd')})`;
    else {
      drop = true;
      reason = `older than ${keep[cls]} months of ${cls}${state === 'attached' ? '' : ` (${state}: an earlier run was interrupted)`}`;
    }
    out.push({ class: cls, table, partition: r.partition, month, bytes: Number(r.bytes), state, drop, reason });
  }
  return out.sort((a, b) => a.class.localeCompare(b.class) || a.table.localeCompare(b.table) || a.month.localeCompare(b.month));
}

/** Thrown when another process is applying retention right now. */
export class RetentionBusyError extends Error {}

/**
 * Drops the partitions the plan marks, each detached CONCURRENTLY (or FINALIZEd) then dropped,
 * under a session advisory lock so two runs never race. `onDropped` hears of each as it goes.
 * Returns the partitions dropped.
 */
export async function applyRetention(
  pool: Pool,
  plan: readonly PartitionFate[],
  onDropped: (fate: PartitionFate) => void = () => undefined,
): Promise<PartitionFate[]> {
  const client = await pool.connect();
  try {
    if (!(await tryLockForSession(client, LOCK.retention)))
      throw new RetentionBusyError('another process is applying retention; try again when it has finished');
    const dropped: PartitionFate[] = [];
    try {
      for (const fate of plan) {
        if (!fate.drop) continue;
        const [table, part] = [quoteIdent(fate.table), quoteIdent(fate.partition)];
        // what the partition is now, not what the plan saw: a concurrent or earlier run may have moved it on
        const now = await client.query<{ pending: boolean }>(
          'SELECT i.inhdetachpending AS pending FROM pg_inherits i WHERE i.inhrelid = to_regclass($1)',
          [fate.partition],
        );
        if (now.rows[0]?.pending === false) await client.query(`ALTER TABLE ${table} DETACH PARTITION ${part} CONCURRENTLY`);
        else if (now.rows[0]?.pending === true) await client.query(`ALTER TABLE ${table} DETACH PARTITION ${part} FINALIZE`);
        await client.query(`DROP TABLE IF EXISTS ${part}`);
        dropped.push(fate);
        onDropped(fate);
      }
    } finally {
      await unlockForSession(client, LOCK.retention);
    }
    return dropped;
  } finally {
    client.release();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
