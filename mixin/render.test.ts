import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { config } from './config';
import { renderRules, RULE_GROUPS } from './render';
import { type AlertRule, type RuleGroup } from './rule';

const alert = (over: Partial<AlertRule>): AlertRule => ({
  alert: 'TenantscopeExample',
  expr: 'tenantscope_probe_success == 0',
  severity: 'warning',
  summary: 'An example.',
  description: 'Tenant {{ $labels.tenant }}.',
  ...over,
});
const group = (...rules: AlertRule[]): RuleGroup[] => [{ name: 'g', rules }];

describe('renderRules', () => {
  it('refuses a rule that reads a series nobody publishes or records, naming both', () => {
    expect(() => renderRules(group(alert({ expr: 'tenantscope_no_such_series > 1' })))).toThrow(
      'rule TenantscopeExample reads tenantscope_no_such_series: neither published on /metrics nor recorded by a rule',
    );
  });

  it('refuses two alerts of one name', () => {
    expect(() => renderRules(group(alert({}), alert({})))).toThrow('two alerts are named TenantscopeExample');
  });

  it('writes what the config says: descriptions read back word for word, windows one record each', () => {
    const file = parse(renderRules()) as {
      groups: { rules: { alert?: string; record?: string; annotations?: { description: string } }[] }[];
    };
    const rules = file.groups.flatMap((g) => g.rules);
    const source = RULE_GROUPS.flatMap((g) => g.rules);
    for (const rule of source) {
      if (!('alert' in rule)) continue;
      expect(rules.find((r) => r.alert === rule.alert)?.annotations?.description).toBe(rule.description);
    }
    for (const window of config.slo.windows) {
      expect(rules.filter((r) => r.record === `tenant:tenantscope_sli_bad_ratio:rate${window}`)).toHaveLength(1);
      expect(rules.filter((r) => r.record === `tenant:tenantscope_error_budget_burn:rate${window}`)).toHaveLength(1);
    }
  });
});
