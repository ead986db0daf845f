import { config, type Duration } from './config';

/** A recording rule: `record` is level:metric:operations, as Prometheus's naming practice. */
export interface RecordRule {
  record: string;
  expr: string;
  /** Why the rule reads as it does, written above it in the rules file. */
  comment?: string;
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: Duration;
  severity: 'critical' | 'warning' | 'info';
  /** A static sentence ending with a period. */
  summary: string;
  /** Templated words: what is wrong, where, how much. */
  description: string;
  comment?: string;
}

export interface RuleGroup {
  name: string;
  comment?: string;
  rules: (RecordRule | AlertRule)[];
}

/** The alert's name with the one prefix every alert carries. */
export const alertName = (name: string): string => `${config.alertPrefix}${name}`;

/** The runbook link of an alert, templated on the runbook_base external label. */
export function runbookUrl(alert: string): string {
  const { baseLabel, path } = config.runbook;
  return `{{ with $externalLabels.${baseLabel} }}{{ . }}/{{ end }}${path}#${alert.toLowerCase()}`;
}

/** Words as one line: the text of a folded (>-) YAML scalar written over several lines. */
export const words = (...lines: string[]): string => lines.join(' ');

/** A duration in seconds: 5m is 300. */
export function seconds(duration: Duration): number {
  const n = Number(duration.slice(0, -1));
  return n * { s: 1, m: 60, h: 3600, d: 86_400 }[duration.slice(-1) as 's'];
}

/** A duration in words for descriptions: 5m is "5 minutes". */
export function spoken(duration: Duration): string {
  const n = Number(duration.slice(0, -1));
  const unit = { s: 'second', m: 'minute', h: 'hour', d: 'day' }[duration.slice(-1) as 's'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/**
 * Adds the tenant's tier (and whatever else is listed) from tenantscope_tenant_info; `max by`
 * keeps the join one-to-one when more than one tenantscope process is scraped.
 */
export function withTier(expr: string, labels = 'tier'): string {
  return `${expr}\n* on(tenant) group_left(${labels})\n  max by (tenant, ${labels}) (tenantscope_tenant_info)`;
}
