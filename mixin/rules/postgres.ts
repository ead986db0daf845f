import { config } from '../config';
import { alertName, type RuleGroup, spoken, words, withTier } from '../rule';

const pg = config.postgres;

/** The shared PostgreSQL of each cluster (collectors/postgres). Cluster series carry no tenant. */
export const postgresRules: RuleGroup = {
  name: 'postgres',
  comment:
    'The shared PostgreSQL server of each cluster (collectors/postgres). `max by` drops job and instance when two tenantscope processes are scraped.',
  rules: [
    {
      alert: alertName('PgReplicationLag'),
      comment: 'replay_lag: how far behind a read or failover on the standby is. Absent while PostgreSQL reports NULL (an idle primary).',
      expr: `max by (cluster, standby) (tenantscope_pg_replication_lag_seconds{kind="replay"}) > ${pg.replicationLagSeconds}`,
      for: pg.replicationLagFor,
      severity: 'warning',
      summary: 'A PostgreSQL standby replays far behind its primary.',
      description:
        'Standby {{ $labels.standby }} of cluster {{ $labels.cluster }} replays {{ $value | humanizeDuration }} behind the primary: a failover now would lose or wait for that much.',
    },
    {
      alert: alertName('PgReplicationSlotRetainingWal'),
      comment: 'A slot whose consumer lags or is gone keeps WAL on the primary until the disk fills.',
      expr: `max by (cluster, slot, slot_type) (tenantscope_pg_replication_slot_retained_bytes) > ${pg.slotRetainedBytes}`,
      for: pg.slotRetainedFor,
      severity: 'warning',
      summary: 'A PostgreSQL replication slot holds back a lot of WAL.',
      description:
        'Replication slot {{ $labels.slot }} ({{ $labels.slot_type }}) of cluster {{ $labels.cluster }} retains {{ $value | humanize1024 }}B of WAL on the primary.',
    },
    {
      alert: alertName('PgReplicationSlotInactive'),
      expr: 'max by (cluster, slot, slot_type) (tenantscope_pg_replication_slot_active) == 0',
      for: pg.slotInactiveFor,
      severity: 'warning',
      summary: 'A PostgreSQL replication slot has no consumer.',
      description: `Nothing has streamed from replication slot {{ $labels.slot }} ({{ $labels.slot_type }}) of cluster {{ $labels.cluster }} for ${spoken(pg.slotInactiveFor)}: it keeps every WAL segment from its restart point.`,
    },
    {
      alert: alertName('PgConnectionsNearMax'),
      expr: `max by (cluster) (tenantscope_pg_connections)\n  / max by (cluster) (tenantscope_pg_max_connections)\n> ${pg.connectionsRatio}`,
      for: pg.connectionsFor,
      severity: 'warning',
      summary: 'A PostgreSQL server is close to max_connections.',
      description:
        'Cluster {{ $labels.cluster }} uses {{ $value | humanizePercentage }} of its PostgreSQL max_connections: new connections of every tenant will soon be refused.',
    },
    {
      alert: alertName('PgLockContention'),
      comment: words(
        'Named for the blocking tenant: tenantscope_pg_lock_wait_caused_seconds_total counts the backend-seconds statements (any tenant) waited on',
        `locks this tenant held. ${pg.lockCausedPerSecond} per second is one backend kept waiting all the time.`,
      ),
      expr: withTier(
        `(\n  sum by (tenant, cluster) (rate(tenantscope_pg_lock_wait_caused_seconds_total[5m])) > ${pg.lockCausedPerSecond}\n)`,
      ),
      for: pg.lockFor,
      severity: 'warning',
      summary: "A tenant's locks keep other statements waiting.",
      description:
        'Statements on cluster {{ $labels.cluster }} wait {{ printf "%.2f" $value }} backend-seconds per second on locks held by tenant {{ $labels.tenant }} ({{ $labels.tier }} tier), the blocking tenant.',
    },
    {
      alert: alertName('PgIdleInTransaction'),
      comment: 'A transaction left open holds its locks and stops vacuum from cleaning what it still sees.',
      expr: withTier(
        `(\n  max by (tenant, cluster) (tenantscope_pg_idle_in_transaction_oldest_seconds) > ${pg.idleInTransactionSeconds}\n)`,
      ),
      for: pg.idleInTransactionFor,
      severity: 'warning',
      summary: 'A tenant has a transaction left idle for long.',
      description:
        'Tenant {{ $labels.tenant }} ({{ $labels.tier }} tier, cluster {{ $labels.cluster }}) has had a transaction idle in transaction for {{ $value | humanizeDuration }}.',
    },
  ],
};
