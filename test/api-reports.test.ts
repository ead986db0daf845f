import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../services/api/app';
import { ManualClock } from '../services/core/clock';
import { silentLogger } from '../services/core/logger';
import { sha256Hex } from '../services/sla/canonical';
import { verifySeal } from '../services/sla/signature';
import { apiFixture, as, HOSTILE_NAME, type ApiFixture } from './api-fixture';

const KEY = Buffer.from('test signing key, never used elsewhere');
let f: ApiFixture;
beforeAll(async () => {
  f = await apiFixture({ signingKey: KEY });
});
afterAll(() => f.close());

const get = (url: string, token = f.tokens.admin) => f.app.inject({ method: 'GET', url, headers: as(token) });

describe('reports', () => {
  it("gives one tenant's month as JSON with digest, signature, revision and status", async () => {
    const res = await get('/api/v1/reports/2026-03/t1');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ tenant: 't1', month: '2026-03', revision: 0, status: 'month-to-date', signed: true });
    // month to date: 2026-02-28T23:00Z (Berlin midnight) to 11:55Z, five minutes before the clock's
    // 12:00Z (the minutes that have closed): 28,135 probed minutes, 30 failed; nothing of the future
    expect(body.report.minutes).toEqual({ total: 28135, good: 28105, bad: 30, excluded: 0, nodata: 0 });
    expect(body.report.monthToDate).toEqual({
      asOf: '2026-03-20T11:55:00.000Z',
      minutesElapsed: 28135,
      minutesRemaining: 44580 - 28135,
      scheduledExcludedMinutes: 0,
      creditProvisional: true,
      // business tier, 99.9 %: a month of 44,580 measured minutes may have 44 bad ones
      errorBudget: { totalMinutes: 44, usedMinutes: 30, leftMinutes: 14 },
      creditSteps: expect.any(Array),
    });
    expect(body.reason).toBe(
      'month to date as of 2026-03-20T11:55:00.000Z: 28135 minutes elapsed, 16445 to come; figures and credit provisional',
    );
    expect(body.report).toMatchObject({
      availabilityDisplay: '99.89',
      targetMet: false,
      creditPercent: 10,
      creditMinor: '10000',
      currency: 'EUR',
    });
    expect(body.report.incidents).toEqual([
      {
        start: '2026-03-05T10:00:00.000Z',
        end: '2026-03-05T10:30:00.000Z',
        minutes: 30,
        signals: [{ signal: 'probe-failure', minutes: 30 }],
      },
    ]);
    expect(body.digest).toBe(sha256Hex(body.report));
    expect(verifySeal(body.report, { algorithm: 'hmac-sha256', digest: body.digest, signature: body.signature }, KEY)).toBe(true);
  });

  it('gives every tenant of a month as JSON, and as billing CSV with exact amounts', async () => {
    const json = (await get('/api/v1/reports/2026-03')).json();
    expect(json.reports.map((r: { tenant: string }) => r.tenant)).toEqual(['t1', 't2', 't3']);
    const res = await get('/api/v1/reports/2026-03?format=csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.body.split('\r\n');
    expect(lines[0]).toBe(
      'tenant,name,month,tier,target_percent,availability_percent,target_met,good_minutes,bad_minutes,excluded_minutes,nodata_minutes,coverage_percent,credit_percent,credit_amount,currency,revision,status,provisional,digest',
    );
    // the name's comma and quotes are quoted per RFC 4180; 10 % of 999.99 EUR is exactly 100.00
    expect(lines[1]).toBe(
      `t1,"Acme, ""Clinics"" <script>alert(1)</script>",2026-03,business,99.9,99.89,false,28105,30,0,0,100.00,10,100.00,EUR,0,month-to-date,true,${json.reports[0].digest}`,
    );
    expect(lines[2]).toMatch(
      /^t2,Tenant Two,2026-03,standard,99\.5,100\.00,true,28135,0,0,0,100\.00,0,0,JPY,0,month-to-date,true,[0-9a-f]{64}$/,
    );
    expect(lines).toHaveLength(5); // header, three tenants, and the empty string after the last CRLF
  });

  it('gives the printable page with every value escaped', async () => {
    const res = await get('/api/v1/reports/2026-03/t1?format=html');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).not.toContain('<script>');
    expect(res.body).toContain('Acme, &quot;Clinics&quot; &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.body).toContain('99.89 %');
    // month to date: the minutes to come are not "without data", so no coverage warning
    expect(res.body).not.toContain('Coverage warning');
    expect(res.body).toContain('<strong>provisional</strong>, if the month ended now');
    expect(res.body).toContain('28135 minutes elapsed, 16445 to come');
    expect((res.body.match(/<rect class="bar /g) ?? []).length).toBe(31);
    expect(HOSTILE_NAME).toContain('<script>');
  });

  it('lists frozen revisions (none yet) and answers an unknown revision with 404 naming it', async () => {
    expect((await get('/api/v1/reports/2026-03/t1/revisions')).json()).toEqual({ tenant: 't1', month: '2026-03', revisions: [] });
    expect((await get('/api/v1/reports/2026-03/t1?revision=3')).json()).toEqual({ error: 'revision: no revision 3 of t1 2026-03' });
  });

  it('answers bad input with 400 naming the field and unknown things with 404', async () => {
    expect((await get('/api/v1/reports/2026-13')).json()).toEqual({ error: 'month: expected YYYY-MM from 1970-01 to 9999-12' });
    expect((await get('/api/v1/reports/march/t1')).json()).toEqual({ error: 'month: expected YYYY-MM from 1970-01 to 9999-12' });
    expect((await get('/api/v1/reports/2026-03/t1?format=pdf')).json()).toEqual({ error: 'format: expected one of the listed formats' });
    expect((await get('/api/v1/reports/2026-03/t1?revision=x')).json()).toEqual({
      error: 'revision: expected a revision number (1, 2, ...)',
    });
    expect((await get('/api/v1/reports/2026-03/T1')).json()).toEqual({ error: 'tenant: expected a tenant id ([a-z0-9][a-z0-9_-]*)' });
    expect((await get('/api/v1/reports/2026-03/ghost')).json()).toEqual({ error: 'tenant: no tenant "ghost"' });
    const future = await get('/api/v1/reports/2027-01/t1');
    expect(future.statusCode).toBe(404);
    expect(future.json().error).toBe('month: no report for t1 in 2027-01 (the month has not begun)');
  });
});

describe('a failure inside', () => {
  it('answers 500 with no internals', async () => {
    const broken = { query: async () => Promise.reject(new Error('connect ECONNREFUSED postgres://postgres:secret@db:5432/x')) };
    const app = await buildApi({
      log: silentLogger,
      metrics: new Registry(),
      readiness: [],
      api: {
        pool: f.db.pool,
        reports: {
          db: broken,
          fleet: f.fleet,
          clock: new ManualClock(Date.parse('2026-03-20T12:00:00Z')),
          signingKey: null,
          graceHours: 72,
        },
      },
    });
    const res = await app.inject({ url: '/api/v1/reports/2026-03/t1', headers: as(f.tokens.admin) });
    await app.close();
    expect(res.statusCode).toBe(500);
    expect(res.body).toBe('{"error":"internal error"}');
  });
});

describe('/openapi.json', () => {
  it('documents every route from the route schemas, with bearer security on /api/v1', async () => {
    const doc = (await f.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'GET /api/v1/exclusions',
        'GET /api/v1/exclusions/{id}/audit',
        'GET /api/v1/noisy/incidents',
        'GET /api/v1/reports/{month}',
        'GET /api/v1/reports/{month}/{tenant}',
        'GET /api/v1/reports/{month}/{tenant}/revisions',
        'GET /api/v1/tenants',
        'GET /api/v1/tenants/{id}',
        'GET /api/v1/usage/{month}',
        'GET /healthz',
        'GET /metrics',
        'GET /openapi.json',
        'GET /readyz',
        'POST /api/v1/exclusions',
        'POST /api/v1/exclusions/{id}/revoke',
      ].sort(),
    );
    const report = doc.paths['/api/v1/reports/{month}/{tenant}'].get;
    expect(report.security).toEqual([{ bearer: [] }]);
    expect(report.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual([
      'path:month',
      'path:tenant',
      'query:format',
      'query:revision',
    ]);
    expect(report.parameters[0].schema.pattern).toBe('^(19[7-9]\\d|[2-9]\\d{3})-(0[1-9]|1[0-2])$');
    expect(doc.paths['/api/v1/exclusions'].post.requestBody.content['application/json'].schema.required).toEqual([
      'kind',
      'start',
      'end',
      'reason',
    ]);
    expect(doc.paths['/metrics'].get.security).toEqual([]);
  });
});
