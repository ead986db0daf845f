import * as common from '@grafana/grafana-foundation-sdk/common';
import { config } from '../../mixin/config';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import * as units from '@grafana/grafana-foundation-sdk/units';
import {
  DATASOURCE,
  addPanels,
  labelVariable,
  okFailMappings,
  okFailTimeline,
  prometheusQuery,
  redFrom,
  stat,
  tableQuery,
  tenantscopeDashboard,
  timeseries,
} from './common';

// Is tenantscope collecting? Every collector run reports success, duration and time
// (docs/operations.md); a collector that stops running is as bad as one that fails.

export const UID = 'tenantscope-collector-health';

/** Seconds since a collector's last run beyond which TenantscopeCollectorStale starts counting. */
const STALE_AFTER_SECONDS = config.self.collectorStaleSeconds;

const SEL = 'collector=~"$collector", target=~"$target"';
// One series per collector and target however many tenantscope processes are scraped: they
// publish the same shared state (docs/operations.md).
const BY = 'collector, target';
const success = `max by (${BY}) (tenantscope_collector_success{${SEL}})`;
const duration = `max by (${BY}) (tenantscope_collector_duration_seconds{${SEL}})`;
const age = `min by (${BY}) (time() - tenantscope_collector_last_run_timestamp_seconds{${SEL}})`;

export function collectorHealth(): dashboard.DashboardBuilder {
  const builder = tenantscopeDashboard(
    UID,
    'tenantscope / Collector health',
    'Whether every tenantscope collector runs and succeeds on every target: without them the other dashboards and the SLA reports have no data.',
  )
    .withVariable(labelVariable('collector', 'Collector', 'label_values(tenantscope_collector_success, collector)'))
    .withVariable(labelVariable('target', 'Target', 'label_values(tenantscope_collector_success{collector=~"$collector"}, target)'));

  return addPanels(builder, [
    new dashboard.RowBuilder('Now'),
    stat('Failing', 'Collector and target pairs whose last run failed.', units.Short)
      .withTarget(prometheusQuery(`count(${success} == 0) or vector(0)`, 'failing'))
      .thresholds(redFrom(1))
      .span(6)
      .height(4),
    stat(
      'Oldest last run',
      `Longest time since a collector last ran on a target; from ${STALE_AFTER_SECONDS} s it is stale.`,
      units.Seconds,
    )
      .withTarget(prometheusQuery(`max(${age})`, 'oldest'))
      .thresholds(redFrom(STALE_AFTER_SECONDS))
      .span(6)
      .height(4),
    stat('Rejected records', 'Input records the collectors counted and skipped as bad, per second.', units.CountsPerSecond)
      .withTarget(
        prometheusQuery(`sum(rate(tenantscope_collector_rejected_records_total{${SEL}}[$__rate_interval])) or vector(0)`, 'rejected'),
      )
      .thresholds(redFrom(0.001))
      .span(6)
      .height(4),
    stat('Processes by version', 'tenantscope processes scraped, by version and revision.', units.Short)
      .withTarget(prometheusQuery('count by (version, revision) (tenantscope_build_info)', '{{version}} {{revision}}'))
      .textMode(common.BigValueTextMode.ValueAndName)
      .colorMode(common.BigValueColorMode.None)
      .span(6)
      .height(4),

    new dashboard.RowBuilder('Collectors'),
    statusTable().span(24).height(8),
    okFailTimeline('Success', 'Result of each collector run on each target over time.', 'ok', 'failed')
      .withTarget(prometheusQuery(success, '{{collector}} / {{target}}'))
      .span(24)
      .height(8),
    timeseries('Run duration', 'How long the last run of each collector on each target took.', units.Seconds)
      .withTarget(prometheusQuery(duration, '{{collector}} / {{target}}'))
      .span(12)
      .height(8),
    timeseries(
      'Time since last run',
      'Seconds since each collector last ran on each target; the line is where it becomes stale.',
      units.Seconds,
    )
      .withTarget(prometheusQuery(age, '{{collector}} / {{target}}'))
      .thresholds(redFrom(STALE_AFTER_SECONDS))
      .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
      .span(12)
      .height(8),
    timeseries(
      'Rejected records',
      'Bad input records counted and skipped, per second, by collector, target and reason (malformed, too_long, invalid_utf8, invalid_text, number_out_of_range, time_out_of_range).',
      units.CountsPerSecond,
    )
      .withTarget(
        prometheusQuery(
          `sum by (${BY}, reason) (rate(tenantscope_collector_rejected_records_total{${SEL}}[$__rate_interval]))`,
          '{{collector}} / {{target}} / {{reason}}',
        ),
      )
      .span(24)
      .height(8),
  ]);
}

/** The current state of every collector and target, one row each. */
function statusTable(): TableBuilder {
  return new TableBuilder()
    .title('Status')
    .description('Last result, duration and age of every collector on every target, and records rejected over the time range.')
    .datasource(DATASOURCE)
    .withTarget(tableQuery(success, 'A'))
    .withTarget(tableQuery(duration, 'B'))
    .withTarget(tableQuery(age, 'C'))
    .withTarget(tableQuery(`sum by (${BY}) (increase(tenantscope_collector_rejected_records_total{${SEL}}[$__range]))`, 'D'))
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({
      id: 'organize',
      options: {
        excludeByName: { Time: true },
        indexByName: { collector: 0, target: 1, 'Value #A': 2, 'Value #B': 3, 'Value #C': 4, 'Value #D': 5 },
        renameByName: {
          collector: 'Collector',
          target: 'Target',
          'Value #A': 'Last run',
          'Value #B': 'Duration',
          'Value #C': 'Since last run',
          'Value #D': 'Rejected records',
        },
      },
    })
    .sortBy([new common.TableSortByFieldStateBuilder().displayName('Last run')])
    .overrideByName('Last run', [
      { id: 'mappings', value: okFailMappings('ok', 'failed') },
      { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.ColorBackground } },
    ])
    .overrideByName('Duration', [{ id: 'unit', value: units.Seconds }])
    .overrideByName('Since last run', [
      { id: 'unit', value: units.Seconds },
      { id: 'thresholds', value: redFrom(STALE_AFTER_SECONDS).build() },
      { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.ColorText } },
    ])
    .overrideByName('Rejected records', [
      { id: 'unit', value: units.Short },
      { id: 'decimals', value: 0 },
    ]);
}
