import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StateTimelineBuilder } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import * as units from '@grafana/grafana-foundation-sdk/units';
import {
  DATASOURCE,
  addPanels,
  labelVariable,
  prometheusQuery,
  redFrom,
  stat,
  tableQuery,
  tenantscopeDashboard,
  timeseries,
} from './common';

// Who is hurting whom on a shared cluster: the confirmed incidents of the noisy-neighbour
// detector (services/noisy) and the per-tenant shares and usage it reads (services/metrics/noisy-metrics.ts).

export const UID = 'tenantscope-noisy-neighbours';

export const RUNBOOK = 'https://github.com/tenantscope/tenantscope/blob/main/alert-rules/runbook.md#noisyneighbourantagonist';

const DETECTOR =
  'The detector (services/noisy) judges each cluster minute. A resource is only examined while its saturation gate is open ' +
  '(5-minute mean saturation from 0.7-0.8 of capacity; pg_locks and ingress have no gate). Victims are tenants whose latency or ' +
  'error ratio is an outlier against their own 24 h baseline by robust z (median/MAD, z >= 3.5, in 3 of 5 minutes). An antagonist ' +
  "is a tenant whose share of the resource rose (vs its baseline), correlates with the victims' degradation and started no later " +
  'than their onset (precedence). Victims without any antagonist make a capacity incident: the cluster itself is too small. ' +
  'Only confirmed, open incidents are published.';

const CLUSTER = 'cluster=~"$cluster"';
const active = (role: string) => `tenantscope_noisy_neighbour_active{role="${role}", ${CLUSTER}}`;
const KEY = 'tenant, cluster, resource';
// The usage counters move once per closed minute, so a rate needs several minutes to be smooth.
const usageRate = (resource: string, by = 'tenant') =>
  `sum by (${by}) (rate(tenantscope_tenant_resource_usage_total{${CLUSTER}, resource="${resource}"}[5m]))`;

/** Each resource's usage rate per tenant in a unit that reads naturally: base unit per second. */
const USAGE: { resource: string; title: string; unit: string; description: string; scale?: number }[] = [
  {
    resource: 'odoo_workers',
    title: 'Odoo workers',
    unit: units.Short,
    description: 'Worker-seconds per second: Odoo HTTP workers kept busy by each tenant.',
  },
  {
    resource: 'odoo_cron',
    title: 'Odoo cron',
    unit: units.Short,
    description: 'Cron-seconds per second: cron workers kept busy by each tenant.',
  },
  {
    resource: 'pg_cpu',
    title: 'PostgreSQL CPU',
    unit: units.Short,
    description: "CPU-seconds per second: PostgreSQL cores used by each tenant's backends.",
  },
  {
    resource: 'pg_io',
    title: 'PostgreSQL I/O',
    unit: units.BytesPerSecondIEC,
    scale: 8192,
    description: 'Blocks read from disk plus temporary-file blocks per second, times 8 KiB.',
  },
  {
    resource: 'pg_conn',
    title: 'PostgreSQL connections',
    unit: units.Short,
    description: 'Backend-seconds per second: mean PostgreSQL backends held by each tenant (per-minute peaks).',
  },
  {
    resource: 'pg_locks',
    title: 'PostgreSQL lock waits',
    unit: units.Short,
    description: 'Lock-wait seconds per second: sessions each tenant keeps waiting on locks.',
  },
  {
    resource: 'redis',
    title: 'Redis clients',
    unit: units.Short,
    description: 'Client-seconds per second: mean Redis clients held by each tenant (per-minute peaks).',
  },
  { resource: 'ingress', title: 'Ingress', unit: units.RequestsPerSecond, description: 'Requests per second through the shared ingress.' },
];

export function noisyNeighbours(): dashboard.DashboardBuilder {
  const builder = tenantscopeDashboard(
    UID,
    'tenantscope / Noisy neighbours',
    `Tenants degrading their neighbours on shared Odoo, PostgreSQL, Redis and ingress capacity, and every tenant's share and usage of it. ${DETECTOR}`,
  )
    .link(
      new dashboard.DashboardLinkBuilder('Runbook')
        .type(dashboard.DashboardLinkType.Link)
        .url(RUNBOOK)
        .icon('doc')
        .tooltip('What to do about a noisy neighbour or a capacity incident')
        .targetBlank(true),
    )
    .withVariable(labelVariable('cluster', 'Cluster', 'label_values(tenantscope_tenant_info, cluster)'))
    .withVariable(
      labelVariable('resource', 'Resource', 'label_values(tenantscope_tenant_resource_share{cluster=~"$cluster"}, resource)')
        .multi(false)
        .includeAll(false)
        .current({ selected: true, text: 'odoo_workers', value: 'odoo_workers' }),
    );

  return addPanels(builder, [
    new dashboard.RowBuilder('Now'),
    stat('Antagonists now', `Tenants named antagonist of an open, confirmed incident. ${DETECTOR} Runbook: ${RUNBOOK}`, units.Short)
      .withTarget(prometheusQuery(`count(max by (${KEY}) (${active('antagonist')})) or vector(0)`, 'antagonists'))
      .thresholds(redFrom(1))
      .span(6)
      .height(4),
    stat('Victims now', 'Tenants named victim of an open, confirmed incident, per cluster and resource.', units.Short)
      .withTarget(prometheusQuery(`count by (cluster, resource) (max by (${KEY}) (${active('victim')}))`, '{{cluster}} {{resource}}'))
      .textMode(common.BigValueTextMode.ValueAndName)
      .thresholds(redFrom(1))
      .noValue('0')
      .span(12)
      .height(4),
    stat(
      'Capacity incidents now',
      'Cluster and resource pairs with victims but no antagonist: the shared capacity itself is short, no single tenant is to blame.',
      units.Short,
    )
      .withTarget(
        prometheusQuery(
          `count(count by (cluster, resource) (${active('victim')}) unless on (cluster, resource) count by (cluster, resource) (${active('antagonist')})) or vector(0)`,
          'capacity',
        ),
      )
      .thresholds(redFrom(1))
      .span(6)
      .height(4),
    incidentTable(
      'Antagonists now',
      'antagonist',
      `Antagonists of open, confirmed incidents and their current share of the resource. Runbook: ${RUNBOOK}`,
    )
      .span(12)
      .height(8),
    incidentTable('Victims now', 'victim', 'Victims of open, confirmed incidents and their current share of the resource.')
      .span(12)
      .height(8),

    new dashboard.RowBuilder('Incidents over time'),
    new StateTimelineBuilder()
      .title('Antagonists and victims')
      .description(`When each tenant was antagonist or victim of a confirmed incident, per resource. ${DETECTOR}`)
      .datasource(DATASOURCE)
      .withTarget(prometheusQuery(`max by (tenant, resource) (${active('antagonist')})`, '{{tenant}} / {{resource}}', 'A'))
      .withTarget(prometheusQuery(`2 * max by (tenant, resource) (${active('victim')})`, '{{tenant}} / {{resource}}', 'B'))
      .mappings([
        {
          type: dashboard.MappingType.ValueToText,
          options: { '1': { text: 'antagonist', color: 'red', index: 0 }, '2': { text: 'victim', color: 'orange', index: 1 } },
        },
      ])
      .showValue(common.VisibilityMode.Never)
      .mergeValues(true)
      .legend(new common.VizLegendOptionsBuilder().showLegend(false))
      .span(24)
      .height(9),
    timeseries('Antagonists by resource', 'Antagonists of open, confirmed incidents over time, per cluster and resource.', units.Short)
      .withTarget(prometheusQuery(`count by (cluster, resource) (max by (${KEY}) (${active('antagonist')}))`, '{{cluster}} {{resource}}'))
      .decimals(0)
      .min(0)
      .span(12)
      .height(8),
    timeseries('Victims by resource', 'Victims of open, confirmed incidents over time, per cluster and resource.', units.Short)
      .withTarget(prometheusQuery(`count by (cluster, resource) (max by (${KEY}) (${active('victim')}))`, '{{cluster}} {{resource}}'))
      .decimals(0)
      .min(0)
      .span(12)
      .height(8),

    new dashboard.RowBuilder('Selected resource: $resource'),
    timeseries(
      'Share of $resource',
      "Each tenant's share (0-1) of the cluster total of the resource in the last closed minute, stacked; absent when the total could not be trusted. A rising share that precedes victims is what makes an antagonist.",
      units.PercentUnit,
    )
      .withTarget(
        prometheusQuery(`max by (tenant, cluster) (tenantscope_tenant_resource_share{${CLUSTER}, resource="$resource"})`, '{{tenant}}'),
      )
      .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
      .fillOpacity(60)
      .min(0)
      .span(12)
      .height(9),
    timeseries(
      'Usage of $resource',
      "Usage rate per tenant in the resource's base unit per second: seconds (odoo_workers, odoo_cron, pg_cpu, pg_locks) i.e. busy workers/cores/waiting sessions; 8 KiB blocks for pg_io; backends for pg_conn; clients for redis; requests for ingress. The row below shows each resource in its own unit.",
      units.Short,
    )
      .withTarget(prometheusQuery(usageRate('$resource', 'tenant, cluster'), '{{tenant}}'))
      .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
      .fillOpacity(60)
      .min(0)
      .span(12)
      .height(9),

    new dashboard.RowBuilder('Usage by resource'),
    ...USAGE.map(({ resource, title, unit, description, scale }) =>
      timeseries(title, `${description} Per tenant, from tenantscope_tenant_resource_usage_total{resource="${resource}"}.`, unit)
        .withTarget(
          prometheusQuery(
            scale ? `${scale} * ${usageRate(resource, 'tenant, cluster')}` : usageRate(resource, 'tenant, cluster'),
            '{{tenant}}',
          ),
        )
        .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
        .fillOpacity(40)
        .min(0)
        .span(6)
        .height(8),
    ),
  ]);
}

/** Tenants in a role now, one row each, with their current share of the resource. */
function incidentTable(title: string, role: string, description: string): TableBuilder {
  return new TableBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .withTarget(tableQuery(`max by (${KEY}) (${active(role)})`, 'A'))
    .withTarget(tableQuery(`max by (${KEY}) (tenantscope_tenant_resource_share{${CLUSTER}}) and on (${KEY}) ${active(role)}`, 'B'))
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({
      id: 'organize',
      options: {
        excludeByName: { Time: true, 'Value #A': true },
        indexByName: { tenant: 0, cluster: 1, resource: 2, 'Value #B': 3 },
        renameByName: { tenant: 'Tenant', cluster: 'Cluster', resource: 'Resource', 'Value #B': 'Share now' },
      },
    })
    .sortBy([new common.TableSortByFieldStateBuilder().displayName('Share now').desc(true)])
    .overrideByName('Share now', [
      { id: 'unit', value: units.PercentUnit },
      { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.ColorText } },
    ])
    .noValue('none');
}
