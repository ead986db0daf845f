/**
 * Every metric name tenantscope publishes on /metrics, histograms by their series names. The
 * dashboards and alert rules may read only these, and each must be registered by the service
 * (dashboards/dashboards.test.ts, test/alert-rules.test.ts): renaming a metric in the
 * service fails the tests until this list, the dashboards and the alerts follow.
 */
export const METRIC_NAMES = [
  'tenantscope_build_info',
  'tenantscope_metrics_store_up',

  'tenantscope_collector_success',
  'tenantscope_collector_duration_seconds',
  'tenantscope_collector_last_run_timestamp_seconds',
  'tenantscope_collector_rejected_records_total',

  'tenantscope_tenant_info',

  'tenantscope_odoo_requests_total',
  'tenantscope_odoo_request_duration_seconds_bucket',
  'tenantscope_odoo_request_duration_seconds_sum',
  'tenantscope_odoo_request_duration_seconds_count',
  'tenantscope_odoo_sql_seconds_total',
  'tenantscope_odoo_python_seconds_total',
  'tenantscope_odoo_queries_total',
  'tenantscope_odoo_worker_events_total',
  'tenantscope_odoo_tenant_worker_events_total',
  'tenantscope_odoo_cron_runs_total',
  'tenantscope_odoo_cron_starts_total',
  'tenantscope_odoo_cron_seconds_total',
  'tenantscope_odoo_cron_timed_runs_total',
  'tenantscope_odoo_jobs_read_success',
  'tenantscope_odoo_cron_active_jobs',
  'tenantscope_odoo_cron_overdue_jobs',
  'tenantscope_odoo_cron_oldest_overdue_seconds',
  'tenantscope_odoo_queue_jobs',
  'tenantscope_odoo_queue_oldest_pending_seconds',

  'tenantscope_probe_success',
  'tenantscope_probe_duration_seconds',
  'tenantscope_probe_last_timestamp_seconds',
  'tenantscope_probes_total',

  'tenantscope_pg_active_seconds_total',
  'tenantscope_pg_active_time_seconds_total',
  'tenantscope_pg_activity_samples_total',
  'tenantscope_pg_backends',
  'tenantscope_pg_block_read_time_seconds_total',
  'tenantscope_pg_block_write_time_seconds_total',
  'tenantscope_pg_blocks_hit_total',
  'tenantscope_pg_blocks_read_total',
  'tenantscope_pg_checkpoints_total',
  'tenantscope_pg_checksum_failures_total',
  'tenantscope_pg_conflicts_total',
  'tenantscope_pg_connections',
  'tenantscope_pg_database_size_age_seconds',
  'tenantscope_pg_database_size_bytes',
  'tenantscope_pg_deadlocks_total',
  'tenantscope_pg_idle_in_transaction_oldest_seconds',
  'tenantscope_pg_idle_in_transaction_seconds_total',
  'tenantscope_pg_idle_in_transaction_time_seconds_total',
  'tenantscope_pg_in_recovery',
  'tenantscope_pg_lock_wait_caused_seconds_total',
  'tenantscope_pg_lock_wait_suffered_seconds_total',
  'tenantscope_pg_locks',
  'tenantscope_pg_max_connections',
  'tenantscope_pg_recovery_conflicts_total',
  'tenantscope_pg_replication_lag_bytes',
  'tenantscope_pg_replication_lag_seconds',
  'tenantscope_pg_replication_slot_active',
  'tenantscope_pg_replication_slot_retained_bytes',
  'tenantscope_pg_replication_slot_safe_wal_size_bytes',
  'tenantscope_pg_replication_slot_wal_status',
  'tenantscope_pg_server_version_num',
  'tenantscope_pg_session_time_seconds_total',
  'tenantscope_pg_sessions_ended_total',
  'tenantscope_pg_sessions_total',
  'tenantscope_pg_statement_calls_total',
  'tenantscope_pg_statement_exec_seconds_total',
  'tenantscope_pg_statement_rows_total',
  'tenantscope_pg_stats_reset_timestamp_seconds',
  'tenantscope_pg_temp_bytes_total',
  'tenantscope_pg_temp_files_total',
  'tenantscope_pg_transactions_total',
  'tenantscope_pg_tuples_total',
  'tenantscope_pg_wait_seconds_total',

  'tenantscope_backup_last_success_timestamp_seconds',
  'tenantscope_backup_age_seconds',
  'tenantscope_backup_wal_archive_last_timestamp_seconds',
  'tenantscope_backup_stanza_status',
  'tenantscope_backup_repo_status',
  'tenantscope_tenant_backup_age_seconds',
  'tenantscope_tenant_backup_last_success_timestamp_seconds',
  'tenantscope_backup_failures_total',
  'tenantscope_restore_test_last_duration_seconds',
  'tenantscope_restore_test_last_success',

  'tenantscope_sli_minutes_total',
  'tenantscope_sla_availability_ratio',
  'tenantscope_sla_error_budget_remaining_minutes',
  'tenantscope_sla_error_budget_remaining_ratio',
  'tenantscope_sla_target_ratio',
  'tenantscope_sla_counted_until_timestamp_seconds',
  'tenantscope_sla_affordable_outage_minutes',
  'tenantscope_sla_month_minutes_to_come',
  'tenantscope_rpo_exposure_seconds',

  'tenantscope_ingress_requests_total',
  'tenantscope_ingress_request_duration_seconds_bucket',
  'tenantscope_ingress_request_duration_seconds_sum',
  'tenantscope_ingress_request_duration_seconds_count',
  'tenantscope_ingress_response_bytes_total',
  'tenantscope_ingress_request_bytes_total',
  'tenantscope_ingress_unmapped_requests_total',

  'tenantscope_redis_memory_used_bytes',
  'tenantscope_redis_memory_rss_bytes',
  'tenantscope_redis_memory_max_bytes',
  'tenantscope_redis_memory_fragmentation_ratio',
  'tenantscope_redis_ops_per_second',
  'tenantscope_redis_connected_clients',
  'tenantscope_redis_blocked_clients',
  'tenantscope_redis_max_clients',
  'tenantscope_redis_unattributed_clients',
  'tenantscope_redis_uptime_seconds',
  'tenantscope_redis_connected_replicas',
  'tenantscope_redis_replication_offset_bytes',
  'tenantscope_redis_replica_applied_offset_bytes',
  'tenantscope_redis_commands_processed_total',
  'tenantscope_redis_connections_received_total',
  'tenantscope_redis_rejected_connections_total',
  'tenantscope_redis_expired_keys_total',
  'tenantscope_redis_evicted_keys_total',
  'tenantscope_redis_keyspace_hits_total',
  'tenantscope_redis_keyspace_misses_total',
  'tenantscope_redis_stats_resets_total',
  'tenantscope_redis_last_sample_timestamp_seconds',
  'tenantscope_redis_instance_info',
  'tenantscope_redis_master_link_up',
  'tenantscope_redis_replica_offset_bytes',
  'tenantscope_redis_replica_lag_seconds',
  'tenantscope_redis_db_keys',
  'tenantscope_redis_db_keys_expiring',
  'tenantscope_redis_db_avg_ttl_seconds',
  'tenantscope_redis_tenant_clients',
  'tenantscope_redis_tenant_client_memory_bytes',
  'tenantscope_redis_tenant_keys',
  'tenantscope_redis_tenant_commands_total',

  'tenantscope_noisy_neighbour_active',
  'tenantscope_tenant_resource_share',
  'tenantscope_tenant_resource_usage_total',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression reads: the identifiers left once strings, label
 * matchers, ranges, label lists and Grafana variables are removed, that are neither a function
 * call nor a keyword. Enough for the expressions of our dashboards and alerts, not a parser.
 */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\$\{?\w+\}?/g, '');
  const names: string[] = [];
  for (const match of bare.matchAll(/[A-Za-z_:][\w:]*/g)) {
    const word = match[0];
    const before = bare[match.index - 1] ?? '';
    const after = bare.slice(match.index + word.length).trimStart();
    if (/[\d.]/.test(before)) continue; // 1e3, 5m
    if (after.startsWith('(') || KEYWORDS.has(word.toLowerCase())) continue;
    names.push(word);
  }
  return names;
}
