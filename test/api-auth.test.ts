import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTokens, revokeToken } from '../services/auth/token-store';
import { apiFixture, as, type ApiFixture } from './api-fixture';

let f: ApiFixture;
beforeAll(async () => {
  f = await apiFixture();
});
afterAll(() => f.close());

const get = (url: string, token?: string) => f.app.inject({ method: 'GET', url, headers: as(token) });

describe('bearer tokens', () => {
  it('refuses /api/v1 without a token, with a bad token and with a malformed header (401, Bearer challenge)', async () => {
    for (const headers of [{}, { authorization: 'Bearer tsk_not-a-token' }, { authorization: `Basic ${f.tokens.admin}` }]) {
      const res = await f.app.inject({ method: 'GET', url: '/api/v1/tenants', headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="tenantscope"');
      expect(res.json().error).toMatch(/bearer token/);
    }
  });

  it('keeps /metrics, /healthz, /readyz and /openapi.json open', async () => {
    for (const url of ['/metrics', '/healthz', '/readyz', '/openapi.json']) expect((await get(url)).statusCode, url).toBe(200);
  });

  it('stores only the SHA-256 of a token', async () => {
    const { rows } = await f.db.pool.query<{ token_hash: string }>('SELECT token_hash FROM api_token');
    expect(rows).toHaveLength(6);
    for (const r of rows) expect(r.token_hash).toMatch(/^[0-9a-f]{64}$/);
    const all = JSON.stringify(rows);
    for (const t of Object.values(f.tokens)) expect(all).not.toContain(t);
  });

  it('lets admin and read-only tokens see every tenant', async () => {
    for (const token of [f.tokens.admin, f.tokens.reader]) {
      const res = await get('/api/v1/tenants', token);
      expect(res.statusCode).toBe(200);
      expect(res.json().tenants.map((t: { id: string }) => t.id)).toEqual(['t1', 't2', 't3']);
      expect((await get('/api/v1/tenants/t3', token)).json()).toMatchObject({
        id: 't3',
        cluster: 'c2',
        tier: 'mission',
        monthlyFee: { amount: '50.00', currency: 'USD' },
      });
    }
  });

  it('shows a tenant token its own tenant only: lists filtered, another tenant is 404 (never 403)', async () => {
    const list = await get('/api/v1/tenants', f.tokens.t2);
    expect(list.json().tenants.map((t: { id: string }) => t.id)).toEqual(['t2']);
    expect((await get('/api/v1/tenants/t2', f.tokens.t2)).statusCode).toBe(200);
    const other = await get('/api/v1/tenants/t1', f.tokens.t2);
    expect(other.statusCode).toBe(404);
    expect(other.json()).toEqual({ error: 'tenant: no tenant "t1"' });
    // the same answer as for a tenant that does not exist: nothing to learn by probing
    expect((await get('/api/v1/tenants/nope', f.tokens.t2)).json()).toEqual({ error: 'tenant: no tenant "nope"' });
    expect((await get('/api/v1/reports/2026-03/t1', f.tokens.t2)).statusCode).toBe(404);
    expect((await get('/api/v1/reports/2026-03/t1/revisions', f.tokens.t2)).statusCode).toBe(404);
    expect((await get('/api/v1/reports/2026-03/t2', f.tokens.t2)).statusCode).toBe(200);
    const month = await get('/api/v1/reports/2026-03', f.tokens.t2);
    expect(month.json().reports.map((r: { tenant: string }) => r.tenant)).toEqual(['t2']);
    const csv = await get('/api/v1/reports/2026-03?format=csv', f.tokens.t2);
    expect(csv.body.trim().split('\r\n')).toHaveLength(2);
  });

  it('lets only admin tokens write: read-only and tenant tokens get 403', async () => {
    const body = { tenant: 't2', kind: 'customer', start: '2026-03-02T10:00:00Z', end: '2026-03-02T11:00:00Z', reason: 'customer import' };
    for (const token of [f.tokens.reader, f.tokens.t2]) {
      const res = await f.app.inject({ method: 'POST', url: '/api/v1/exclusions', headers: as(token), payload: body });
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toMatch(/may not change exclusion windows/);
    }
    const { rowCount } = await f.db.pool.query('SELECT 1 FROM sla_exclusion');
    expect(rowCount).toBe(0);
  });

  it('refuses a revoked token', async () => {
    const before = await get('/api/v1/tenants', f.tokens.reader);
    expect(before.statusCode).toBe(200);
    await revokeToken(f.db.pool, 'grafana-reader', new Date());
    expect((await get('/api/v1/tenants', f.tokens.reader)).statusCode).toBe(401);
    const listed = (await listTokens(f.db.pool)).find((t) => t.name === 'grafana-reader');
    expect(listed?.revokedAt).not.toBeNull();
    expect(listed).not.toHaveProperty('token');
  });
});
