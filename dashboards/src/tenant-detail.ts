import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as units from '@grafana/grafana-foundation-sdk/units';
import { config } from '../../mixin/config';
import { DATASOURCE, addPanels, greenFrom, okFailTimeline, prometheusQuery, stat, tenantscopeDashboard, timeseries } from './common';

// Everything tenantscope knows of one tenant, from the SLA month down to its database, Redis,
// backups and its part in noisy-neighbour incidents: the page an SRE opens when a customer asks
// "why is it slow for us?".

export const UID = 'tenantscope-tenant-detail';

const T = 'tenant="$tenant"';
const rate = (expr: string) => `rate(${expr}[$__rate_interval])`;

function tenantVariable(): dashboard.QueryVariableBuilder {
  const query = 'label_values(tenantscope_tenant_info, tenant)';
  return new dashboard.QueryVariableBuilder('tenant')
    .label('Tenant')
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc);
}

export function tenantDetail(): dashboard.DashboardBuilder {
  const builder = tenantscopeDashboard(
    UID,
    'tenantscope / Tenant detail',
    "One tenant: its SLA month to date, its requests and latency, where its workers' time goes, its database, Redis and backups, and whether it hurt or suffered from a neighbour.",
  ).withVariable(tenantVariable());

  return addPanels(builder, [
    new dashboard.RowBuilder('SLA, month to date'),
    stat(
      'Availability',
      "Good minutes over measured minutes of the tenant's SLA month so far; red below its tier's target.",
      units.PercentUnit,
    )
      .withTarget(prometheusQuery(`max(tenantscope_sla_availability_ratio{${T}})`, 'availability'))
      .decimals(3)
      .span(6)
      .height(4),
    stat('Target', "The tier's availability target.", units.PercentUnit)
      .withTarget(prometheusQuery(`max(tenantscope_sla_target_ratio{${T}})`, 'target'))
      .decimals(3)
      .span(6)
      .height(4),
    stat('Error budget left', 'Minutes of outage the month can still take before it misses its target.', units.Minutes)
      .withTarget(prometheusQuery(`max(tenantscope_sla_error_budget_remaining_minutes{${T}})`, 'left'))
      .thresholds(greenFrom(60))
      .span(6)
      .height(4),
    stat(
      'Outage minutes to the next credit',
      'Outage minutes the rest of the month can have before the nearest credit step applies; -1: a credit applies whatever happens.',
      units.Minutes,
    )
      .withTarget(
        prometheusQuery(
          `min(tenantscope_sla_affordable_outage_minutes{${T}} >= 0) or min(tenantscope_sla_affordable_outage_minutes{${T}})`,
          'minutes',
        ),
      )
      .thresholds(greenFrom(config.slo.creditImminentMinutes))
      .span(6)
      .height(4),
    timeseries(
      'Minutes by state',
      'Minutes classified as they closed: good, bad, nodata (no evidence), excluded (maintenance).',
      units.Short,
    )
      .withTarget(prometheusQuery(`sum by (state) (increase(tenantscope_sli_minutes_total{${T}}[$__interval]))`, '{{state}}'))
      .drawStyle(common.GraphDrawStyle.Bars)
      .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
      .span(24)
      .height(7),

    new dashboard.RowBuilder('Requests'),
    timeseries('Odoo requests', 'Requests Odoo logged for the tenant, per second, by status class.', units.RequestsPerSecond)
      .withTarget(prometheusQuery(`sum by (code_class) (${rate(`tenantscope_odoo_requests_total{${T}}`)})`, '{{code_class}}'))
      .span(12)
      .height(8),
    timeseries(
      'Ingress requests',
      'Requests Traefik routed to the tenant, per second, by status class (aborted: the client left).',
      units.RequestsPerSecond,
    )
      .withTarget(prometheusQuery(`sum by (code_class) (${rate(`tenantscope_ingress_requests_total{${T}}`)})`, '{{code_class}}'))
      .span(12)
      .height(8),
    timeseries('Latency', 'Odoo request duration (SQL + Python) at the 50th and 95th percentiles, and at the ingress.', units.Seconds)
      .withTarget(
        prometheusQuery(
          `histogram_quantile(0.5, sum by (le) (${rate(`tenantscope_odoo_request_duration_seconds_bucket{${T}}`)}))`,
          'Odoo p50',
        ),
      )
      .withTarget(
        prometheusQuery(
          `histogram_quantile(0.95, sum by (le) (${rate(`tenantscope_odoo_request_duration_seconds_bucket{${T}}`)}))`,
          'Odoo p95',
          'B',
        ),
      )
      .withTarget(
        prometheusQuery(
          `histogram_quantile(0.95, sum by (le) (${rate(`tenantscope_ingress_request_duration_seconds_bucket{${T}}`)}))`,
          'ingress p95',
          'C',
        ),
      )
      .span(12)
      .height(8),
    okFailTimeline('Probes', "Whether the tenant's login page answered through the ingress.", 'up', 'down')
      .withTarget(prometheusQuery(`max(tenantscope_probe_success{${T}})`, 'probe'))
      .span(12)
      .height(4),
    timeseries('Probe duration', 'How long the last probe took.', units.Seconds)
      .withTarget(prometheusQuery(`max(tenantscope_probe_duration_seconds{${T}})`, 'probe'))
      .span(12)
      .height(4),

    new dashboard.RowBuilder('Odoo workers and jobs'),
    timeseries(
      'Worker time',
      "Seconds per second the tenant's requests spent in SQL and in Python: its load on the Odoo workers.",
      units.Seconds,
    )
      .withTarget(prometheusQuery(`sum(${rate(`tenantscope_odoo_sql_seconds_total{${T}}`)})`, 'SQL'))
      .withTarget(prometheusQuery(`sum(${rate(`tenantscope_odoo_python_seconds_total{${T}}`)})`, 'Python', 'B'))
      .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
      .span(12)
      .height(8),
    timeseries('Worker recycles, limit kills and crashes', 'Worker events attributed to the tenant, by event, per hour.', units.Short)
      .withTarget(prometheusQuery(`sum by (event) (increase(tenantscope_odoo_tenant_worker_events_total{${T}}[1h]))`, '{{event}}'))
      .span(12)
      .height(8),
    timeseries('Cron runs', 'Scheduled action runs that ended, by result, per hour.', units.Short)
      .withTarget(prometheusQuery(`sum by (result) (increase(tenantscope_odoo_cron_runs_total{${T}}[1h]))`, '{{result}}'))
      .span(12)
      .height(8),
    timeseries('Job backlogs', 'Overdue scheduled actions and OCA queue jobs by state, read from the tenant database.', units.Short)
      .withTarget(prometheusQuery(`max(tenantscope_odoo_cron_overdue_jobs{${T}})`, 'overdue cron'))
      .withTarget(
        prometheusQuery(
          `max by (state) (tenantscope_odoo_queue_jobs{${T}, state=~"pending|enqueued|started|failed"})`,
          'queue {{state}}',
          'B',
        ),
      )
      .span(12)
      .height(8),

    new dashboard.RowBuilder('PostgreSQL'),
    timeseries('Backends', "Client backends of the tenant's database by state.", units.Short)
      .withTarget(prometheusQuery(`max by (state) (tenantscope_pg_backends{${T}})`, '{{state}}'))
      .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
      .span(8)
      .height(8),
    timeseries(
      'Active and waiting',
      'Backend-seconds per second the tenant was active on CPU, and waiting by wait event type.',
      units.Seconds,
    )
      .withTarget(prometheusQuery(`sum(${rate(`tenantscope_pg_active_seconds_total{${T}}`)})`, 'active'))
      .withTarget(
        prometheusQuery(`sum by (wait_event_type) (${rate(`tenantscope_pg_wait_seconds_total{${T}}`)})`, 'wait {{wait_event_type}}', 'B'),
      )
      .span(8)
      .height(8),
    timeseries(
      'Locks',
      'Seconds per second of lock waits the tenant suffered, and caused to others (holding the blocking lock).',
      units.Seconds,
    )
      .withTarget(prometheusQuery(`sum(${rate(`tenantscope_pg_lock_wait_suffered_seconds_total{${T}}`)})`, 'suffered'))
      .withTarget(prometheusQuery(`sum(${rate(`tenantscope_pg_lock_wait_caused_seconds_total{${T}}`)})`, 'caused', 'B'))
      .span(8)
      .height(8),
    timeseries(
      'Idle in transaction',
      'Age of the oldest transaction left idle in transaction: it holds locks and stops VACUUM.',
      units.Seconds,
    )
      .withTarget(prometheusQuery(`max(tenantscope_pg_idle_in_transaction_oldest_seconds{${T}})`, 'oldest'))
      .span(8)
      .height(8),
    timeseries('Database size', 'pg_database_size() of the tenant database.', units.BytesIEC)
      .withTarget(prometheusQuery(`max(tenantscope_pg_database_size_bytes{${T}})`, 'size'))
      .span(8)
      .height(8),
    timeseries('Database growth', 'Growth of the database size, bytes per day, fitted over the last day.', units.BytesIEC)
      .withTarget(prometheusQuery(`max(deriv(tenantscope_pg_database_size_bytes{${T}}[1d])) * 86400`, 'per day'))
      .span(8)
      .height(8),

    new dashboard.RowBuilder('Redis and shares'),
    timeseries('Redis clients', "The tenant's Redis clients and the memory their buffers take.", units.Short)
      .withTarget(prometheusQuery(`max(tenantscope_redis_tenant_clients{${T}})`, 'clients'))
      .withTarget(prometheusQuery(`max(tenantscope_redis_tenant_client_memory_bytes{${T}})`, 'client memory (bytes)', 'B'))
      .span(8)
      .height(8),
    timeseries('Redis commands', "Commands per second of the tenant's clients.", units.OpsPerSecond)
      .withTarget(prometheusQuery(`sum(${rate(`tenantscope_redis_tenant_commands_total{${T}}`)})`, 'commands'))
      .span(8)
      .height(8),
    timeseries('Share of the cluster', "The tenant's share of each shared resource of its cluster, minute by minute.", units.PercentUnit)
      .withTarget(prometheusQuery(`max by (resource) (tenantscope_tenant_resource_share{${T}})`, '{{resource}}'))
      .max(1)
      .span(8)
      .height(8),
    okFailTimeline(
      'Noisy-neighbour involvement',
      'Open confirmed incidents naming the tenant, by resource and role (antagonist: it hurts others; victim: it suffers).',
      'none',
      'named',
    )
      .withTarget(prometheusQuery(`1 - max by (resource, role) (tenantscope_noisy_neighbour_active{${T}})`, '{{role}} on {{resource}}'))
      .span(24)
      .height(5),

    new dashboard.RowBuilder('Backups'),
    timeseries('RPO exposure', "Now minus the tenant's newest recoverable point: the data a loss now would cost.", units.Seconds)
      .withTarget(prometheusQuery(`max(tenantscope_rpo_exposure_seconds{${T}})`, 'exposure'))
      .span(8)
      .height(8),
    okFailTimeline('Restore test', 'Result of the last restore test of the tenant.', 'restored', 'failed')
      .withTarget(prometheusQuery(`max(tenantscope_restore_test_last_success{${T}})`, 'last restore test'))
      .span(8)
      .height(4),
    stat('Restore test duration', 'How long the last restore test took: the evidence for the RTO.', units.Seconds)
      .withTarget(prometheusQuery(`max(tenantscope_restore_test_last_duration_seconds{${T}})`, 'duration'))
      .span(8)
      .height(4),
    timeseries('Backup failures', 'Failed dump or restore-test jobs of the tenant, per day.', units.Short)
      .withTarget(prometheusQuery(`sum by (kind) (increase(tenantscope_backup_failures_total{${T}}[1d]))`, '{{kind}}'))
      .span(8)
      .height(8),
  ]);
}
