import { describe, expect, it } from 'vitest';
import { escapeLabelValue, goFloat, renderExposition } from './prom-text';
import { TraefikMetrics } from './traefik-metrics';
import { routersJson, routerName, serviceName } from './traefik-routers';
import { testFleet } from '../test/helpers/test-fleet';

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"/g;

/**
 * A strict reading of the text format: every sample belongs to a family declared by `# TYPE`
 * before it, values parse, and each histogram series has non-decreasing cumulative buckets
 * ending in `le="+Inf"` equal to its `_count`, and a `_sum`.
 */
function checkExposition(text: string): Map<string, string> {
  const types = new Map<string, string>();
  const histograms = new Map<string, { les: string[]; counts: number[]; count?: number; sum?: number }>();
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.trimEnd().split('\n')) {
    if (line.startsWith('# HELP ')) continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      expect(types.has(type[1]!), `family ${type[1]} declared once`).toBe(false);
      types.set(type[1]!, type[2]!);
      continue;
    }
    const m = SAMPLE.exec(line);
    expect(m, `sample line: ${line}`).not.toBeNull();
    const [, name, labelText = '', value] = m!;
    expect(Number.isNaN(Number(value === '+Inf' ? 'Infinity' : value)), `value of ${line}`).toBe(false);
    const labels = [...labelText.matchAll(LABEL)].map(([, k, v]) => [k!, v!] as const);
    const family = types.has(name!) ? name! : name!.replace(/_(bucket|sum|count)$/, '');
    expect(types.has(family), `# TYPE before ${name}`).toBe(true);
    if (types.get(family) !== 'histogram') continue;
    const key = `${family}{${labels
      .filter(([k]) => k !== 'le')
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}}`;
    const h = histograms.get(key) ?? { les: [], counts: [] };
    histograms.set(key, h);
    if (name!.endsWith('_bucket')) {
      h.les.push(labels.find(([k]) => k === 'le')![1]);
      h.counts.push(Number(value));
    } else if (name!.endsWith('_count')) h.count = Number(value);
    else h.sum = Number(value);
  }
  for (const [key, h] of histograms) {
    expect(h.les.at(-1), key).toBe('+Inf');
    expect(h.counts.at(-1), key).toBe(h.count);
    expect(h.sum, key).toBeDefined();
    h.counts.forEach((c, i) => i > 0 && expect(c).toBeGreaterThanOrEqual(h.counts[i - 1]!));
  }
  return types;
}

describe('Prometheus text as client_golang writes it', () => {
  it('formats floats like Go strconv %g', () => {
    expect([0, 1, 3, 0.1, 1.2, 5, 123456, 1234567, 0.0001, 0.00001234, 1.7725e9, 61].map(goFloat)).toEqual([
      '0',
      '1',
      '3',
      '0.1',
      '1.2',
      '5',
      '123456',
      '1.234567e+06',
      '0.0001',
      '1.234e-05',
      '1.7725e+09',
      '61',
    ]);
  });

  it('escapes label values and sorts labels, series and families', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    const text = renderExposition([
      {
        type: 'counter',
        name: 'z_total',
        help: 'last',
        series: [
          { labels: { b: '2', a: 'x"y' }, value: 1 },
          { labels: { b: '1', a: 'x"y' }, value: 2 },
        ],
      },
      { type: 'gauge', name: 'a_gauge', help: 'first\\one', series: [{ labels: {}, value: 3 }] },
    ]);
    expect(text).toBe(
      '# HELP a_gauge first\\\\one\n# TYPE a_gauge gauge\na_gauge 3\n# HELP z_total last\n# TYPE z_total counter\nz_total{a="x\\"y",b="1"} 2\nz_total{a="x\\"y",b="2"} 1\n',
    );
    checkExposition(text);
  });
});

describe('Traefik v3 metrics and router API', () => {
  const fleet = testFleet('/tmp/tssim-traefik');
  const [alpha, bravo] = fleet.tenants;

  function sampleMetrics(): string {
    const metrics = new TraefikMetrics(Date.UTC(2026, 2, 1));
    const r = (code: number, seconds: number, tenant = alpha!) =>
      metrics.record({
        router: routerName(tenant),
        service: serviceName(tenant),
        code,
        method: 'POST',
        protocol: 'http',
        seconds,
        requestBytes: 500,
        responseBytes: 9000,
      });
    r(200, 0.05);
    r(200, 0.25);
    r(200, 7);
    r(502, 0.002, bravo);
    metrics.record({ code: 404, method: 'GET', protocol: 'http', seconds: 0.0002, requestBytes: 0, responseBytes: 19 });
    metrics.setOpenConnections(12);
    return metrics.render();
  }

  it('serves valid v3 exposition with router labels and the default buckets', () => {
    const text = sampleMetrics();
    const types = checkExposition(text);
    expect(types.get('traefik_router_requests_total')).toBe('counter');
    expect(types.get('traefik_router_request_duration_seconds')).toBe('histogram');
    expect(types.get('traefik_open_connections')).toBe('gauge');
    expect(types.has('traefik_entrypoint_open_connections')).toBe(false); // v2 only
    expect(types.has('traefik_config_reloads_failure_total')).toBe(false); // v2 only
    expect(text).toContain(
      'traefik_router_requests_total{code="200",method="POST",protocol="http",router="alpha-web@docker",service="alpha-odoo@docker"} 3\n',
    );
    expect(text).toContain(
      'traefik_router_requests_total{code="502",method="POST",protocol="http",router="bravo-web@docker",service="bravo-odoo@docker"} 1\n',
    );
    for (const [le, n] of [
      ['0.1', 1],
      ['0.3', 2],
      ['1.2', 2],
      ['5', 2],
      ['+Inf', 3],
    ] as const) {
      expect(text).toContain(
        `traefik_router_request_duration_seconds_bucket{code="200",method="POST",protocol="http",router="alpha-web@docker",service="alpha-odoo@docker",le="${le}"} ${n}\n`,
      );
    }
    // The unmatched 404 is counted by the entrypoint only.
    expect(text).toContain('traefik_entrypoint_requests_total{code="404",entrypoint="websecure",method="GET",protocol="http"} 1\n');
    expect(text).not.toMatch(/router_requests_total\{code="404"/);
    expect(text).toContain('traefik_open_connections{entrypoint="websecure",protocol="TCP"} 12\n');
  });

  it('lists routers as Traefik v3 /api/http/routers does', () => {
    const routers = JSON.parse(routersJson(fleet.tenants)) as Record<string, unknown>[];
    expect(routers.map((r) => r.name)).toEqual([
      'alpha-web@docker',
      'bravo-web@docker',
      'charlie-web@docker',
      'delta-web@docker',
      'echo-web@docker',
    ]);
    expect(routers[0]).toEqual({
      entryPoints: ['websecure'],
      service: 'alpha-odoo',
      rule: 'Host(`alpha.erp.test`)',
      tls: { options: 'default', certResolver: 'letsencrypt' },
      status: 'enabled',
      using: ['websecure'],
      name: 'alpha-web@docker',
      provider: 'docker',
    });
  });
});
