import { type BurnArm, config } from '../../mixin/config';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import * as units from '@grafana/grafana-foundation-sdk/units';
import {
  DATASOURCE,
  addPanels,
  greenFrom,
  labelVariable,
  prometheusQuery,
  redFrom,
  stat,
  tableQuery,
  tenantscopeDashboard,
  timeseries,
} from './common';
import { UID as TENANT_DETAIL } from './tenant-detail';

// The service manager's month: every tenant's availability against its target, the error budget
// left, how fast it burns, what was measured, and who is about to earn a credit before the month
// ends (docs/sla.md). Minutes count as they close, 5 minutes after their end.

export const UID = 'tenantscope-sla-month';

/** Outage minutes to the next credit step below which a tenant is at risk (as TenantscopeSlaCreditImminent). */
const AT_RISK_MINUTES = config.slo.creditImminentMinutes;
/** The fast burn page's arms (TenantscopeErrorBudgetBurnFast): 1 h at 14.4, 6 h at 6. */
const [HOUR_ARM, SIX_HOUR_ARM] = config.slo.fast as [BurnArm, BurnArm];

const SEL = 'tenant=~"$tenant", tier=~"$tier"';
const BY = 'tenant, tier';
const bad = (window: string) => `sum by (${BY}) (increase(tenantscope_sli_minutes_total{${SEL}, state="bad"}[${window}]))`;
const measured = (window: string) => `sum by (${BY}) (increase(tenantscope_sli_minutes_total{${SEL}, state=~"good|bad"}[${window}]))`;
/** Bad-minute ratio over the window against the budget's ratio (1 − target): 1 spends the budget exactly by month end. */
const burn = (window: string) =>
  `(${bad(window)} / ${measured(window)}) / on (${BY}) (1 - max by (${BY}) (tenantscope_sla_target_ratio{${SEL}}))`;
const nextCredit = `min by (${BY}) (tenantscope_sla_affordable_outage_minutes{${SEL}})`;

export function slaMonth(): dashboard.DashboardBuilder {
  const builder = tenantscopeDashboard(
    UID,
    'tenantscope / SLA month to date',
    "Every tenant's SLA month so far: availability against its target, error budget left, burn rates, what was measured, and the tenants one outage away from a service credit.",
  )
    .withVariable(labelVariable('tier', 'Tier', 'label_values(tenantscope_sla_target_ratio, tier)'))
    .withVariable(labelVariable('tenant', 'Tenant', 'label_values(tenantscope_sla_target_ratio{tier=~"$tier"}, tenant)'));

  return addPanels(builder, [
    new dashboard.RowBuilder('Now'),
    stat('Below target', 'Tenants whose month-to-date availability is below their tier target.', units.Short)
      .withTarget(
        prometheusQuery(
          `count(max by (${BY}) (tenantscope_sla_availability_ratio{${SEL}}) < on (${BY}) max by (${BY}) (tenantscope_sla_target_ratio{${SEL}})) or vector(0)`,
          'below',
        ),
      )
      .thresholds(redFrom(1))
      .span(6)
      .height(4),
    stat(
      'At risk of a credit',
      `Tenants whose month can take fewer than ${AT_RISK_MINUTES} more outage minutes before a credit step applies (or one already applies).`,
      units.Short,
    )
      .withTarget(prometheusQuery(`count(${nextCredit} < ${AT_RISK_MINUTES}) or vector(0)`, 'at risk'))
      .thresholds(redFrom(1))
      .span(6)
      .height(4),
    stat('Lowest budget left', "The smallest error budget left in the fleet, as a share of the month's budget.", units.PercentUnit)
      .withTarget(prometheusQuery(`min(tenantscope_sla_error_budget_remaining_ratio{${SEL}})`, 'lowest'))
      .thresholds(greenFrom(0.25))
      .span(6)
      .height(4),
    stat(
      'Evidence',
      'Share of closed minutes with evidence (good or bad) over the month so far: nodata minutes are neither.',
      units.PercentUnit,
    )
      .withTarget(
        prometheusQuery(
          `sum(increase(tenantscope_sli_minutes_total{${SEL}, state=~"good|bad"}[$__range])) / sum(increase(tenantscope_sli_minutes_total{${SEL}, state!="excluded"}[$__range]))`,
          'coverage',
        ),
      )
      .thresholds(greenFrom(0.95))
      .span(6)
      .height(4),

    new dashboard.RowBuilder('Tenants'),
    tenantTable().span(24).height(12),

    new dashboard.RowBuilder('Burn'),
    timeseries(
      'Burn rate, 1 h',
      `Bad minutes over measured minutes in the last hour, against the budget: 1 spends the budget exactly by month end, ${HOUR_ARM.factor} spends 2 % of it in that hour.`,
      units.Short,
    )
      .withTarget(prometheusQuery(burn('1h'), '{{tenant}}'))
      .thresholds(redFrom(HOUR_ARM.factor))
      .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
      .span(12)
      .height(8),
    timeseries('Burn rate, 6 h', `The same over six hours: ${SIX_HOUR_ARM.factor} spends 5 % of the budget in that time.`, units.Short)
      .withTarget(prometheusQuery(burn('6h'), '{{tenant}}'))
      .thresholds(redFrom(SIX_HOUR_ARM.factor))
      .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
      .span(12)
      .height(8),
    timeseries('Error budget left', "Minutes of outage each tenant's month can still take before it misses its target.", units.Minutes)
      .withTarget(prometheusQuery(`max by (${BY}) (tenantscope_sla_error_budget_remaining_minutes{${SEL}})`, '{{tenant}}'))
      .span(12)
      .height(8),
    timeseries('Minutes by state', 'Closed minutes of the selected tenants by state, per interval.', units.Short)
      .withTarget(prometheusQuery(`sum by (state) (increase(tenantscope_sli_minutes_total{${SEL}}[$__interval]))`, '{{state}}'))
      .drawStyle(common.GraphDrawStyle.Bars)
      .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
      .span(12)
      .height(8),
  ]);
}

/** One row per tenant: its month so far, with a link to its tenant dashboard. */
function tenantTable(): TableBuilder {
  return new TableBuilder()
    .title('Month to date per tenant')
    .description(
      'Availability against target, error budget left, outage minutes to the next credit step, minutes still to come; tenants nearest a credit first. Click a tenant for its dashboard.',
    )
    .datasource(DATASOURCE)
    .withTarget(tableQuery(`max by (${BY}) (tenantscope_sla_availability_ratio{${SEL}})`, 'A'))
    .withTarget(tableQuery(`max by (${BY}) (tenantscope_sla_target_ratio{${SEL}})`, 'B'))
    .withTarget(tableQuery(`max by (${BY}) (tenantscope_sla_error_budget_remaining_minutes{${SEL}})`, 'C'))
    .withTarget(tableQuery(nextCredit, 'D'))
    .withTarget(tableQuery(`max by (${BY}) (tenantscope_sla_month_minutes_to_come{${SEL}})`, 'E'))
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({
      id: 'organize',
      options: {
        excludeByName: { Time: true },
        indexByName: { tenant: 0, tier: 1, 'Value #A': 2, 'Value #B': 3, 'Value #C': 4, 'Value #D': 5, 'Value #E': 6 },
        renameByName: {
          tenant: 'Tenant',
          tier: 'Tier',
          'Value #A': 'Availability',
          'Value #B': 'Target',
          'Value #C': 'Budget left',
          'Value #D': 'Outage minutes to next credit',
          'Value #E': 'Minutes to come',
        },
      },
    })
    .sortBy([new common.TableSortByFieldStateBuilder().displayName('Outage minutes to next credit')])
    .overrideByName('Tenant', [
      { id: 'links', value: [{ title: 'Tenant detail', url: `/d/${TENANT_DETAIL}?var-tenant=\${__value.raw}&\${__url_time_range}` }] },
    ])
    .overrideByName('Availability', [
      { id: 'unit', value: units.PercentUnit },
      { id: 'decimals', value: 3 },
    ])
    .overrideByName('Target', [
      { id: 'unit', value: units.PercentUnit },
      { id: 'decimals', value: 3 },
    ])
    .overrideByName('Budget left', [{ id: 'unit', value: units.Minutes }])
    .overrideByName('Outage minutes to next credit', [
      { id: 'unit', value: units.Minutes },
      { id: 'thresholds', value: greenFrom(AT_RISK_MINUTES).build() },
      { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.ColorBackground } },
    ])
    .overrideByName('Minutes to come', [{ id: 'unit', value: units.Minutes }]);
}
