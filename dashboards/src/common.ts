import * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as StateTimelineBuilder } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

// Shared pieces of the tenantscope dashboards, after grafana-foundation-sdk's
// examples/typescript/linux-node-overview/src/common.ts.

/** Every panel and query reads the Prometheus chosen in the `datasource` variable. */
export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** Dashboards link to each other through this tag. */
export const TAG = 'tenantscope';

/** A dashboard with the settings all tenantscope dashboards share, and the `datasource` variable. */
export function tenantscopeDashboard(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  return (
    new dashboard.DashboardBuilder(title)
      .uid(uid)
      .description(description)
      .tags([TAG])
      // Generated from dashboards/src: changes made in Grafana would be lost, so none are allowed.
      .readonly()
      .tooltip(dashboard.DashboardCursorSync.Crosshair)
      .time({ from: 'now-6h', to: 'now' })
      .timezone('browser')
      .refresh('1m')
      .link(
        new dashboard.DashboardLinkBuilder('tenantscope')
          .type(dashboard.DashboardLinkType.Dashboards)
          .tags([TAG])
          .asDropdown(true)
          .includeVars(true)
          .keepTime(true),
      )
      .withVariable(new dashboard.DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'))
  );
}

/** A multi-value variable over a label of a tenantscope metric, "All" by default. */
export function labelVariable(name: string, label: string, query: string): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ selected: true, text: 'All', value: '$__all' });
}

/** A range query on the dashboard's Prometheus. */
export function prometheusQuery(expr: string, legend: string, refId = 'A'): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder().datasource(DATASOURCE).expr(expr).legendFormat(legend).refId(refId);
}

/** An instant query shaped as a table, for table panels that merge several queries. */
export function tableQuery(expr: string, refId: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder()
    .datasource(DATASOURCE)
    .expr(expr)
    .instant()
    .format(prometheus.PromQueryFormat.Table)
    .refId(refId);
}

/** Green below `limit`, red from it. */
export function redFrom(limit: number): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
    { value: null, color: 'green' },
    { value: limit, color: 'red' },
  ]);
}

/** Red below `limit`, green from it: budgets and margins, where less is worse. */
export function greenFrom(limit: number): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
    { value: null, color: 'red' },
    { value: limit, color: 'green' },
  ]);
}

/** 0/1 gauges shown as words: the collector and probe success metrics. */
export function okFailMappings(ok: string, fail: string): dashboard.ValueMapping[] {
  return [
    {
      type: dashboard.MappingType.ValueToText,
      options: { '0': { text: fail, color: 'red', index: 0 }, '1': { text: ok, color: 'green', index: 1 } },
    },
  ];
}

export function timeseries(title: string, description: string, unit: string): TimeseriesBuilder {
  return new TimeseriesBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Right)
        .calcs(['lastNotNull', 'max']),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
}

export function stat(title: string, description: string, unit: string): StatBuilder {
  return new StatBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']))
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.None);
}

/** One row per series, coloured by a 0/1 gauge's value over time. */
export function okFailTimeline(title: string, description: string, ok: string, fail: string): StateTimelineBuilder {
  return new StateTimelineBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .mappings(okFailMappings(ok, fail))
    .thresholds(
      new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
        { value: null, color: 'red' },
        { value: 1, color: 'green' },
      ]),
    )
    .showValue(common.VisibilityMode.Never)
    .mergeValues(true)
    .legend(new common.VizLegendOptionsBuilder().showLegend(false));
}

type PanelLike = dashboard.RowBuilder | (cog.Builder<dashboard.Panel> & { id(id: number): unknown });

/**
 * Adds rows and panels in reading order, numbered 1, 2, ...: explicit ids keep the generated JSON
 * deterministic and give every panel an id Grafana links can use (`viewPanel=`).
 */
export function addPanels(builder: dashboard.DashboardBuilder, items: PanelLike[]): dashboard.DashboardBuilder {
  items.forEach((item, i) => {
    item.id(i + 1);
    if (item instanceof dashboard.RowBuilder) builder.withRow(item);
    else builder.withPanel(item);
  });
  return builder;
}
