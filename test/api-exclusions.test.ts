import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, as, type ApiFixture } from './api-fixture';

let f: ApiFixture;
beforeAll(async () => {
  f = await apiFixture();
});
afterAll(() => f.close());

const post = (url: string, payload: object, token = f.tokens.admin) => f.app.inject({ method: 'POST', url, headers: as(token), payload });
const get = (url: string, token = f.tokens.admin) => f.app.inject({ method: 'GET', url, headers: as(token) });

describe('exclusion windows through the API', () => {
  it('records, lists, revokes and audits a window; who is the token name', async () => {
    const created = await post('/api/v1/exclusions', {
      tenant: 't1',
      kind: 'maintenance',
      start: '2026-03-10T02:00:00Z',
      end: '2026-03-10T04:00:00Z',
      reason: 'PostgreSQL 16 upgrade',
    });
    expect(created.statusCode).toBe(201);
    const x = created.json();
    expect(x).toMatchObject({
      tenant: 't1',
      cluster: null,
      kind: 'maintenance',
      start: '2026-03-10T02:00:00.000Z',
      recordedBy: 'ops-admin',
      recordedAt: '2026-03-20T12:00:00.000Z',
      revokedAt: null,
    });

    const listed = await get('/api/v1/exclusions?tenant=t1');
    expect(listed.json().exclusions.map((e: { id: string }) => e.id)).toEqual([x.id]);

    // the report now takes those 120 minutes out
    const report = (await get('/api/v1/reports/2026-03/t1')).json();
    expect(report.report.minutes.excluded).toBe(120);
    expect(report.report.exclusions[0]).toMatchObject({ reason: 'PostgreSQL 16 upgrade', recordedBy: 'ops-admin', minutes: 120 });

    const revoked = await post(`/api/v1/exclusions/${x.id}/revoke`, { reason: 'upgrade postponed' });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ id: x.id, revokedBy: 'ops-admin', revokeReason: 'upgrade postponed' });
    expect((await get('/api/v1/reports/2026-03/t1')).json().report.minutes.excluded).toBe(0);

    const audit = await get(`/api/v1/exclusions/${x.id}/audit`);
    expect(audit.statusCode).toBe(200);
    expect(audit.json().audit.map((a: { action: string; by: string }) => [a.action, a.by])).toEqual([
      ['recorded', 'ops-admin'],
      ['revoked', 'ops-admin'],
    ]);
  });

  it("shows a tenant token its own and its cluster's windows only; another tenant's window is 404", async () => {
    const cluster = (
      await post('/api/v1/exclusions', {
        cluster: 'c1',
        kind: 'force-majeure',
        start: '2026-03-12T00:00:00Z',
        end: '2026-03-12T01:00:00Z',
        reason: 'data centre power',
      })
    ).json();
    const other = (
      await post('/api/v1/exclusions', {
        cluster: 'c2',
        kind: 'maintenance',
        start: '2026-03-12T00:00:00Z',
        end: '2026-03-12T01:00:00Z',
        reason: 'c2 switch',
      })
    ).json();
    const t1only = (
      await post('/api/v1/exclusions', {
        tenant: 't1',
        kind: 'customer',
        start: '2026-03-13T00:00:00Z',
        end: '2026-03-13T01:00:00Z',
        reason: 'customer load test',
      })
    ).json();

    const seen = (await get('/api/v1/exclusions', f.tokens.t2)).json().exclusions.map((e: { id: string }) => e.id);
    expect(seen).toContain(cluster.id);
    expect(seen).not.toContain(other.id);
    expect(seen).not.toContain(t1only.id);
    expect((await get(`/api/v1/exclusions/${t1only.id}/audit`, f.tokens.t2)).statusCode).toBe(404);
    expect((await get(`/api/v1/exclusions/${cluster.id}/audit`, f.tokens.t2)).statusCode).toBe(200);
    expect((await get('/api/v1/exclusions?tenant=t1', f.tokens.t2)).statusCode).toBe(404);
  });

  it('answers bad input with 400 naming the field, unknown ids with 404', async () => {
    const cases: [object, RegExp][] = [
      [
        { tenant: 't1', kind: 'holiday', start: '2026-03-10T02:00:00Z', end: '2026-03-10T04:00:00Z', reason: 'x' },
        /^kind: expected one of maintenance, customer, force-majeure$/,
      ],
      [
        { tenant: 't1', kind: 'customer', start: 'yesterday', end: '2026-03-10T04:00:00Z', reason: 'x' },
        /^start: expected an ISO 8601 time/,
      ],
      [
        { tenant: 't1', kind: 'customer', start: '2026-03-10T05:00:00Z', end: '2026-03-10T04:00:00Z', reason: 'x' },
        /^end: expected a time after start$/,
      ],
      [
        { tenant: 't1', cluster: 'c1', kind: 'customer', start: '2026-03-10T02:00:00Z', end: '2026-03-10T04:00:00Z', reason: 'x' },
        /^tenant: expected exactly one of tenant or cluster$/,
      ],
      [
        { tenant: 'zz', kind: 'customer', start: '2026-03-10T02:00:00Z', end: '2026-03-10T04:00:00Z', reason: 'x' },
        /^tenant: unknown tenant "zz"$/,
      ],
      [{ tenant: 't1', kind: 'customer', start: '2026-03-10T02:00:00Z', end: '2026-03-10T04:00:00Z' }, /^reason: required$/],
      [
        { tenant: 't1', kind: 'customer', start: '2026-03-10T02:00:00Z', end: '2026-03-10T04:00:00Z', reason: 'x', who: 'me' },
        /^who: unknown field$/,
      ],
    ];
    for (const [body, message] of cases) {
      const res = await post('/api/v1/exclusions', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error).toMatch(message);
    }
    expect((await post('/api/v1/exclusions/99999/revoke', { reason: 'x' })).json()).toEqual({ error: 'id: no exclusion window 99999' });
    expect((await get('/api/v1/exclusions/99999/audit')).statusCode).toBe(404);
    expect((await get('/api/v1/exclusions/abc/audit')).json()).toEqual({ error: 'id: expected an exclusion window id (digits)' });
  });
});
