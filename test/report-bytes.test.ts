import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freezeTenantMonth } from '../services/sla/freeze';
import { apiFixture, API_FLEET_YAML, as, type ApiFixture } from './api-fixture';
import { runTenantscope } from './helpers/processes';

/**
 * One report, one signature: `tenantscope report` prints the bytes the API serves for the same
 * frozen month, signed with the HMAC when a signing key is configured, unsigned (and saying so on
 * stderr) when not. The fleet comes from --fleet, else TENANTSCOPE_FLEET_FILE, else the database.
 */
const KEY = '0123456789abcdef0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'tenantscope-report-bytes-'));
const keyFile = join(dir, 'signing.key');
const fleetFile = join(dir, 'fleet.yaml');
writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 });
writeFileSync(fleetFile, API_FLEET_YAML);

const cases: { name: string; key: Buffer | null }[] = [
  { name: 'signed', key: Buffer.from(KEY) },
  { name: 'unsigned', key: null },
];
const fixtures = new Map<string, ApiFixture>();

beforeAll(async () => {
  for (const c of cases) {
    const f = await apiFixture(c.key ? { signingKey: c.key } : {});
    // March 2026 is closed (72 h of grace) and frozen for every tenant, so both sides read revision 1.
    f.clock.set(Date.parse('2026-04-10T00:00:00Z'));
    for (const t of f.fleet.tenants)
      await freezeTenantMonth({ pool: f.db.pool, fleet: f.fleet, clock: f.clock, signingKey: c.key, graceHours: 72 }, t.id, '2026-03');
    fixtures.set(c.name, f);
  }
}, 120_000);
afterAll(async () => {
  for (const f of fixtures.values()) await f.close();
});

describe.each(cases)('tenantscope report and the API, $name', ({ name, key }) => {
  const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
    runTenantscope(['report', '--month', '2026-03', ...args], {
      TENANTSCOPE_DATABASE_URL: fixtures.get(name)!.db.url,
      TENANTSCOPE_LOG_LEVEL: 'silent',
      TENANTSCOPE_SIGNING_KEY_FILE: key ? keyFile : undefined,
      TENANTSCOPE_FLEET_FILE: undefined,
      ...env,
    });
  const api = async (url: string) => {
    const f = fixtures.get(name)!;
    const res = await f.app.inject({ url, headers: as(f.tokens.admin) });
    expect(res.statusCode, res.body).toBe(200);
    return res.body;
  };

  it.each([
    ['json', '/api/v1/reports/2026-03/t1'],
    ['html', '/api/v1/reports/2026-03/t1?format=html'],
  ])(
    "one tenant's %s: the same bytes",
    async (format, url) => {
      const printed = await cli(['--tenant', 't1', '--format', format, '--fleet', fleetFile]);
      expect(printed.code, printed.stderr).toBe(0);
      const served = await api(url);
      expect(printed.stdout).toBe(served);
      if (key) {
        expect(printed.stdout).toMatch(/"signed": true|HMAC-SHA-256<\/th><td class="hash">[0-9a-f]{64}</);
        expect(printed.stderr).not.toContain('UNSIGNED');
      } else {
        expect(printed.stdout).toMatch(/"signed": false|UNSIGNED: no signing key/);
        expect(printed.stderr).toMatch(/UNSIGNED: no signing key is configured/);
      }
    },
    60_000,
  );

  it('the month: JSON and the billing CSV, with the fleet from the environment and from the database', async () => {
    const fromEnv = await cli(['--format', 'json'], { TENANTSCOPE_FLEET_FILE: fleetFile });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(fromEnv.stdout).toBe(await api('/api/v1/reports/2026-03'));
    expect(JSON.parse(fromEnv.stdout).reports).toHaveLength(3);
    // No --fleet, no TENANTSCOPE_FLEET_FILE: the fleet the database holds (tenant names included).
    const stored = await cli(['--format', 'csv']);
    expect(stored.code, stored.stderr).toBe(0);
    expect(stored.stdout).toBe(await api('/api/v1/reports/2026-03?format=csv'));
    const page = await cli(['--tenant', 't1', '--format', 'html']);
    expect(page.stdout).toBe(await api('/api/v1/reports/2026-03/t1?format=html'));
  }, 60_000);
});

describe('where the fleet comes from', () => {
  it('an empty database and no fleet file: exit 2 naming the three places', async () => {
    const f = fixtures.get('unsigned')!;
    await f.db.pool.query('UPDATE tenant SET active = false');
    try {
      const res = await runTenantscope(['report', '--month', '2026-03', '--format', 'csv'], {
        TENANTSCOPE_DATABASE_URL: f.db.url,
        TENANTSCOPE_LOG_LEVEL: 'silent',
        TENANTSCOPE_FLEET_FILE: undefined,
      });
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/no fleet: pass --fleet FILE, set TENANTSCOPE_FLEET_FILE, or run tenantscope start once/);
    } finally {
      await f.db.pool.query('UPDATE tenant SET active = true');
    }
  }, 30_000);
});
