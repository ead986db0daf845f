import { type BurnArm, config, type Duration } from '../config';
import { alertName, type RecordRule, type RuleGroup, spoken, words } from '../rule';
import { badShare, MONTH_TO_DATE, TARGET_ALLOWS } from './month-to-date';

const slo = config.slo;
const sli = (states: string, window: Duration) =>
  `sum by (tenant, cluster, tier) (increase(tenantscope_sli_minutes_total{state${states.includes('|') ? '=~' : '='}"${states}"}[${window}]))`;

/** The recorded series an alert reads, by window. */
export const ratio = (window: Duration) => `tenant:tenantscope_sli_bad_ratio:rate${window}`;
export const burn = (window: Duration) => `tenant:tenantscope_error_budget_burn:rate${window}`;
export const badMinutes = (window: Duration) => `tenant:tenantscope_sli_bad_minutes:increase${window}`;

/** The long windows of the fast arms: the only ones whose bad minutes are counted for the guard. */
const guarded = [...new Set(slo.fast.map((arm) => arm.long))];

export const sloRecordingRules: RuleGroup = {
  name: 'tenantscope-slo-recording',
  comment: words(
    'Bad-minute ratio per tenant over the windows of the burn-rate alerts (Google SRE workbook, "Alerting on SLOs"), named level:metric:operations, one',
    'rule per window of mixin/config.ts slo.windows. The level is the tenant: cluster and tier follow from it and are kept for the joins and the',
    'descriptions. Availability is good / (good + bad) (docs/sla.md), so nodata and excluded minutes are in neither term; a window with no good or',
    'bad minute gives 0/0, NaN, which no threshold passes (TenantscopeCollectorDown reports missing evidence). Minutes are counted as they close, 5',
    'minutes after their end, so every window lags real time by 5 minutes. Two scraped tenantscope processes publish the same totals from',
    'PostgreSQL: `sum` doubles both terms and the ratio is unchanged (but doubles the bad-minute counts: the guard then errs towards paging).',
  ),
  rules: [
    ...slo.windows.map((w): RecordRule => ({ record: ratio(w), expr: `${sli('bad', w)}\n  /\n${sli('good|bad', w)}` })),
    ...slo.windows.map((w, i): RecordRule => ({
      record: burn(w),
      ...(i === 0 && {
        comment: words(
          'Error budget burn per tenant and window: burn rate = bad-minute ratio / (1 - target), 1 spending the budget exactly over the month. The',
          'target is joined `on(tenant) group_left()`, with `max by (tenant)` dropping job and instance; the result keeps tenant, cluster and tier.',
        ),
      }),
      expr: `${ratio(w)}\n  / on(tenant) group_left()\n(1 - max by (tenant) (tenantscope_sla_target_ratio))`,
    })),
    ...guarded.map((w, i): RecordRule => ({
      record: badMinutes(w),
      ...(i === 0 && {
        comment: `Bad minutes counted per tenant over the fast arms' long windows: no page below ${slo.minBadMinutes} of them (slo.minBadMinutes).`,
      }),
      expr: sli('bad', w),
    })),
  ],
};

const arm = (a: BurnArm, guard: boolean) =>
  [
    `    ${burn(a.long)} >= ${a.factor}`,
    `  and on(tenant)`,
    `    ${burn(a.short)} >= ${a.factor}`,
    ...(guard ? [`  and on(tenant)`, `    ${badMinutes(a.long)} >= ${slo.minBadMinutes}`] : []),
  ].join('\n');

const [hour, sixHours] = slo.fast as [BurnArm, BurnArm];

export const sloAlertRules: RuleGroup = {
  name: 'tenant-error-budgets',
  comment: words(
    'Error budget burn per tenant, read from the recorded tenant:tenantscope_error_budget_burn:rateW. In Prometheus a record of another group can',
    "be up to one evaluation interval older than these alerts' evaluation: nothing next to windows of 5 minutes and more, and `for` rides over it.",
  ),
  rules: [
    {
      alert: alertName('ErrorBudgetBurnFast'),
      comment: words(
        `Page: 2 % of a 30-day budget spent in ${hour.long} (burn >= ${hour.factor}), or 5 % in ${sixHours.long} (burn >= ${sixHours.factor}), still true over`,
        `the short window (${hour.short}, ${sixHours.short}) so that the alert resolves soon after the tenant recovers. Minute granularity: one bad`,
        `minute in an hour is a ratio of 1.7 %, above 14.4 x the budget of a business (99.9 %) or mission (99.95 %) tenant, so each arm also needs`,
        `${slo.minBadMinutes} bad minutes counted in its long window: one bad minute pages nobody. A tenant that is down pages once:`,
        `${alertName('TenantDown')} pages for it, and this alert stands aside (\`unless\`) from the moment that page fires until`,
        `${slo.afterTenantDown} after it resolved, when both arms have forgotten the outage. \`for\` is short: the windows already average.`,
      ),
      expr: `(\n  (\n${arm(hour, true)}\n  )\n  or\n  (\n${arm(sixHours, true)}\n  )\n)\nunless on(tenant)\n  max_over_time(ALERTS{alertname="${alertName('TenantDown')}", alertstate="firing"}[${slo.afterTenantDown}])`,
      for: slo.fastFor,
      severity: 'critical',
      summary: 'An Odoo tenant is burning its error budget fast.',
      description: words(
        'Tenant {{ $labels.tenant }} ({{ $labels.tier }} tier, cluster {{ $labels.cluster }}) is losing its error budget fast:',
        badShare(hour.long),
        'of its measured minutes in the last hour were bad and',
        badShare(sixHours.long),
        'in the last 6 hours, where its',
        `${TARGET_ALLOWS}.`,
        MONTH_TO_DATE,
      ),
    },
    {
      alert: alertName('ErrorBudgetBurnSlow'),
      comment: words(
        `Ticket: the budget has been spent at least ${slo.slow.factor} x as fast as the month allows over ${slo.slow.long} and still is over ${slo.slow.short}.`,
        `The value is the ${slo.slow.long} burn. \`for: ${slo.slowFor}\` because nothing here is urgent and a tenant hovering at the factor would otherwise`,
        'open and close tickets all day.',
      ),
      expr: `${burn(slo.slow.long)} >= ${slo.slow.factor}\nand on(tenant)\n${burn(slo.slow.short)} >= ${slo.slow.factor}`,
      for: slo.slowFor,
      severity: 'warning',
      summary: 'An Odoo tenant is spending its error budget faster than its SLA allows.',
      description: words(
        'Tenant {{ $labels.tenant }} ({{ $labels.tier }} tier, cluster {{ $labels.cluster }}) is spending its error budget faster than its SLA allows:',
        badShare(slo.slow.long),
        'of its measured minutes over the last 3 days were bad and',
        badShare(slo.slow.short),
        'over the last 6 hours, where its',
        `${TARGET_ALLOWS}:`,
        'at this rate it ends the month below its target.',
        MONTH_TO_DATE,
      ),
    },
    {
      alert: alertName('ErrorBudgetExhausted'),
      comment: words(
        "The month's whole error budget is spent: the tenant ends the month below its target whatever comes. A ticket, not a page: the outage",
        'that spent it paged already. `max without (instance, job)` keeps one alert when two tenantscope processes are scraped.',
      ),
      expr: 'max without (instance, job) (tenantscope_sla_error_budget_remaining_ratio) <= 0',
      for: slo.budgetExhaustedFor,
      severity: 'warning',
      summary: "An Odoo tenant has spent its month's error budget.",
      description: words(
        'Tenant {{ $labels.tenant }} ({{ $labels.tier }} tier, cluster {{ $labels.cluster }}) has spent',
        '{{ $value | humanizePercentage | reReplaceAll "^-" "" }} more than its whole error budget for this month',
        `(for ${spoken(slo.budgetExhaustedFor)} now): it misses its availability target this month.`,
        MONTH_TO_DATE,
      ),
    },
    {
      alert: alertName('SlaCreditImminent'),
      comment: words(
        `Ticket: less than ${slo.creditImminentMinutes} minutes of outage separate the tenant's month from a service credit step, and the rest of the month`,
        'could still reach it (the minutes to come exceed what it can afford). -1 (the step applies whatever happens) is left to the',
        "month's report. The value is the outage minutes it can still afford before the step.",
      ),
      expr: `(max without (instance, job) (tenantscope_sla_affordable_outage_minutes) >= 0 < ${slo.creditImminentMinutes})\n< on(tenant, cluster, tier) group_left\nmax by (tenant, cluster, tier) (tenantscope_sla_month_minutes_to_come)`,
      for: slo.creditImminentFor,
      severity: 'warning',
      summary: 'An Odoo tenant is less than an hour of outage away from a service credit.',
      description: words(
        'Tenant {{ $labels.tenant }} ({{ $labels.tier }} tier, cluster {{ $labels.cluster }})',
        'can have {{ $value }} more minutes of outage this month before its availability falls',
        'below {{ $labels.below_percent }} % and earns a {{ $labels.credit_percent }} % credit.',
      ),
    },
  ],
};
