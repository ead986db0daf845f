import type { Queryable } from '../../services/storage/db';
import type { Clock } from '../../services/core/clock';
import { ACTIVE_TENANTS, CLUSTERS } from '../../services/config/fleet-store';

/** What /metrics reads of the PostgreSQL collector's tables (migrations/0005). Gauges are fresh against the scrape's clock, so simulated and replayed time work alike. */

export type Row = Record<string, unknown>;

export interface PostgresSnapshot {
  totals: Row[];
  waits: Row[];
  states: Row[];
  clusters: Row[];
  standbys: Row[];
  slots: Row[];
  statements: Row[];
}

const ACTIVE_TENANT = `JOIN ${ACTIVE_TENANTS} tenant ON tenant.id = x.tenant_id`;
const LOAD = {
  totals: `SELECT x.*, tenant.cluster_id FROM pg_tenant_total x ${ACTIVE_TENANT} ORDER BY x.tenant_id`,
  waits: `SELECT x.*, tenant.cluster_id FROM pg_tenant_wait_total x ${ACTIVE_TENANT} ORDER BY x.tenant_id, x.wait_event_type`,
  states: `SELECT x.tenant_id, tenant.cluster_id,
            CASE WHEN x.fresh_until > $1 THEN x.backends END AS backends,
            CASE WHEN x.fresh_until > $1 THEN x.idle_in_transaction_oldest_seconds END AS idle_in_transaction_oldest_seconds,
            CASE WHEN x.size_fresh_until > $1 THEN x.size_bytes END AS size_bytes,
            CASE WHEN x.size_fresh_until > $1 THEN greatest(0, extract(epoch FROM $1 - x.size_sampled_at))::float8 END AS size_age_seconds,
            CASE WHEN x.stats_fresh_until > $1 THEN x.locks END AS locks,
            CASE WHEN x.stats_fresh_until > $1 THEN extract(epoch FROM x.stats_reset)::float8 END AS stats_reset_seconds
           FROM pg_tenant_state x ${ACTIVE_TENANT} ORDER BY x.tenant_id`,
  clusters: `SELECT c.id AS cluster_id, s.connections, s.max_connections, s.server_version_num, s.in_recovery::int AS in_recovery,
              t.checkpoints_timed, t.checkpoints_requested
             FROM ${CLUSTERS} c LEFT JOIN pg_cluster_state s ON s.cluster_id = c.id AND s.fresh_until > $1
             LEFT JOIN pg_cluster_total t ON t.cluster_id = c.id
             WHERE s.cluster_id IS NOT NULL OR t.cluster_id IS NOT NULL ORDER BY c.id`,
  standbys: 'SELECT * FROM pg_replication_state WHERE fresh_until > $1 ORDER BY cluster_id, standby',
  slots: 'SELECT *, active::int AS active_value FROM pg_replication_slot_state WHERE fresh_until > $1 ORDER BY cluster_id, slot_name',
  statements: `SELECT x.*, tenant.cluster_id FROM pg_statement_state x ${ACTIVE_TENANT} WHERE x.fresh_until > $1 ORDER BY x.tenant_id, x.queryid`,
};

/** Gauges are fresh against the scrape's clock, so simulated and replayed time work alike. */
export async function readPostgresSnapshot(db: Queryable, clock: Clock): Promise<PostgresSnapshot> {
  const now = new Date(clock.now());
  const [totals, waits, states, clusters, standbys, slots, statements] = await Promise.all(
    Object.values(LOAD).map((sql) => db.query(sql, sql.includes('$1') ? [now] : [])),
  );
  return {
    totals: totals!.rows,
    waits: waits!.rows,
    states: states!.rows,
    clusters: clusters!.rows,
    standbys: standbys!.rows,
    slots: slots!.rows,
    statements: statements!.rows,
  };
}
