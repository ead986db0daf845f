import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, API_FLEET_YAML, type ApiFixture } from './api-fixture';
import { runTenantscope } from './helpers/processes';

// The CLI on this test's database, unsigned.
const tenantscope = (args: string[]) =>
  runTenantscope(args, { TENANTSCOPE_DATABASE_URL: f.db.url, TENANTSCOPE_LOG_LEVEL: 'silent', TENANTSCOPE_SIGNING_KEY_FILE: undefined });

let f: ApiFixture;
let fleetFile: string;
beforeAll(async () => {
  f = await apiFixture();
  fleetFile = join(mkdtempSync(join(tmpdir(), 'tenantscope-api-cli-')), 'fleet.yaml');
  writeFileSync(fleetFile, API_FLEET_YAML);
});
afterAll(() => f.close());

describe('tenantscope token', () => {
  it('creates a token printed once, lists without it, revokes it; the API follows', async () => {
    const created = await tenantscope(['token', 'create', '--name', 'billing', '--role', 'tenant', '--tenant', 't2']);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^tsk_[A-Za-z0-9_-]{43}$/);
    const headers = { authorization: `Bearer ${token}` };
    expect((await f.app.inject({ url: '/api/v1/tenants', headers })).json().tenants.map((t: { id: string }) => t.id)).toEqual(['t2']);

    const listed = await tenantscope(['token', 'list']);
    expect(listed.stdout).toMatch(/^billing\ttenant\tt2\t-\t\S+\t-$/m);
    expect(listed.stdout).not.toContain(token);

    expect((await tenantscope(['token', 'revoke', 'billing'])).code).toBe(0);
    expect((await tenantscope(['token', 'list'])).stdout).toMatch(/^billing\ttenant\tt2\t-\t\S+\t20\d\d-/m);
    expect((await f.app.inject({ url: '/api/v1/tenants', headers })).statusCode).toBe(401);
  }, 60_000);

  it.each([
    [['token', 'create', '--name', 'x', '--role', 'owner'], /--role expected one of admin, read-only, tenant/],
    [['token', 'create', '--name', 'x', '--role', 'tenant'], /tenant: a tenant token needs --tenant ID/],
    [['token', 'create', '--name', 'x', '--role', 'tenant', '--tenant', 'ghost'], /tenant: no tenant "ghost"/],
    [['token', 'create', '--name', 'ops-admin', '--role', 'admin'], /a token named "ops-admin" exists already/],
    [['token', 'revoke', 'nobody'], /no token named "nobody"/],
  ])(
    'refuses %j with exit 2',
    async (args, message) => {
      const res = await tenantscope(args);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(message);
    },
    30_000,
  );
});

describe('tenantscope report', () => {
  it("prints the billing CSV, one tenant's JSON and its HTML page from the database", async () => {
    const csv = await tenantscope(['report', '--month', '2026-03', '--format', 'csv', '--fleet', fleetFile]);
    expect(csv.code).toBe(0);
    const rows = csv.stdout.split('\r\n');
    expect(rows).toHaveLength(5);
    expect(rows[1]).toMatch(/^t1,"Acme, ""Clinics"" <script>alert\(1\)<\/script>",2026-03,business,/);

    const json = await tenantscope(['report', '--month', '2026-03', '--tenant', 't1', '--fleet', fleetFile]);
    const body = JSON.parse(json.stdout);
    expect(body).toMatchObject({ tenant: 't1', month: '2026-03', signed: false, signature: null });
    expect(body.report.minutes.bad).toBe(30);
    expect(body.report.incidents).toHaveLength(1);

    const html = await tenantscope(['report', '--month', '2026-03', '--tenant', 't1', '--format', 'html', '--fleet', fleetFile]);
    expect(html.stdout).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.stdout).not.toContain('<script>');
  }, 60_000);

  it.each([
    [['report', '--month', '2026-3'], /--month expected YYYY-MM/],
    [['report', '--month', '2026-03', '--format', 'pdf'], /--format expected one of json, csv, html/],
    [['report', '--month', '2026-03', '--format', 'html'], /--format html is one tenant's page/],
    [['report', '--month', '2026-03', '--tenant', 'ghost'], /--tenant expected a tenant of/],
  ])(
    'refuses %j with exit 2',
    async (args, message) => {
      const res = await tenantscope([...args, '--fleet', fleetFile]);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(message);
    },
    30_000,
  );
});
