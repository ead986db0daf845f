import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as units from '@grafana/grafana-foundation-sdk/units';
import { config } from '../../mixin/config';
import { addPanels, labelVariable, okFailTimeline, prometheusQuery, redFrom, stat, tenantscopeDashboard, timeseries } from './common';

// Every tenant side by side: load, errors, availability, latency and worker time, to spot the
// tenant that stands out. Wall time = SQL + Python seconds (docs/noisy-neighbours.md, odoo_workers).

export const UID = 'tenantscope-fleet-overview';

/** The SLA's default server error ratio (docs/sla.md) and TenantscopeTenantServerErrors' threshold. */
const ERROR_RATIO = config.tenants.serverErrorRatio;

const SEL = 'tenant=~"$tenant", cluster=~"$cluster"';
const requests = (extra = '') => `tenantscope_odoo_requests_total{${extra}${SEL}}`;
const rate = (series: string, by: string) => `sum by (${by}) (rate(${series}[$__rate_interval]))`;

export function fleetOverview(): dashboard.DashboardBuilder {
  const builder = tenantscopeDashboard(
    UID,
    'tenantscope / Fleet overview',
    'All Odoo tenants side by side: requests, server errors, probes, latency and worker time.',
  )
    .withVariable(labelVariable('cluster', 'Cluster', 'label_values(tenantscope_tenant_info, cluster)'))
    .withVariable(labelVariable('tenant', 'Tenant', 'label_values(tenantscope_tenant_info{cluster=~"$cluster"}, tenant)'));

  return addPanels(builder, [
    new dashboard.RowBuilder('Fleet'),
    stat('Tenants', 'Tenants in the fleet file of tenantscope, within the selection.', units.Short)
      .withTarget(prometheusQuery(`count(max by (tenant) (tenantscope_tenant_info{${SEL}}))`, 'tenants'))
      .colorMode(common.BigValueColorMode.None)
      .span(6)
      .height(4),
    stat('Failing probes', 'Tenants whose last probe failed.', units.Short)
      .withTarget(prometheusQuery(`count(max by (tenant) (tenantscope_probe_success{${SEL}}) == 0) or vector(0)`, 'failing'))
      .thresholds(redFrom(1))
      .span(6)
      .height(4),
    stat('Requests', 'Requests per second to all selected tenants.', units.RequestsPerSecond)
      .withTarget(prometheusQuery(`sum(rate(${requests()}[$__rate_interval]))`, 'requests'))
      .colorMode(common.BigValueColorMode.None)
      .span(6)
      .height(4),
    stat('Server errors', 'Share of all selected requests answered with a 5xx status.', units.PercentUnit)
      .withTarget(
        prometheusQuery(
          `sum(rate(${requests('code_class="5xx", ')}[$__rate_interval])) / sum(rate(${requests()}[$__rate_interval]))`,
          '5xx',
        ),
      )
      .thresholds(redFrom(ERROR_RATIO))
      .decimals(2)
      .span(6)
      .height(4),

    new dashboard.RowBuilder('SLA month to date'),
    timeseries(
      'Availability this month',
      "Month-to-date availability of each tenant's month (good / counted minutes, after the nodata policy), against its target.",
      units.PercentUnit,
    )
      .withTarget(prometheusQuery(`max by (tenant) (tenantscope_sla_availability_ratio{${SEL}})`, '{{tenant}}'))
      .decimals(3)
      .span(12)
      .height(8),
    timeseries(
      'Outage minutes before a credit',
      `Outage minutes the rest of the month can still take before the first credit step (the highest threshold still open); TenantscopeSlaCreditImminent fires under ${config.slo.creditImminentMinutes}.`,
      units.Short,
    )
      .withTarget(prometheusQuery(`min by (tenant) (tenantscope_sla_affordable_outage_minutes{${SEL}} >= 0)`, '{{tenant}}'))
      .span(12)
      .height(8),

    new dashboard.RowBuilder('Requests'),
    timeseries('Requests by code class', 'Requests per second per tenant and status class, from the Odoo logs.', units.RequestsPerSecond)
      .withTarget(prometheusQuery(rate(requests(), 'tenant, code_class'), '{{tenant}} {{code_class}}'))
      .span(12)
      .height(9),
    timeseries(
      'Server error ratio',
      `5xx responses over all responses per tenant; the line is the SLA's ${ERROR_RATIO * 100} %.`,
      units.PercentUnit,
    )
      .withTarget(prometheusQuery(`${rate(requests('code_class="5xx", '), 'tenant')} / ${rate(requests(), 'tenant')}`, '{{tenant}}'))
      .thresholds(redFrom(ERROR_RATIO))
      .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
      .min(0)
      .span(12)
      .height(9),

    new dashboard.RowBuilder('Probes'),
    okFailTimeline('Probe result', 'Result of the last probe of each tenant through the ingress.', 'ok', 'failed')
      .withTarget(prometheusQuery(`max by (tenant) (tenantscope_probe_success{${SEL}})`, '{{tenant}}'))
      .span(12)
      .height(9),
    timeseries('Probe duration', 'How long the last probe of each tenant took.', units.Seconds)
      .withTarget(prometheusQuery(`max by (tenant) (tenantscope_probe_duration_seconds{${SEL}})`, '{{tenant}}'))
      .span(12)
      .height(9),

    new dashboard.RowBuilder('Latency and worker time'),
    timeseries(
      'Latency p95',
      '95th percentile of request wall time (SQL + Python) per tenant; long polling and websockets excluded.',
      units.Seconds,
    )
      .withTarget(
        prometheusQuery(
          `histogram_quantile(0.95, ${rate(`tenantscope_odoo_request_duration_seconds_bucket{${SEL}}`, 'tenant, le')})`,
          '{{tenant}}',
        ),
      )
      .span(8)
      .height(9),
    timeseries(
      'SQL time',
      'Seconds spent in SQL per second, per tenant: about how many workers are busy in the database for it.',
      units.Short,
    )
      .withTarget(prometheusQuery(rate(`tenantscope_odoo_sql_seconds_total{${SEL}}`, 'tenant'), '{{tenant}}'))
      .span(8)
      .height(9),
    timeseries(
      'Python time',
      'Seconds spent in Python per second, per tenant: about how many workers are busy computing for it.',
      units.Short,
    )
      .withTarget(prometheusQuery(rate(`tenantscope_odoo_python_seconds_total{${SEL}}`, 'tenant'), '{{tenant}}'))
      .span(8)
      .height(9),
  ]);
}
