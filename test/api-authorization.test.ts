import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../services/core/secret';
import { apiFixture, as, type ApiFixture } from './api-fixture';

/**
 * Broken object-level authorization and broken authentication (OWASP API1, API2), route by route:
 * every route of the OpenAPI document, and the push route and /metrics beside it, asked with no
 * token, a forged one, a revoked one, and each role's. "tenant" is t1's token on t1's resources;
 * "other-tenant" is t2's token on the same resources (t2 shares t1's cluster, so it sees the
 * cluster's windows but never t1's own). A route added to the API without a row here fails the
 * first test.
 */
type Who = 'none' | 'bad' | 'revoked' | 'read-only' | 'tenant' | 'other-tenant' | 'ingest' | 'admin';
const WHO: readonly Who[] = ['none', 'bad', 'revoked', 'read-only', 'tenant', 'other-tenant', 'ingest', 'admin'];

interface Row {
  method: 'GET' | 'POST';
  /** The path of the OpenAPI document, `{param}` as written there. */
  route: string;
  /** The path asked for. */
  url: string;
  body?: () => unknown;
  contentType?: string;
  /** The status each caller gets; `filtered` is a 200 whose body names no t1 resource. */
  expect: Record<Who, number | 'filtered'>;
}

const ANONYMOUS = { none: 401, bad: 401, revoked: 401 } as const;
const OPEN = { none: 200, bad: 200, revoked: 200, 'read-only': 200, tenant: 200, 'other-tenant': 200, ingest: 200, admin: 200 };
/** A route that reads one of t1's resources. */
const T1_RESOURCE = { ...ANONYMOUS, 'read-only': 200, tenant: 200, 'other-tenant': 404, ingest: 403, admin: 200 } as const;
/** A list every reading role gets, filtered for tenant tokens. */
const LIST = { ...ANONYMOUS, 'read-only': 200, tenant: 200, 'other-tenant': 'filtered', ingest: 403, admin: 200 } as const;
/** A route that changes what customers are owed: admins only. */
const WRITE = { ...ANONYMOUS, 'read-only': 403, tenant: 403, 'other-tenant': 403, ingest: 403, admin: 0 } as const;

let fx: ApiFixture;
let t1Window = '';
let rows: Row[] = [];
const window = (start: string) => ({ tenant: 't1', kind: 'maintenance', start, end: start.replace('T02', 'T03'), reason: 'matrix' });
let day = 1;

beforeAll(async () => {
  fx = await apiFixture({ ingest: true });
  const created = await fx.app.inject({
    method: 'POST',
    url: '/api/v1/exclusions',
    headers: as(fx.tokens.admin),
    payload: window('2026-03-02T02:00:00Z'),
  });
  t1Window = (created.json() as { id: string }).id;
  let second = 0;
  const line = () =>
    `2026-03-20 12:30:${String(second++ % 60).padStart(2, '0')},${String(second).padStart(3, '0')} 42 INFO db_t1 werkzeug: 10.0.0.1 - - [20/Mar/2026 12:30:00] "GET /web HTTP/1.1" 200 - 1 0.010 0.020\n`;
  const PUSH = { ...ANONYMOUS, 'read-only': 403, tenant: 403, 'other-tenant': 403, ingest: 200, admin: 403 } as const;
  rows = [
    { method: 'GET', route: '/api/v1/tenants', url: '/api/v1/tenants', expect: LIST },
    { method: 'GET', route: '/api/v1/tenants/{id}', url: '/api/v1/tenants/t1', expect: T1_RESOURCE },
    { method: 'GET', route: '/api/v1/exclusions', url: '/api/v1/exclusions', expect: LIST },
    { method: 'GET', route: '/api/v1/exclusions', url: '/api/v1/exclusions?tenant=t1', expect: T1_RESOURCE },
    {
      method: 'POST',
      route: '/api/v1/exclusions',
      url: '/api/v1/exclusions',
      // a fresh window for each admin call, so none is refused as a duplicate
      body: () => window(`2026-03-${String(++day + 2).padStart(2, '0')}T02:00:00Z`),
      expect: { ...WRITE, admin: 201 },
    },
    { method: 'GET', route: '/api/v1/exclusions/{id}/audit', url: '', expect: T1_RESOURCE },
    {
      method: 'POST',
      route: '/api/v1/exclusions/{id}/revoke',
      url: '',
      body: () => ({ reason: 'matrix' }),
      expect: { ...WRITE, admin: 200 },
    },
    { method: 'GET', route: '/api/v1/noisy/incidents', url: '/api/v1/noisy/incidents', expect: LIST },
    { method: 'GET', route: '/api/v1/noisy/incidents', url: '/api/v1/noisy/incidents?tenant=t1', expect: T1_RESOURCE },
    { method: 'GET', route: '/api/v1/reports/{month}', url: '/api/v1/reports/2026-03', expect: LIST },
    { method: 'GET', route: '/api/v1/reports/{month}', url: '/api/v1/reports/2026-03?format=csv', expect: LIST },
    { method: 'GET', route: '/api/v1/reports/{month}/{tenant}', url: '/api/v1/reports/2026-03/t1', expect: T1_RESOURCE },
    { method: 'GET', route: '/api/v1/reports/{month}/{tenant}', url: '/api/v1/reports/2026-03/t1?format=html', expect: T1_RESOURCE },
    {
      method: 'GET',
      route: '/api/v1/reports/{month}/{tenant}/revisions',
      url: '/api/v1/reports/2026-03/t1/revisions',
      expect: T1_RESOURCE,
    },
    { method: 'GET', route: '/api/v1/usage/{month}', url: '/api/v1/usage/2026-03', expect: LIST },
    { method: 'GET', route: '/healthz', url: '/healthz', expect: OPEN },
    { method: 'GET', route: '/readyz', url: '/readyz', expect: OPEN },
    { method: 'GET', route: '/openapi.json', url: '/openapi.json', expect: OPEN },
    { method: 'GET', route: '/metrics', url: '/metrics', expect: OPEN },
    {
      method: 'POST',
      route: '/ingest/odoo-log/{cluster}',
      url: '/ingest/odoo-log/c1',
      body: line,
      contentType: 'text/plain',
      expect: PUSH,
    },
    // the ingest token names c1 only: c2 exists, and is as unknown to it as a cluster that does not
    {
      method: 'POST',
      route: '/ingest/odoo-log/{cluster}',
      url: '/ingest/odoo-log/c2',
      body: line,
      contentType: 'text/plain',
      expect: { ...PUSH, ingest: 404 },
    },
  ];
  for (const row of rows) if (row.url === '') row.url = row.route.replace('{id}', t1Window);
});
afterAll(async () => fx?.close());

const tokenOf = (who: Who): string | undefined =>
  ({
    none: undefined,
    bad: 'tsk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    revoked: fx.tokens.revoked,
    'read-only': fx.tokens.reader,
    tenant: fx.tokens.t1,
    'other-tenant': fx.tokens.t2,
    ingest: fx.tokens.ingest,
    admin: fx.tokens.admin,
  })[who];

describe('authorization matrix', () => {
  it('has a row for every route of the OpenAPI document, the push route and /metrics', async () => {
    const doc = (await fx.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, object> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const covered = new Set(rows.map((r) => `${r.method} ${r.route}`));
    expect(documented.filter((route) => !covered.has(route))).toEqual([]);
    expect(covered).toContain('POST /ingest/odoo-log/{cluster}');
    expect(covered).toContain('GET /metrics');
  });

  it('gives each caller on each route the answer its role allows, and nothing of t1 to another tenant', async () => {
    const wrong: string[] = [];
    let cases = 0;
    // revoking routes last: they end the window the reading rows ask for
    const ordered = [...rows].sort((a, b) => Number(a.route.endsWith('/revoke')) - Number(b.route.endsWith('/revoke')));
    for (const row of ordered) {
      for (const who of WHO) {
        cases += 1;
        const token = tokenOf(who);
        const response = await fx.app.inject({
          method: row.method,
          url: row.url,
          headers: { ...as(token), ...(row.contentType && { 'content-type': row.contentType }) },
          ...(row.body && { payload: row.body() as string }),
        });
        const want = row.expect[who];
        const status = want === 'filtered' ? 200 : want;
        const problem =
          response.statusCode !== status
            ? `got ${response.statusCode} ${response.body.slice(0, 120)}`
            : want === 'filtered' && /"t1"|\bt1\b,|\/t1\b/.test(response.body)
              ? `the answer names t1: ${response.body.slice(0, 160)}`
              : status === 401 && response.headers['www-authenticate'] !== 'Bearer realm="tenantscope"'
                ? 'a 401 without the Bearer challenge'
                : undefined;
        if (problem) wrong.push(`${row.method} ${row.url} as ${who}: want ${want}, ${problem}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(cases).toBe(rows.length * WHO.length);
  });

  it('takes a token only from the Authorization header, in the Bearer scheme', async () => {
    const attempts = [
      { url: `/api/v1/tenants?access_token=${fx.tokens.admin}`, headers: {} },
      { url: '/api/v1/tenants', headers: { authorization: `Basic ${Buffer.from(`x:${fx.tokens.admin}`).toString('base64')}` } },
      { url: '/api/v1/tenants', headers: { authorization: fx.tokens.admin } },
      { url: '/api/v1/tenants', headers: { cookie: `token=${fx.tokens.admin}` } },
      { url: '/api/v1/tenants', headers: { authorization: `Bearer ${fx.tokens.admin}x` } },
    ];
    for (const attempt of attempts) expect((await fx.app.inject({ method: 'GET', ...attempt })).statusCode, attempt.url).toBe(401);
  });
});

describe('/metrics behind credentials', () => {
  let bearer: ApiFixture;
  let basic: ApiFixture;
  beforeAll(async () => {
    bearer = await apiFixture({ metricsAuth: { kind: 'bearer', token: new Secret('scrape-me-2026') } });
    basic = await apiFixture({ metricsAuth: { kind: 'basic', username: 'prometheus', password: new Secret('s3cret:pass') } });
  });
  afterAll(async () => {
    await bearer?.close();
    await basic?.close();
  });

  it('answers 401 with the challenge of its kind without them, 200 with them (as Prometheus sends them)', async () => {
    const scrape = (fixture: ApiFixture, authorization?: string) =>
      fixture.app.inject({ method: 'GET', url: '/metrics', headers: authorization === undefined ? {} : { authorization } });
    const basicOf = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    expect((await scrape(bearer)).statusCode).toBe(401);
    expect((await scrape(bearer)).headers['www-authenticate']).toBe('Bearer realm="tenantscope-metrics"');
    expect((await scrape(bearer, 'Bearer scrape-me-2025')).statusCode).toBe(401);
    // an API token is not the scrape token
    expect((await scrape(bearer, `Bearer ${bearer.tokens.admin}`)).statusCode).toBe(401);
    expect((await scrape(bearer, 'Bearer scrape-me-2026')).statusCode).toBe(200);
    expect((await scrape(basic)).headers['www-authenticate']).toBe('Basic realm="tenantscope-metrics"');
    expect((await scrape(basic, basicOf('prometheus', 's3cret'))).statusCode).toBe(401);
    expect((await scrape(basic, basicOf('grafana', 's3cret:pass'))).statusCode).toBe(401);
    expect((await scrape(basic, basicOf('prometheus', 's3cret:pass'))).statusCode).toBe(200);
    // the probes stay open for the orchestrator
    expect((await bearer.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
