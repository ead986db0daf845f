import type { Pool } from '../../services/storage/db';

/**
 * A fleet of `n` tenants over 10 clusters, and one row per tenant in every table /metrics reads
 * per tenant, as the collectors would leave them after a while: the shape of a production scrape.
 */
export function metricsFleetYaml(n: number, clusters = 10): string {
  const lines = ['clusters:'];
  for (let c = 0; c < clusters; c++) lines.push(`  c${c}:`, '    timezone: UTC');
  lines.push('tenants:');
  const tiers = ['standard', 'business', 'mission'];
  for (let i = 0; i < n; i++) {
    lines.push(
      `  - id: t${i}`,
      `    name: Tenant ${i}`,
      `    cluster: c${i % clusters}`,
      `    tier: ${tiers[i % 3]}`,
      `    hosts: [t${i}.bench.test]`,
      '    monthlyFee: {amount: "500.00", currency: EUR}',
    );
  }
  return `${lines.join('\n')}\n`;
}

const BOUNDS = '{0.1,0.3,1.2,5}';

/** Fills the per-tenant state tables for the tenants in `ids`, fresh against `now`. */
export async function seedMetricsRows(pool: Pool, ids: readonly string[], clusterOf: (id: string) => string, now: Date): Promise<void> {
  const clusters = ids.map(clusterOf);
  const p = [ids, clusters, now];
  const from = `unnest($1::text[], $2::text[]) AS u(t, c)`;
  const statements = [
    `INSERT INTO tenant_total (tenant_id, odoo_requests_2xx, odoo_requests_3xx, odoo_requests_4xx, odoo_requests_5xx, odoo_requests_other,
       odoo_requests_held, odoo_queries, odoo_sql_seconds, odoo_python_seconds, odoo_duration_counts, odoo_duration_sum,
       probes_ok, probes_failed, seen_odoo, seen_probe)
     SELECT t, 9000 + length(t), 40, 30, 2, 1, 0, 120000, 310.5, 901.25, '{100,50,20,5,1}', 812.5, 1440, 3, true, true FROM ${from}`,
    `INSERT INTO probe_state (tenant_id, probed_at, ok, duration_seconds) SELECT t, $3, true, 0.12 FROM ${from}`,
    `INSERT INTO pg_tenant_total (tenant_id, activity_samples, active_seconds, idle_in_transaction_seconds, lock_wait_suffered_seconds,
       lock_wait_caused_seconds, xact_commit, xact_rollback, blks_read, blks_hit, tup_returned, tup_fetched, tup_inserted, tup_updated,
       tup_deleted, conflicts, temp_files, temp_bytes, deadlocks, blk_read_time_seconds, blk_write_time_seconds, session_time_seconds,
       active_time_seconds, idle_in_transaction_time_seconds, sessions, sessions_abandoned, sessions_fatal, sessions_killed)
     SELECT t, 5000, 12.5, 1.5, 0.25, 0.5, 70000, 12, 4000, 990000, 5000000, 800000, 3000, 2000, 100, 0, 4, 65536, 0, 1.5, 0.5,
       86400, 300.5, 12.25, 800, 1, 0, 0 FROM ${from}`,
    `INSERT INTO pg_tenant_wait_total (tenant_id, wait_event_type, seconds)
     SELECT t, w, 1.5 FROM ${from}, unnest(ARRAY['Lock', 'IO', 'LWLock']) AS w`,
    `INSERT INTO pg_tenant_state (tenant_id, sampled_at, fresh_until, backends, idle_in_transaction_oldest_seconds, size_bytes,
       size_sampled_at, size_fresh_until)
     SELECT t, $3, $3::timestamptz + interval '1 hour', '{"active": 2, "idle": 5, "idle in transaction": 1}', 3.5, 123456789,
       $3, $3::timestamptz + interval '1 hour' FROM ${from}`,
    `INSERT INTO redis_tenant_state (tenant_id, cluster_id, sampled_at, clients, client_memory_bytes, keys, commands_total)
     SELECT t, c, $3, 4, 81920, 1500, 250000 FROM ${from}`,
    `INSERT INTO ingress_total (tenant_id, requests_1xx, requests_2xx, requests_3xx, requests_4xx, requests_5xx, requests_aborted,
       requests_other, request_bytes, response_bytes, duration_bounds, duration_counts, duration_sum, duration_count)
     SELECT t, 0, 9000, 50, 40, 3, 1, 0, 1048576, 99000000, '${BOUNDS}', '{5000,8000,9000,9090}', 2500.5, 9094 FROM ${from}`,
    `INSERT INTO odoo_tenant_event_total (tenant_id, worker_max_request, worker_memory_limit, worker_timeout_kill, cron_starts, cron_done,
       cron_failed, cron_timed_runs, cron_seconds)
     SELECT t, 3, 1, 0, 1440, 1438, 2, 1440, 3600.5 FROM ${from}`,
    `INSERT INTO backup_job_state (tenant_id, kind, ok_total, failed_total, last_ok_started_at, last_ok_finished_at, last_finished_at,
       last_started_at, last_status, last_bytes)
     SELECT t, k, 30, 1, $3::timestamptz - interval '2 hours', $3::timestamptz - interval '1 hour', $3::timestamptz - interval '1 hour',
       $3::timestamptz - interval '2 hours', 'ok', 1000000 FROM ${from}, unnest(ARRAY['backup', 'restore-test']) AS k`,
    `INSERT INTO recovery_point_latest (cluster_id, tenant_id, source, observed_at, recoverable_at)
     SELECT c, t, 'dump', $3, $3::timestamptz - interval '1 hour' FROM ${from}`,
    `INSERT INTO sla_minute_total (tenant_id, good, bad, nodata, excluded, counted_until)
     SELECT t, 40000, 12, 30, 60, date_trunc('minute', $3::timestamptz) FROM ${from}`,
    `INSERT INTO sla_minute_month (tenant_id, month, good, bad, nodata, excluded)
     SELECT t, to_char($3::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM'), 6000, 2, 5, 0 FROM ${from}`,
    `INSERT INTO tenant_resource_total (tenant_id, resource, cluster_id, usage)
     SELECT t, r, c, 12345.5 FROM ${from}, unnest(ARRAY['pg_active', 'redis_clients', 'requests']) AS r`,
  ];
  for (const sql of statements) await pool.query(sql, sql.includes('$3') ? p : p.slice(0, 2));
}
