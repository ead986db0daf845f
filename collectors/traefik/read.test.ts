import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../services/core/secret';
import { collect, parseMetricsText, readRouterMetrics } from './read';
import { ruleHosts, tenantOfRule } from './rules';

// Traefik v2.11 with addRoutersLabels: open-connection gauges and reload-failure metrics exist.
const V2 = `# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.
# TYPE process_start_time_seconds gauge
process_start_time_seconds 1.77249e+09
# HELP traefik_config_reloads_failure_total Config failure reloads
# TYPE traefik_config_reloads_failure_total counter
traefik_config_reloads_failure_total 0
# HELP traefik_router_open_connections How many open connections exist on a router, partitioned by service, method, and protocol.
# TYPE traefik_router_open_connections gauge
traefik_router_open_connections{method="GET",protocol="http",router="acme-web@docker",service="acme-odoo@docker"} 2
# HELP traefik_router_request_duration_seconds How long it took to process the request on a router, partitioned by service, status code, protocol, and method.
# TYPE traefik_router_request_duration_seconds histogram
traefik_router_request_duration_seconds_bucket{code="200",method="GET",protocol="http",router="acme-web@docker",service="acme-odoo@docker",le="0.1"} 5
traefik_router_request_duration_seconds_bucket{code="200",method="GET",protocol="http",router="acme-web@docker",service="acme-odoo@docker",le="0.3"} 8
traefik_router_request_duration_seconds_bucket{code="200",method="GET",protocol="http",router="acme-web@docker",service="acme-odoo@docker",le="1.2"} 9
traefik_router_request_duration_seconds_bucket{code="200",method="GET",protocol="http",router="acme-web@docker",service="acme-odoo@docker",le="5"} 10
traefik_router_request_duration_seconds_bucket{code="200",method="GET",protocol="http",router="acme-web@docker",service="acme-odoo@docker",le="+Inf"} 10
traefik_router_request_duration_seconds_sum{code="200",method="GET",protocol="http",router="acme-web@docker",service="acme-odoo@docker"} 2.75
traefik_router_request_duration_seconds_count{code="200",method="GET",protocol="http",router="acme-web@docker",service="acme-odoo@docker"} 10
# HELP traefik_router_requests_total How many HTTP requests are processed on a router, partitioned by service, status code, protocol, and method.
# TYPE traefik_router_requests_total counter
traefik_router_requests_total{code="200",method="GET",protocol="http",router="acme-web@docker",service="acme-odoo@docker"} 10
traefik_router_requests_total{code="0",method="GET",protocol="websocket",router="acme-web@docker",service="acme-odoo@docker"} 1
traefik_router_requests_total{code="502",method="POST",protocol="http",service="acme-odoo@docker"} 3
`;

// Traefik v3 (as the simulator serves it): global open_connections, bytes counters, gRPC code.
const V3 = `# HELP traefik_open_connections How many open connections exist, by entryPoint and protocol
# TYPE traefik_open_connections gauge
traefik_open_connections{entrypoint="websecure",protocol="TCP"} 3
# TYPE traefik_router_requests_total counter
traefik_router_requests_total{code="200",method="POST",protocol="http",router="b-web@kubernetescrd",service="b-odoo@kubernetescrd"} 1.234567e+06
traefik_router_requests_total{code="0",method="POST",protocol="grpc",router="b-web@kubernetescrd",service="b-odoo@kubernetescrd"} 4
# TYPE traefik_router_responses_bytes_total counter
traefik_router_responses_bytes_total{code="200",method="POST",protocol="http",router="b-web@kubernetescrd",service="b-odoo@kubernetescrd"} 9.87e+08
# TYPE traefik_router_requests_bytes_total counter
traefik_router_requests_bytes_total{code="200",method="POST",protocol="http",router="b-web@kubernetescrd",service="b-odoo@kubernetescrd"} 5000
traefik_router_requests_bytes_total{code="200",method="POST",protocol="http",router="b-web@kubernetescrd",service="b-odoo@kubernetescrd"} NaN
`;

describe('traefik router metrics', () => {
  it('reads the v2 metric set: histogram, aborted code 0, a router sample without router label rejected', () => {
    const m = readRouterMetrics(V2);
    expect(m.metricSet).toBe('v2');
    expect(m.processStartSeconds).toBe(1772490000);
    expect(m.rejected).toBe(1);
    expect(m.series).toEqual([
      {
        router: 'acme-web@docker',
        service: 'acme-odoo@docker',
        code: '200',
        method: 'GET',
        protocol: 'http',
        requests: 10,
        duration: { bounds: [0.1, 0.3, 1.2, 5], cumulative: [5, 8, 9, 10, 10], sum: 2.75, count: 10 },
      },
      { router: 'acme-web@docker', service: 'acme-odoo@docker', code: '0', method: 'GET', protocol: 'websocket', requests: 1 },
    ]);
  });

  it('reads the v3 metric set: bytes counters, grpc codes, a NaN counter rejected', () => {
    const m = readRouterMetrics(V3);
    expect(m.metricSet).toBe('v3');
    expect(m.processStartSeconds).toBeNull();
    expect(m.rejected).toBe(1);
    expect(m.series[0]).toEqual({
      router: 'b-web@kubernetescrd',
      service: 'b-odoo@kubernetescrd',
      code: '200',
      method: 'POST',
      protocol: 'http',
      requests: 1234567,
      responseBytes: 987000000,
      requestBytes: 5000,
    });
    expect(m.series[1]).toMatchObject({ code: '0', protocol: 'grpc', requests: 4 });
  });

  it('reads the service series of a v2 without router labels, with an empty router; never beside router series', () => {
    const services = `# TYPE traefik_service_requests_total counter
traefik_service_requests_total{code="200",method="GET",protocol="http",service="acme-odoo@docker"} 40
traefik_service_requests_total{code="502",method="GET",protocol="http",service="acme-odoo@docker"} 2
traefik_service_requests_total{code="200",method="GET",protocol="http"} 9
# TYPE traefik_service_request_duration_seconds histogram
traefik_service_request_duration_seconds_bucket{code="200",method="GET",protocol="http",service="acme-odoo@docker",le="0.1"} 30
traefik_service_request_duration_seconds_bucket{code="200",method="GET",protocol="http",service="acme-odoo@docker",le="+Inf"} 40
traefik_service_request_duration_seconds_sum{code="200",method="GET",protocol="http",service="acme-odoo@docker"} 3.5
traefik_service_request_duration_seconds_count{code="200",method="GET",protocol="http",service="acme-odoo@docker"} 40
`;
    const alone = readRouterMetrics(services);
    expect(alone.series).toEqual([
      {
        router: '',
        service: 'acme-odoo@docker',
        code: '200',
        method: 'GET',
        protocol: 'http',
        requests: 40,
        duration: { bounds: [0.1], cumulative: [30, 40], sum: 3.5, count: 40 },
      },
      { router: '', service: 'acme-odoo@docker', code: '502', method: 'GET', protocol: 'http', requests: 2 },
    ]);
    expect(alone.rejected).toBe(1); // the sample without a service label
    const both = readRouterMetrics(V2 + services);
    expect(both.series.every((s) => s.router !== '')).toBe(true);
    expect(both.series.map((s) => s.requests).filter((r) => r !== undefined)).toEqual([10, 1]);
  });

  it('rejects a histogram whose +Inf bucket disagrees with its count', () => {
    const text = V2.replace(
      '_count{code="200",method="GET",protocol="http",router="acme-web@docker",service="acme-odoo@docker"} 10',
      '_count{code="200",method="GET",protocol="http",router="acme-web@docker",service="acme-odoo@docker"} 11',
    );
    const m = readRouterMetrics(text);
    expect(m.series[0]?.duration).toBeUndefined();
    expect(m.rejected).toBe(2);
  });

  it('prints parse records: the exposition first, then router series with null for absent counters', () => {
    const { records, rejected } = parseMetricsText(V2);
    expect(rejected).toBe(1);
    expect(records[0]).toEqual({ type: 'exposition', metricSet: 'v2', processStartSeconds: 1772490000, samples: 13, routerSeries: 2 });
    expect(records[1]).toMatchObject({
      type: 'router-series',
      requestBytes: null,
      durationSeconds: {
        buckets: [
          { le: 0.1, count: 5 },
          { le: 0.3, count: 8 },
          { le: 1.2, count: 9 },
          { le: 5, count: 10 },
          { le: '+Inf', count: 10 },
        ],
        sum: 2.75,
        count: 10,
      },
    });
    expect(JSON.parse(JSON.stringify(records[1]))).toEqual(records[1]);
  });

  it('never throws on any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (noise) => {
        const cut = V2.slice(0, noise.length * 5);
        const m = readRouterMetrics(cut + noise);
        expect(m.rejected).toBeGreaterThanOrEqual(0);
        parseMetricsText(noise);
      }),
      { numRuns: 1000 },
    );
  });
});

const TENANTS = [
  { id: 'acme', hosts: ['acme.erp.example.com', 'erp.acme.de'] },
  { id: 'bergmann', hosts: ['bergmann.erp.example.com'] },
];

describe('router rules', () => {
  it.each([
    ['v3 single Host', 'Host(`acme.erp.example.com`)', 'acme'],
    ['v3 Host alternatives', 'Host(`acme.erp.example.com`) || Host(`erp.acme.de`)', 'acme'],
    ['with PathPrefix', 'Host(`bergmann.erp.example.com`) && PathPrefix(`/web`)', 'bergmann'],
    ['parenthesised', '(Host(`acme.erp.example.com`) || Host(`www.acme.de`)) && !PathPrefix(`/longpolling`)', 'acme'],
    ['v2 several hosts in one Host', 'Host(`erp.acme.de`, `acme.erp.example.com`)', 'acme'],
    ['v2 HostHeader, double quotes, case and port', 'HostHeader("ACME.erp.example.com:443")', 'acme'],
    ['lower-case matcher name (v2)', 'host(`bergmann.erp.example.com`)', 'bergmann'],
    ['v2 HostRegexp template', 'HostRegexp(`{sub:bergmann}.erp.example.com`)', 'bergmann'],
    ['v3 HostRegexp', 'HostRegexp(`^erp\\.acme\\.de$`)', 'acme'],
    ['hosts of two tenants', 'Host(`acme.erp.example.com`) || Host(`bergmann.erp.example.com`)', undefined],
    ['HostRegexp matching both', 'HostRegexp(`{sub:[a-z]+}.erp.example.com`)', undefined],
    ['negated Host', '!Host(`acme.erp.example.com`) && PathPrefix(`/`)', undefined],
    ['no Host', 'PathPrefix(`/`)', undefined],
    ['unknown host', 'Host(`traefik.example.com`)', undefined],
    ['unreadable rule', 'Host(`acme.erp.example.com`', undefined],
    ['empty rule', '', undefined],
  ])('%s', (_, rule, tenant) => {
    expect(tenantOfRule(rule, TENANTS)).toBe(tenant);
  });

  it('lists hosts without the negated ones', () => {
    expect(ruleHosts('Host(`a.test`) && !(Host(`b.test`) || Path(`/x`))')).toMatchObject({ hosts: ['a.test'], patterns: [] });
  });

  it('never throws on any rule', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (rule) => {
        tenantOfRule(rule, TENANTS);
        tenantOfRule(`HostRegexp(\`${rule}\`)`, TENANTS);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('scraping a Traefik behind Basic authentication', () => {
  const PW = 'S3cr3t-b17e';
  const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

  async function traefik(answer: (path: string, auth: string | undefined) => { status: number; body: string }) {
    const seen: { path: string; auth?: string }[] = [];
    const server = createServer((req, res) => {
      const auth = req.headers.authorization;
      seen.push({ path: req.url ?? '', ...(auth !== undefined && { auth }) });
      const { status, body } = answer(req.url ?? '', auth);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { base: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => server.close() };
  }

  it('sends the credentials of the URL, or the password given apart, as a Basic header; the API keeps its own query', async () => {
    const t = await traefik((path) => ({
      status: 200,
      body: path.startsWith('/api/') ? '[{"name":"a@docker","rule":"Host(`a.example`)"}]' : V3,
    }));
    try {
      const scrape = await collect({
        metricsUrl: `http://traefik:${encodeURIComponent('p@ss')}@${t.base}/metrics`,
        apiUrl: `http://traefik@${t.base}/?tenant=x`,
        apiPassword: new Secret(PW),
        now: () => 1,
      });
      expect(scrape.routers).toEqual([{ name: 'a@docker', rule: 'Host(`a.example`)' }]);
      expect(t.seen).toEqual([
        { path: '/metrics', auth: basic('traefik', 'p@ss') },
        { path: '/api/http/routers?tenant=x&per_page=100&page=1', auth: basic('traefik', PW) },
      ]);
    } finally {
      t.close();
    }
  });

  it('names the refusing Traefik in its error without the password', async () => {
    const t = await traefik(() => ({ status: 401, body: 'no' }));
    try {
      const failed = collect({ metricsUrl: `http://traefik:${PW}@${t.base}/metrics?password=${PW}`, now: () => 1 });
      await expect(failed).rejects.toThrow(`Traefik http://${t.base}/metrics?password=*** answered 401`);
    } finally {
      t.close();
    }
  });
});
