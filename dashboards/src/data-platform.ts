import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as units from '@grafana/grafana-foundation-sdk/units';
import { addPanels, labelVariable, okFailTimeline, prometheusQuery, redFrom, tenantscopeDashboard, timeseries } from './common';

// The shared data platform under the tenants, per cluster: PostgreSQL (connections, replication,
// slots, checkpoints, temp files), Redis (memory, clients, evictions, replication) and backups
// (age, WAL archive, stanza health, restore tests).

export const UID = 'tenantscope-data-platform';

const C = 'cluster=~"$cluster"';
const rate = (expr: string) => `rate(${expr}[$__rate_interval])`;
const dashed = () => new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed);

export function dataPlatform(): dashboard.DashboardBuilder {
  const builder = tenantscopeDashboard(
    UID,
    'tenantscope / Data platform',
    'PostgreSQL, Redis and backups of each cluster: the shared services every tenant depends on.',
  ).withVariable(labelVariable('cluster', 'Cluster', 'label_values(tenantscope_pg_max_connections, cluster)'));

  return addPanels(builder, [
    new dashboard.RowBuilder('PostgreSQL'),
    timeseries('Connections', 'Backends of the server against max_connections.', units.Short)
      .withTarget(prometheusQuery(`max by (cluster) (tenantscope_pg_connections{${C}})`, '{{cluster}} connections'))
      .withTarget(prometheusQuery(`max by (cluster) (tenantscope_pg_max_connections{${C}})`, '{{cluster}} max_connections', 'B'))
      .span(8)
      .height(8),
    timeseries('Replication lag', 'How far each standby is behind, seconds (write, flush, replay).', units.Seconds)
      .withTarget(
        prometheusQuery(
          `max by (cluster, standby, kind) (tenantscope_pg_replication_lag_seconds{${C}})`,
          '{{cluster}} {{standby}} {{kind}}',
        ),
      )
      .span(8)
      .height(8),
    timeseries('Replication lag, bytes', 'WAL each standby has not yet replayed (or written, flushed), bytes.', units.BytesIEC)
      .withTarget(
        prometheusQuery(`max by (cluster, standby, kind) (tenantscope_pg_replication_lag_bytes{${C}})`, '{{cluster}} {{standby}} {{kind}}'),
      )
      .span(8)
      .height(8),
    timeseries(
      'WAL retained by slots',
      'WAL each replication slot keeps on disk: an inactive slot keeps it until the disk fills.',
      units.BytesIEC,
    )
      .withTarget(prometheusQuery(`max by (cluster, slot) (tenantscope_pg_replication_slot_retained_bytes{${C}})`, '{{cluster}} {{slot}}'))
      .span(8)
      .height(8),
    okFailTimeline('Slots active', 'Whether a consumer is attached to each replication slot.', 'active', 'inactive')
      .withTarget(prometheusQuery(`max by (cluster, slot) (tenantscope_pg_replication_slot_active{${C}})`, '{{cluster}} {{slot}}'))
      .span(8)
      .height(8),
    timeseries('Checkpoints', 'Checkpoints per hour, timed and requested: many requested ones mean max_wal_size is too small.', units.Short)
      .withTarget(prometheusQuery(`sum by (cluster, kind) (increase(tenantscope_pg_checkpoints_total{${C}}[1h]))`, '{{cluster}} {{kind}}'))
      .span(8)
      .height(8),
    timeseries(
      'Temporary files',
      'Bytes per second written to temporary files by queries whose sorts and hashes outgrew work_mem, all tenants.',
      units.BytesPerSecondIEC,
    )
      .withTarget(prometheusQuery(`sum by (cluster) (${rate(`tenantscope_pg_temp_bytes_total{${C}}`)})`, '{{cluster}}'))
      .span(8)
      .height(8),
    timeseries('Lock waits and deadlocks', 'Lock-wait seconds per second suffered across tenants, and deadlocks per hour.', units.Short)
      .withTarget(
        prometheusQuery(
          `sum by (cluster) (${rate(`tenantscope_pg_lock_wait_suffered_seconds_total{${C}}`)})`,
          '{{cluster}} lock wait (s/s)',
        ),
      )
      .withTarget(
        prometheusQuery(`sum by (cluster) (increase(tenantscope_pg_deadlocks_total{${C}}[1h]))`, '{{cluster}} deadlocks per hour', 'B'),
      )
      .span(8)
      .height(8),
    timeseries('Transactions', 'Commits and rollbacks per second, all tenant databases.', units.OpsPerSecond)
      .withTarget(
        prometheusQuery(`sum by (cluster, result) (${rate(`tenantscope_pg_transactions_total{${C}}`)})`, '{{cluster}} {{result}}'),
      )
      .span(8)
      .height(8),

    new dashboard.RowBuilder('Redis'),
    timeseries('Memory', 'Memory used against maxmemory (absent when unlimited).', units.BytesIEC)
      .withTarget(prometheusQuery(`max by (cluster) (tenantscope_redis_memory_used_bytes{${C}})`, '{{cluster}} used'))
      .withTarget(prometheusQuery(`max by (cluster) (tenantscope_redis_memory_max_bytes{${C}} > 0)`, '{{cluster}} max', 'B'))
      .span(8)
      .height(8),
    timeseries('Fragmentation', 'RSS over used memory: far above 1.5 the allocator wastes memory, below 1 Redis is swapping.', units.Short)
      .withTarget(prometheusQuery(`max by (cluster) (tenantscope_redis_memory_fragmentation_ratio{${C}})`, '{{cluster}}'))
      .thresholds(redFrom(1.5))
      .thresholdsStyle(dashed())
      .span(8)
      .height(8),
    timeseries('Operations', 'Commands per second.', units.OpsPerSecond)
      .withTarget(prometheusQuery(`max by (cluster) (tenantscope_redis_ops_per_second{${C}})`, '{{cluster}}'))
      .span(8)
      .height(8),
    timeseries('Clients', 'Connected and blocked clients against maxclients.', units.Short)
      .withTarget(prometheusQuery(`max by (cluster) (tenantscope_redis_connected_clients{${C}})`, '{{cluster}} connected'))
      .withTarget(prometheusQuery(`max by (cluster) (tenantscope_redis_blocked_clients{${C}})`, '{{cluster}} blocked', 'B'))
      .withTarget(prometheusQuery(`max by (cluster) (tenantscope_redis_max_clients{${C}})`, '{{cluster}} maxclients', 'C'))
      .span(8)
      .height(8),
    timeseries('Evictions and rejected connections', 'Keys evicted for memory and connections refused, per second.', units.OpsPerSecond)
      .withTarget(prometheusQuery(`sum by (cluster) (${rate(`tenantscope_redis_evicted_keys_total{${C}}`)})`, '{{cluster}} evicted'))
      .withTarget(
        prometheusQuery(`sum by (cluster) (${rate(`tenantscope_redis_rejected_connections_total{${C}}`)})`, '{{cluster}} rejected', 'B'),
      )
      .span(8)
      .height(8),
    timeseries('Replication', "Replicas connected, and each replica's lag behind the primary.", units.Seconds)
      .withTarget(prometheusQuery(`max by (cluster, replica) (tenantscope_redis_replica_lag_seconds{${C}})`, '{{cluster}} {{replica}} lag'))
      .withTarget(prometheusQuery(`max by (cluster) (tenantscope_redis_connected_replicas{${C}})`, '{{cluster}} replicas', 'B'))
      .span(8)
      .height(8),

    new dashboard.RowBuilder('Backups'),
    timeseries('Backup age', "Now minus each cluster's newest recoverable point (last good backup, or WAL archive reach).", units.Seconds)
      .withTarget(prometheusQuery(`max by (cluster) (tenantscope_backup_age_seconds{${C}})`, '{{cluster}}'))
      .span(8)
      .height(8),
    timeseries(
      'WAL archive reach',
      'Seconds since the newest archived WAL segment: a stalled archive stops point-in-time recovery there.',
      units.Seconds,
    )
      .withTarget(prometheusQuery(`max by (cluster) (time() - tenantscope_backup_wal_archive_last_timestamp_seconds{${C}})`, '{{cluster}}'))
      .span(8)
      .height(8),
    okFailTimeline('Stanza status', "pgBackRest's status of each stanza (ok or an error code).", 'ok', 'error')
      .withTarget(prometheusQuery(`max by (cluster, stanza) (tenantscope_backup_stanza_status{${C}} == bool 0)`, '{{cluster}} {{stanza}}'))
      .span(8)
      .height(8),
    timeseries('Backup and restore-test failures', 'Failed dump and restore-test jobs per day, all tenants of the cluster.', units.Short)
      .withTarget(prometheusQuery(`sum by (cluster, kind) (increase(tenantscope_backup_failures_total{${C}}[1d]))`, '{{cluster}} {{kind}}'))
      .span(12)
      .height(8),
    timeseries('Restore tests', "Duration of each tenant's last restore test: the evidence for its RTO.", units.Seconds)
      .withTarget(prometheusQuery(`max by (cluster, tenant) (tenantscope_restore_test_last_duration_seconds{${C}})`, '{{tenant}}'))
      .span(12)
      .height(8),
  ]);
}
