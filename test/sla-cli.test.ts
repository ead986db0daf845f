import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testFleetYaml } from './helpers/fleets';
import { runTenantscope } from './helpers/processes';

const tenantscope = (args: string[]) => runTenantscope(args, {}, { timeoutMs: 20_000 });

const dir = mkdtempSync(join(tmpdir(), 'tenantscope-sla-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

// t1 business, t2 mission, t3 standard (testFleetYaml), all in Europe/Berlin on cluster c1.
const fleet = file('fleet.yaml', testFleetYaml());
const evidence = file(
  'evidence.ndjson',
  [
    '{"kind":"probe","tenant":"t1","ts":"2026-02-28T23:30:15Z","ok":false}',
    '{"kind":"probe","tenant":"t1","ts":"2026-03-01T00:00:15Z","ok":true}',
    '{"kind":"requests","tenant":"t2","minute":"2026-03-01T00:00:00Z","total":120,"serverErrors":3}',
    '{"kind":"probe","tenant":"t2","ts":"not a time","ok":true}',
    '',
    '{"kind":"exclusion","cluster":"c1","start":"2026-03-10T00:00:00Z","end":"2026-03-10T01:00:00Z","reason":"network","type":"force-majeure"}',
    '{oops',
  ].join('\n'),
);

describe('tenantscope sla compute', () => {
  it('prints one canonical JSON report per tenant and reports malformed lines with their numbers', async () => {
    const result = await tenantscope(['sla', 'compute', '--fleet', fleet, '--evidence', evidence, '--month', '2026-03']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    const reports = lines.map((l) => JSON.parse(l));
    expect(reports.map((r) => r.tenant)).toEqual(['t1', 't2', 't3']);
    expect(reports[0]).toMatchObject({
      month: '2026-03',
      timezone: 'Europe/Berlin',
      tier: 'business',
      minutes: { total: 44_580, excluded: 60, good: 1, bad: 1, nodata: 44_518 },
      availabilityPercent: 50,
      targetPercent: 99.9,
      targetMet: false,
      creditPercent: 100,
      creditMinor: '10000',
      currency: 'EUR',
      incidents: [{ start: '2026-02-28T23:30:00.000Z', end: '2026-02-28T23:31:00.000Z', minutes: 1 }],
    });
    expect(reports[1]).toMatchObject({ tier: 'mission', minutes: { good: 1, bad: 0 }, targetMet: true, creditMinor: '0' });
    // Canonical: keys sorted, no whitespace.
    expect(lines[0]!.startsWith('{"availabilityDisplay":"50.00","availabilityPercent":50,')).toBe(true);
    expect(result.stderr).toContain(`evidence file ${evidence}: line 4: ts: expected an ISO 8601 time`);
    expect(result.stderr).toContain(`evidence file ${evidence}: line 7: not valid JSON`);
    expect(result.stderr).toContain('2 evidence line(s) skipped');
  });

  it('--tenant limits the output to one tenant', async () => {
    const result = await tenantscope(['sla', 'compute', '--fleet', fleet, '--evidence', evidence, '--month', '2026-03', '--tenant', 't3']);
    expect(result.code).toBe(0);
    expect(
      result.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).tenant),
    ).toEqual(['t3']);
  });

  it('a bad fleet file exits 2 naming the file and key', async () => {
    const bad = file('bad.yaml', testFleetYaml().replace('tier: business', 'tier: platinum'));
    const result = await tenantscope(['sla', 'compute', '--fleet', bad, '--evidence', evidence, '--month', '2026-03']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`fleet file ${bad}: tenants[0].tier: expected a known tier`);
    expect(result.stdout).toBe('');
  });

  it.each([
    [['--fleet', fleet, '--evidence', evidence, '--month', '2026-13'], '--month expected YYYY-MM'],
    [['--fleet', fleet, '--evidence', evidence], '--month expected YYYY-MM'],
    [['--fleet', fleet, '--month', '2026-03'], '--evidence expected'],
    [['--fleet', fleet, '--evidence', evidence, '--month', '2026-03', '--tenant', 'nobody'], '--tenant expected a tenant'],
    [['--fleet', fleet, '--evidence', evidence, '--month', '2026-03', '--fast'], "Unknown option '--fast'"],
    [['--fleet', fleet, '--evidence', join(dir, 'absent.ndjson'), '--month', '2026-03'], 'cannot be read (ENOENT)'],
  ])('bad usage %j exits 2', async (args, message) => {
    const result = await tenantscope(['sla', 'compute', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('an unknown subcommand exits 2 listing the known ones', async () => {
    const result = await tenantscope(['sla', 'frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('tenantscope sla: expected a subcommand (compute, export, recompute), got "frobnicate"');
  });
});

describe('tenantscope sla recompute (no database)', () => {
  it('refuses a file that is not a bundle with exit 1 and says why', async () => {
    const result = await tenantscope(['sla', 'recompute', evidence]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/not reproduced: line \d+: /);
  });

  it('exits 2 without a bundle file', async () => {
    expect((await tenantscope(['sla', 'recompute'])).code).toBe(2);
    expect((await tenantscope(['sla', 'recompute', join(dir, 'missing.ndjson')])).code).toBe(2);
  });
});
