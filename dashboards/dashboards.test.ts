import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderDashboards } from './src/index';
import { METRIC_NAMES, metric, metricNamesIn } from '../mixin/metric-names';

const DIR = __dirname;
const REGENERATE = 'regenerate with `npx tsx dashboards/src/generate.ts` and commit the JSON; never edit it by hand';

const generated = renderDashboards();
const committed = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

interface Query {
  where: string;
  expr: string;
}

interface PanelModel {
  title?: string;
  targets?: { refId?: string; expr: string }[];
  panels?: PanelModel[];
}

interface DashboardModel {
  panels?: PanelModel[];
  templating?: { list?: { type: string; name: string; query: string }[] };
}

/** Every PromQL expression in a dashboard: panel targets (rows included) and query variables. */
function queriesOf(model: DashboardModel): Query[] {
  const queries: Query[] = [];
  const panels = (list: PanelModel[] = []): void => {
    for (const panel of list) {
      for (const target of panel.targets ?? []) queries.push({ where: `panel "${panel.title}" ${target.refId}`, expr: target.expr });
      panels(panel.panels);
    }
  };
  panels(model.panels);
  for (const variable of model.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    // label_values(<series selector>, <label>): only the selector holds a metric name.
    const selector = /^label_values\((.*),\s*\w+\)$/.exec(variable.query)?.[1];
    queries.push({ where: `variable $${variable.name}`, expr: selector ?? variable.query });
  }
  return queries;
}

describe('metricNamesIn', () => {
  it.each([
    [
      'sum by (tenant, le) (rate(tenantscope_odoo_request_duration_seconds_bucket{tenant=~"$tenant"}[$__rate_interval]))',
      ['tenantscope_odoo_request_duration_seconds_bucket'],
    ],
    ['count(max by (tenant) (tenantscope_probe_success) == 0) or vector(0)', ['tenantscope_probe_success']],
    ['a / on(tenant) group_left(tier) b offset 5m > 1e3', ['a', 'b']],
    ['histogram_quantile(0.95, sum(rate(foo_bucket{code_class="5xx", x="rate(y)"}[5m])) by (le))', ['foo_bucket']],
  ])('finds the metrics of %s', (expr, names) => {
    expect(metricNamesIn(expr)).toEqual(names);
  });
});

describe('METRIC_NAMES', () => {
  it('are the tenantscope series the /metrics registry declares, histograms by their series', () => {
    expect(METRIC_NAMES.has('tenantscope_tenant_info')).toBe(true);
    expect(METRIC_NAMES.has('tenantscope_metrics_store_up')).toBe(true);
    expect(METRIC_NAMES.has('tenantscope_odoo_request_duration_seconds_bucket')).toBe(true);
    expect(METRIC_NAMES.has('tenantscope_odoo_request_duration_seconds')).toBe(false);
    expect([...METRIC_NAMES].filter((name) => !name.startsWith('tenantscope_'))).toEqual([]);
  });

  it('metric() refuses a name /metrics does not publish, naming it', () => {
    expect(metric('tenantscope_probe_success')).toBe('tenantscope_probe_success');
    expect(() => metric('tenantscope_no_such_series')).toThrow(/tenantscope_no_such_series is not published/);
  });
});

describe('dashboards', () => {
  it('are all generated from dashboards/src, and nothing else is there', () => {
    expect(committed, REGENERATE).toEqual([...generated.keys()].sort());
  });

  it.each([...generated])('%s is the committed JSON', (file, text) => {
    const onDisk = committed.includes(file) ? readFileSync(join(DIR, file), 'utf8') : '';
    expect(onDisk, `dashboards/${file} differs from its source: ${REGENERATE}`).toBe(text);
  });

  it.each([...generated])('%s queries only metrics tenantscope publishes', (_file, text) => {
    const allowed = new Set<string>(METRIC_NAMES);
    const queries = queriesOf(JSON.parse(text));
    expect(queries.length).toBeGreaterThan(0);
    for (const { where, expr } of queries) {
      const names = metricNamesIn(expr);
      expect(names.length, `${where} reads no metric: ${expr}`).toBeGreaterThan(0);
      for (const name of names)
        expect(allowed.has(name), `${where} reads ${name}, not published on /metrics (mixin/metric-names.ts)`).toBe(true);
    }
  });

  it.each([...generated])('%s reads Prometheus through the datasource variable, with unique panel ids', (_file, text) => {
    const model = JSON.parse(text);
    expect(model.uid.length).toBeLessThanOrEqual(40); // Grafana's limit
    expect(model.templating.list[0]).toMatchObject({ type: 'datasource', name: 'datasource', query: 'prometheus' });
    const ids: number[] = [];
    const datasource = { type: 'prometheus', uid: '${datasource}' };
    for (const panel of model.panels) {
      ids.push(panel.id);
      if (panel.type === 'row') continue;
      expect(panel.datasource, `panel "${panel.title}"`).toEqual(datasource);
      for (const target of panel.targets) expect(target.datasource, `panel "${panel.title}" ${target.refId}`).toEqual(datasource);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});
