import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../services/core/clock';
import { silentLogger } from '../services/core/logger';
import { createMetricsRegistry } from '../services/metrics/registry';
import { apiFixture, as, type ApiFixture } from './api-fixture';

/**
 * The OWASP API Security Top 10 (2023) cases not covered route by route in
 * api-authorization.test.ts (API1 object-level authorization, API2 authentication): API3 mass
 * assignment, API4 unrestricted resource consumption, API7 server-side request forgery, API8
 * security misconfiguration. Input validation itself is fuzzed in api-fuzz.test.ts.
 */
let fx: ApiFixture;
let limited: ApiFixture;

beforeAll(async () => {
  fx = await apiFixture({ ingest: true });
  limited = await apiFixture({ limits: { perAddressPerMinute: 5, perTokenPerMinute: 3, concurrentPushes: 1, pushReadSeconds: 60 } });
});
afterAll(async () => {
  await fx?.close();
  await limited?.close();
});

describe('API3 mass assignment', () => {
  it.each([
    ['recordedBy', 'someone-else'],
    ['recordedAt', '2020-01-01T00:00:00Z'],
    ['id', '00000000-0000-0000-0000-000000000001'],
    ['revokedAt', '2026-03-10T00:00:00Z'],
    // fastify's JSON parser refuses a prototype key outright (its message does not say which)
    ['__proto__', { admin: true }, 'body: not valid JSON'],
  ])('refuses a window that sets %s itself, naming the field', async (field, value, message = field) => {
    const body = JSON.stringify({
      tenant: 't1',
      kind: 'maintenance',
      start: '2026-03-09T02:00:00Z',
      end: '2026-03-09T03:00:00Z',
      reason: 'mass assignment',
    }).replace(/}$/, `,${JSON.stringify(field)}:${JSON.stringify(value)}}`);
    const response = await fx.app.inject({
      method: 'POST',
      url: '/api/v1/exclusions',
      headers: { ...as(fx.tokens.admin), 'content-type': 'application/json' },
      payload: body,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toContain(message);
    const list = await fx.app.inject({ method: 'GET', url: '/api/v1/exclusions?tenant=t1', headers: as(fx.tokens.admin) });
    expect(list.body).not.toContain('mass assignment');
  });
});

describe('API4 unrestricted resource consumption', () => {
  it('answers 429 with Retry-After past the per-address limit, on open routes too', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 7; i++) {
      last = await limited.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '10.9.9.9' });
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(last!.json()).toEqual({ error: expect.stringMatching(/^rate: more than 5 requests a minute from 10\.9\.9\.9; retry in /) });
    // another address is counted apart
    expect((await limited.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '10.9.9.10' })).statusCode).toBe(200);
  });

  it('counts a token wherever it comes from', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await limited.app.inject({
        method: 'GET',
        url: '/api/v1/tenants',
        headers: as(limited.tokens.reader),
        remoteAddress: `10.8.0.${i}`,
      });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    // another token is not held back by it
    const other = await limited.app.inject({
      method: 'GET',
      url: '/api/v1/tenants',
      headers: as(limited.tokens.admin),
      remoteAddress: '10.8.1.1',
    });
    expect(other.statusCode).toBe(200);
  });

  it('refuses bodies past their limits before storing anything: 1 MiB for /api/v1, 8 MiB for a push', async () => {
    const big = JSON.stringify({
      tenant: 't1',
      kind: 'maintenance',
      start: '2026-03-09T02:00:00Z',
      end: '2026-03-09T03:00:00Z',
      reason: 'x'.repeat(1024 * 1024),
    });
    const response = await fx.app.inject({
      method: 'POST',
      url: '/api/v1/exclusions',
      headers: { ...as(fx.tokens.admin), 'content-type': 'application/json' },
      payload: big,
    });
    expect(response.statusCode).toBe(413);
    const declared = await fx.app.inject({
      method: 'POST',
      url: '/ingest/odoo-log/c1',
      headers: { ...as(fx.tokens.ingest), 'content-type': 'text/plain', 'content-length': String(9 * 1024 * 1024) },
      payload: 'x',
    });
    expect(declared.statusCode).toBe(413);
  });
});

describe('API7 server-side request forgery', () => {
  it('takes no URL, host or address from an API caller: collector targets come from the fleet file only', async () => {
    const doc = (await fx.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const names: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`));
      if (typeof node !== 'object' || node === null) return;
      for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
        if (key === 'properties') for (const field of Object.keys(value as object)) names.push(`${path}.${field}`);
        if (key === 'parameters') for (const p of value as { name: string }[]) names.push(`${path}.${p.name}`);
        if (key === 'format' && (value === 'uri' || value === 'hostname' || value === 'ipv4')) names.push(`${path} (${String(value)})`);
        walk(value, `${path}.${key}`);
      }
    };
    for (const [route, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) walk(op as { requestBody?: unknown; parameters?: unknown }, `${method} ${route}`);
    const inputs = names.filter((n) => !/\.responses\./.test(n));
    expect(inputs.length).toBeGreaterThan(10);
    expect(inputs.filter((n) => /url|uri|host|address|endpoint|webhook|callback|\((uri|hostname|ipv4)\)/i.test(n))).toEqual([]);
  });
});

describe('API8 security misconfiguration', () => {
  it('sends the protective headers on every kind of answer, and no framework banner', async () => {
    const answers = await Promise.all([
      fx.app.inject({ method: 'GET', url: '/healthz' }),
      fx.app.inject({ method: 'GET', url: '/metrics' }),
      fx.app.inject({ method: 'GET', url: '/api/v1/tenants' }),
      fx.app.inject({ method: 'GET', url: '/api/v1/tenants', headers: as(fx.tokens.reader) }),
      fx.app.inject({ method: 'GET', url: '/no/such/route' }),
      fx.app.inject({ method: 'GET', url: '/api/v1/reports/2026-03?format=csv', headers: as(fx.tokens.reader) }),
    ]);
    for (const a of answers) {
      expect(a.headers['x-content-type-options']).toBe('nosniff');
      expect(a.headers['x-frame-options']).toBe('DENY');
      expect(a.headers['referrer-policy']).toBe('no-referrer');
      expect(a.headers['cache-control']).toBe('no-store');
      expect(a.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(a.headers['x-powered-by']).toBeUndefined();
      expect(a.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('gives the report page a policy that allows its own stylesheet by hash, and no script at all', async () => {
    const page = await fx.app.inject({ method: 'GET', url: '/api/v1/reports/2026-03/t1?format=html', headers: as(fx.tokens.reader) });
    expect(page.statusCode).toBe(200);
    const policy = String(page.headers['content-security-policy']);
    expect(policy).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$/,
    );
    expect(policy).not.toContain('unsafe');
    expect(policy).not.toContain('script-src');
    // the hash is the hash of the stylesheet the page carries: a browser would apply it
    const css = /<style>([\s\S]*?)<\/style>/.exec(page.body)![1]!;
    expect(policy).toContain(`'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`);
    expect(page.body).not.toMatch(/<script|\son[a-z]+=|style="/i);
  });

  it('answers an unknown route and a fault without stack, version or query text', async () => {
    const response = await fx.app.inject({ method: 'GET', url: '/api/v1/../../etc/passwd?x=1' });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(response.body).not.toMatch(/at .*\.ts:\d+|node_modules|fastify|SELECT/i);
  });

  it('shows the tenant names on /metrics only on tenant_info, and not at all when hidden', async () => {
    const clock = new ManualClock(Date.parse('2026-03-20T12:00:00Z'));
    const shown = await createMetricsRegistry(fx.db.pool, { version: 'x', revision: 'y' }, silentLogger, clock).metrics();
    const hidden = await createMetricsRegistry(fx.db.pool, { version: 'x', revision: 'y' }, silentLogger, clock, {
      tenantNames: false,
    }).metrics();
    const withName = shown.split('\n').filter((l) => l.includes('Tenant Two'));
    expect(withName.length).toBe(1);
    expect(withName[0]).toMatch(/^tenantscope_tenant_info\{/);
    expect(hidden).not.toContain('Tenant Two');
    expect(hidden).toMatch(/^tenantscope_tenant_info\{tenant="t2",cluster="c1",tier="standard"\} 1$/m);
  });
});
