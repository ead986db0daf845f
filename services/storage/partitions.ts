import { DateTime } from 'luxon';
import type { Pool } from './db';
import { LOCK, lockForTransaction } from './locks';

/** Tables partitioned by UTC month. */
export const MONTHLY_TABLES = [
  'tenant_minute',
  'odoo_worker_event_minute',
  'odoo_tenant_event_minute',
  'redis_minute',
  'redis_tenant_minute',
  'ingress_minute',
  'pg_tenant_minute',
  'backup_job',
  'recovery_point',
  'tenant_resource_minute',
  'cluster_resource_minute',
  'sla_minute',
  'postgres_unreachable',
] as const;
export type MonthlyTable = (typeof MONTHLY_TABLES)[number];

/**
 * Makes sure the monthly partitions holding `instants` exist, in a short transaction of its own
 * under an advisory lock (concurrent CREATE ... PARTITION OF would collide). Remembers what it
 * made so the hot path asks PostgreSQL once per month and process.
 */
export class PartitionKeeper {
  private readonly known = new Set<string>();

  constructor(private readonly pool: Pool) {}

  async ensure(table: MonthlyTable, instants: Iterable<number>): Promise<void> {
    const missing = new Map<string, string>();
    for (const ms of instants) {
      const month = DateTime.fromMillis(ms, { zone: 'utc' }).startOf('month');
      const key = `${table}/${month.toFormat('yyyy-MM')}`;
      if (!this.known.has(key)) missing.set(key, month.toISO() as string);
    }
    if (missing.size === 0) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await lockForTransaction(client, LOCK.partition);
      for (const at of missing.values()) {
        await client.query('SELECT tenantscope_ensure_month_partition($1, $2)', [table, at]);
      }
      await client.query('COMMIT');
      for (const key of missing.keys()) this.known.add(key);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
