import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { METRIC_NAMES, metricNamesIn } from '../mixin/metric-names';
import { renderRuleFiles } from '../mixin/render';

// Needs promtool (Debian package `prometheus`) and amtool (`prometheus-alertmanager`) on PATH.

const ROOT = join(__dirname, '..');
const RULES_DIR = join(ROOT, 'alert-rules');
const TESTS_DIR = join(RULES_DIR, 'tests');
/** A runbook link: the `runbook_base` external label (deploy/prometheus/prometheus.yml), if set, then the runbook's path. */
const RUNBOOK_URL = '{{ with $externalLabels.runbook_base }}{{ . }}/{{ end }}alert-rules/runbook.md#';
const SEVERITIES = ['critical', 'warning', 'info'];
/** What any rule may read: tenantscope's metrics and Prometheus's own `up` and `ALERTS`. */
const PUBLISHED = new Set<string>([...METRIC_NAMES, 'up', 'ALERTS']);

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}
interface AlertCase {
  eval_time: string;
  alertname: string;
  exp_alerts?: unknown[];
}
interface TestFile {
  evaluation_interval?: string;
  tests: { alert_rule_test?: AlertCase[] }[];
}

const yamlIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));

const ruleFiles = yamlIn(RULES_DIR);
const testFiles = yamlIn(TESTS_DIR);
const parsedRuleFiles = ruleFiles.map((file) => parse(readFileSync(file, 'utf8')) as RuleFile);
/** Each alert with what its expression may read: the published metrics, plus the series recorded
 * by the `record:` rules of its own rules file (a file is loaded as a whole, so those exist). */
const alerts = parsedRuleFiles.flatMap((ruleFile) => {
  const rules = ruleFile.groups.flatMap((g) => g.rules);
  const recorded = rules.flatMap((r) => (r.record === undefined ? [] : [r.record]));
  const readable = new Set<string>([...PUBLISHED, ...recorded]);
  return rules.filter((r) => r.alert !== undefined).map((r) => ({ ...r, readable }));
});
const tests = testFiles.map((file) => parse(readFileSync(file, 'utf8')) as TestFile);
const runbook = readFileSync(join(RULES_DIR, 'runbook.md'), 'utf8');

/** The PromQL an annotation runs with `query`: each `printf "<query>" ... | query`, `%q` as a string. */
function annotationQueries(rule: Rule): string[] {
  const text = Object.values(rule.annotations ?? {}).join('\n');
  return [...text.matchAll(/printf "((?:[^"\\]|\\.)*)"[^|}]*\|\s*query/g)].map((m) => m[1]!.replace(/\\"/g, '"').replace(/%q/g, '"x"'));
}

/** Runs a Prometheus tool from ROOT; the result carries its output so a failure shows why. */
function run(tool: string, args: string[]) {
  const result = spawnSync(tool, args, { cwd: ROOT, encoding: 'utf8' });
  if (result.error) throw new Error(`${tool} could not run (${result.error.message}); install it, see the comment at the top of this file`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** promtool durations as seconds: "1h30m", "90s", "16m". */
function seconds(duration: string): number {
  let total = 0;
  for (const [, n, unit] of duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) {
    total += Number(n) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 }[unit as 'ms'];
  }
  return total;
}

describe('alert rules', () => {
  it('has rule files and promtool test files', () => {
    expect(ruleFiles.length).toBeGreaterThan(0);
    expect(testFiles.length).toBeGreaterThan(0);
    expect(alerts.length).toBeGreaterThan(0);
  });

  it('passes promtool check rules', () => {
    const { status, output } = run('promtool', ['check', 'rules', ...ruleFiles]);
    expect(output, output).toMatch(/SUCCESS/);
    expect(status, output).toBe(0);
  });

  // promtool evaluates every rule at each minute of each case (some span days): a minute of CPU
  // on a busy machine.
  it('passes promtool test rules', () => {
    const { status, output } = run('promtool', ['test', 'rules', ...testFiles]);
    expect(status, output).toBe(0);
  }, 300_000);

  it('has unique CamelCase alert names', () => {
    const names = alerts.map((a) => a.alert);
    expect(new Set(names).size, 'duplicate alert name').toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$/);
  });

  it.each(alerts.map((a) => [a.alert!, a] as const))('%s has severity, summary, description and runbook_url', (name, rule) => {
    expect(SEVERITIES).toContain(rule.labels?.severity);
    const { summary, description, runbook_url: runbookUrl } = rule.annotations ?? {};
    expect(summary, 'summary is a static sentence ending with a period').toMatch(/^[^{}]+\.$/);
    expect(description, 'description is templated').toMatch(/\{\{.+\}\}/);
    expect(runbookUrl).toBe(RUNBOOK_URL + name.toLowerCase());
  });

  it.each(alerts.map((a) => [a.alert!, a] as const))(
    '%s reads only metrics tenantscope publishes or its rules file records',
    (_name, rule) => {
      const names = metricNamesIn(rule.expr);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        expect(
          rule.readable.has(name),
          `${name} is neither published on /metrics (mixin/metric-names.ts) nor recorded by a record: rule of the same rules file`,
        ).toBe(true);
      }
    },
  );

  it.each(alerts.map((a) => [a.alert!, a] as const))('%s annotations query only what its expression may read', (_name, rule) => {
    for (const query of annotationQueries(rule)) {
      const names = metricNamesIn(query);
      expect(names.length, query).toBeGreaterThan(0);
      for (const name of names) expect(rule.readable.has(name), `${name} in the annotation query ${query}`).toBe(true);
    }
  });

  it('says the error budget left and the next credit step in the pages for a tenant', () => {
    for (const name of ['TenantscopeTenantDown', 'TenantscopeErrorBudgetBurnFast', 'TenantscopeErrorBudgetBurnSlow']) {
      const queries = annotationQueries(alerts.find((a) => a.alert === name)!).join('\n');
      expect(queries, name).toContain('tenantscope_sla_error_budget_remaining_minutes');
      expect(queries, name).toContain('tenantscope_sla_affordable_outage_minutes');
    }
  });

  it('are generated from mixin/, and nothing else is there', () => {
    const generated = renderRuleFiles();
    expect(
      ruleFiles.map((f) => f.slice(RULES_DIR.length + 1)),
      'regenerate with `npm run alerts`',
    ).toEqual([...generated.keys()].sort());
    for (const [name, text] of generated) {
      expect(
        readFileSync(join(RULES_DIR, name), 'utf8'),
        `alert-rules/${name} differs from mixin/: run \`npm run alerts\` and commit`,
      ).toBe(text);
    }
  });

  it('names every alert with the one prefix', () => {
    for (const { alert } of alerts) expect(alert).toMatch(/^Tenantscope[A-Z]/);
  });

  it('links every alert to a runbook anchor that exists', () => {
    // GitHub's and GitLab's anchor of a heading: lower case, spaces to dashes, punctuation dropped.
    const anchors = new Set(
      [...runbook.matchAll(/^#+ (.+)$/gm)].map((m) =>
        m[1]!
          .trim()
          .toLowerCase()
          .replace(/[^\w\- ]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    for (const { alert, annotations } of alerts) {
      const anchor = annotations!.runbook_url!.split('#')[1]!;
      expect(anchors.has(anchor), `${alert}: runbook.md has no heading for #${anchor}`).toBe(true);
    }
  });

  it('says in each runbook section what the alert means, what to check and what to do', () => {
    const sections = runbook.split(/^## /m).slice(1);
    expect(sections.length).toBe(alerts.length);
    for (const section of sections) {
      const name = section.split('\n')[0]!;
      for (const part of ['**Meaning.**', '**Diagnosis.**', '**Mitigation.**']) expect(section, `${name}: ${part}`).toContain(part);
    }
  });

  it('has a runbook section for every alert and an alert for every section', () => {
    const headings = [...runbook.matchAll(/^## (.+)$/gm)].map((m) => m[1]!.trim()).sort();
    expect(headings).toEqual(alerts.map((a) => a.alert!).sort());
  });

  it.each(alerts.map((a) => [a.alert!, a] as const))('%s has promtool cases just before and just after its for:', (name, rule) => {
    const cases = tests.flatMap((file) => {
      const interval = seconds(file.evaluation_interval ?? '1m');
      return file.tests
        .flatMap((t) => t.alert_rule_test ?? [])
        .filter((c) => c.alertname === name)
        .map((c) => ({ ...c, interval }));
    });
    expect(cases.length, `no alert_rule_test for ${name}`).toBeGreaterThan(0);
    const firing = cases.filter((c) => (c.exp_alerts ?? []).length > 0);
    expect(firing.length, `no case where ${name} fires`).toBeGreaterThan(0);
    if (rule.for === undefined) return;
    // Before/after pairs: no alert at T, firing at T + one evaluation interval. promtool itself
    // checks that the alert really is silent, then firing, with the exact labels and annotations.
    const quietAt = new Set(cases.filter((c) => (c.exp_alerts ?? []).length === 0).map((c) => seconds(c.eval_time)));
    const paired = firing.some((c) => quietAt.has(seconds(c.eval_time) - c.interval));
    expect(paired, `${name}: no case with no alert one evaluation before a case where it fires`).toBe(true);
  });
});

describe('Prometheus and Alertmanager configuration (deploy/)', () => {
  it('passes promtool check config', () => {
    const { status, output } = run('promtool', ['check', 'config', 'deploy/prometheus/prometheus.yml']);
    expect(status, output).toBe(0);
  });

  it('passes amtool check-config', () => {
    const { status, output } = run('amtool', ['check-config', 'deploy/alertmanager/alertmanager.yml']);
    expect(status, output).toBe(0);
  });

  it.each([
    ['critical', 'page'],
    ['warning', 'ticket'],
    ['info', 'null'],
  ])('routes severity=%s to %s', (severity, receiver) => {
    const { status, output } = run('amtool', [
      'config',
      'routes',
      'test',
      '--config.file=deploy/alertmanager/alertmanager.yml',
      `--verify.receivers=${receiver}`,
      `severity=${severity}`,
      'alertname=Example',
      'tenant=acme',
    ]);
    expect(status, output).toBe(0);
  });
});
