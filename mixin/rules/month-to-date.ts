import { words } from '../rule';

/**
 * The sentences a tenant's page ends with, read from its month to date
 * (services/metrics/sla-metrics.ts): what is left of its error budget, and the nearest credit
 * step an outage could still reach this month (as TenantscopeSlaCreditImminent). Either is left
 * out while not published.
 */
export const MONTH_TO_DATE = words(
  '{{- range printf "floor(max(tenantscope_sla_error_budget_remaining_minutes{tenant=%q}))" $labels.tenant | query }}',
  '{{- if ge .Value 0.0 }} Its error budget has {{ printf "%.0f" .Value }} minutes of outage left this month.',
  '{{- else }} Its error budget for this month is spent: {{ printf "%.0f" .Value | reReplaceAll "^-" "" }} minutes over.',
  '{{- end }}',
  '{{- end }}',
  '{{- range printf "bottomk(1, (max without (instance, job) (tenantscope_sla_affordable_outage_minutes{tenant=%q}) >= 0) < on(tenant) group_left() max by (tenant) (tenantscope_sla_month_minutes_to_come{tenant=%q}))" $labels.tenant $labels.tenant | query }}',
  '{{- "" }} {{ printf "%.0f" .Value }} more minutes of outage this month take it below {{ .Labels.below_percent }} % and',
  'earn a {{ .Labels.credit_percent }} % credit.',
  '{{- end }}',
);

/** "<ratio> of its measured minutes" over a window, from the recorded ratio, as a percentage. */
export const badShare = (window: string): string =>
  `{{ with printf "100 * max(tenant:tenantscope_sli_bad_ratio:rate${window}{tenant=%q})" $labels.tenant | query }}{{ . | first | value | printf "%.4g %%" }}{{ end }}`;

/** "its 99.9 % target allows 0.1 %". */
export const TARGET_ALLOWS = words(
  '{{ with printf "100 * max(tenantscope_sla_target_ratio{tenant=%q})" $labels.tenant | query }}{{ . | first | value | printf "%.4g %%" }}',
  'target allows {{ with printf "100 * (1 - max(tenantscope_sla_target_ratio{tenant=%q}))" $labels.tenant | query }}{{ . | first | value | printf "%.4g %%" }}{{ end }}{{ end }}',
);
