import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetProblems } from '../../test/helpers/fleets';
import { ConfigError } from '../core/errors';
import { loadFleetFile, parseFleet } from './fleet';

const EXAMPLE = readFileSync(join(__dirname, '..', '..', 'examples', 'fleet.yaml'), 'utf8');

const tenant = (extra = '') => `
  - id: acme
    name: ACME Clinics
    cluster: eu1
    tier: business
    hosts: [acme.erp.example.com]
    monthlyFee: {amount: "1200.00", currency: EUR}${extra}`;

const fleetWith = (tenants: string, clusterExtra = '') => `clusters:
  eu1:
    timezone: Europe/Berlin${clusterExtra}
tenants:${tenants}
`;

const problems = fleetProblems;

describe('parseFleet', () => {
  it('accepts the demo fleet: 12 tenants on 2 clusters with the three tiers', () => {
    const fleet = parseFleet(EXAMPLE, 'examples/fleet.yaml');
    expect(fleet.tenants).toHaveLength(12);
    expect(Object.keys(fleet.clusters)).toEqual(['eu1', 'us1']);
    expect(new Set(fleet.tenants.map((t) => t.tier))).toEqual(new Set(['standard', 'business', 'mission']));
  });

  it('applies the default tiers', () => {
    const fleet = parseFleet(fleetWith(tenant()), 'fleet.yaml');
    const acme = fleet.tenants[0]!;
    expect(acme.timezone).toBe('Europe/Berlin');
    expect(acme.database).toBe('acme');
    expect(acme.monthlyFee).toEqual({ amount: '1200.00', currency: 'EUR', digits: 2, minor: 120000n });
    const business = fleet.tiers.business!;
    expect(business.targetPercent).toBe(99.9);
    expect(business.rpoSeconds).toBe(3600);
    expect(business.rtoSeconds).toBe(4 * 3600);
    expect(business.downtime).toEqual({ minRequests: 10, errorRatio: 0.05 });
    expect(business.nodata).toBe('exclude');
    expect(business.credits.map((c) => c.belowPercent)).toEqual([99.9, 99.0, 95.0]);
    expect(Object.isFrozen(fleet.tenants)).toBe(true);
  });

  it('reads a once window without an offset in the owner zone, and one with an offset as written', () => {
    const fleet = parseFleet(
      fleetWith(
        tenant(`
    maintenance:
      - once: {start: "2026-03-14T22:00", end: "2026-03-15T01:00", reason: "Odoo 18 upgrade"}
      - once: {start: "2026-03-20T22:00Z", end: "2026-03-20T23:00Z"}`),
      ),
      'fleet.yaml',
    );
    expect(fleet.tenants[0]!.maintenance).toEqual([
      { kind: 'once', start: '2026-03-14T21:00:00.000Z', end: '2026-03-15T00:00:00.000Z', reason: 'Odoo 18 upgrade' },
      { kind: 'once', start: '2026-03-20T22:00:00.000Z', end: '2026-03-20T23:00:00.000Z', reason: 'scheduled maintenance' },
    ]);
  });

  it.each([
    [
      'an unknown tier',
      tenant().replace('tier: business', 'tier: platinum'),
      'tenants[0].tier: expected a known tier (standard, business, mission), got "platinum"',
    ],
    [
      'a bad time zone',
      tenant('\n    timezone: Mars/Olympus'),
      'tenants[0].timezone: expected an IANA time zone such as Europe/Berlin, got "Mars/Olympus"',
    ],
    [
      'a duplicate id',
      tenant() + tenant().replace('acme.erp', 'other.erp').replace('database: acme', ''),
      'tenants[1].id: expected a unique tenant id, "acme" is already tenants[0]',
    ],
    [
      'a window without end',
      tenant('\n    maintenance:\n      - once: {start: "2026-03-14T22:00"}'),
      'tenants[0].maintenance[0].once.end: expected required property',
    ],
    [
      'an unknown cluster',
      tenant().replace('cluster: eu1', 'cluster: eu9'),
      'tenants[0].cluster: expected a cluster declared under clusters (eu1), got "eu9"',
    ],
    [
      'a bad tenant id',
      tenant().replace('id: acme', 'id: Acme!'),
      'tenants[0].id: expected an id matching [a-z0-9][a-z0-9_-]*, got "Acme!"',
    ],
    [
      'a host used twice',
      tenant() + tenant().replace('id: acme', 'id: other'),
      "tenants[1].hosts[0]: expected a host no other tenant has, acme.erp.example.com is already tenants[0]'s",
    ],
    [
      'an unknown currency',
      tenant().replace('currency: EUR', 'currency: XYZ'),
      'tenants[0].monthlyFee.currency: expected an ISO 4217 currency code such as EUR, got "XYZ"',
    ],
    [
      'more decimals than the currency has',
      tenant().replace('currency: EUR', 'currency: JPY'),
      'tenants[0].monthlyFee.amount: JPY has 0 decimal digits, got "1200.00"',
    ],
    ['a misspelt key', tenant().replace('hosts:', 'hostz: [x]\n    hosts:'), 'tenants[0].hostz: unknown key (check its spelling)'],
    [
      'an end before its start',
      tenant('\n    maintenance:\n      - once: {start: "2026-03-15T01:00", end: "2026-03-14T22:00"}'),
      'tenants[0].maintenance[0].once.end: expected a time after start 2026-03-15T01:00, got 2026-03-14T22:00',
    ],
    [
      'a weekly window at 25:00',
      tenant('\n    maintenance:\n      - weekly: {days: [sun], start: "25:00", minutes: 60}'),
      'tenants[0].maintenance[0].weekly.start: expected a local time HH:MM, got "25:00"',
    ],
    [
      'a bad weekday',
      tenant('\n    maintenance:\n      - weekly: {days: [sunday], start: "02:00", minutes: 60}'),
      'tenants[0].maintenance[0].weekly.days[0]: expected one of mon, tue, wed, thu, fri, sat, sun, got "sunday"',
    ],
  ])('refuses %s, naming the key path', (_case, tenants, expected) => {
    expect(problems(fleetWith(tenants))).toContain(`fleet file fleet.yaml: ${expected}`);
  });

  it('refuses a bad cluster time zone and a bad tier duration', () => {
    const text = `tiers:\n  gold:\n    target: 99.9\n    credits: []\n    rpo: one hour\n    rto: 4h\n${fleetWith(tenant().replace('tier: business', 'tier: gold')).replace('Europe/Berlin', 'Europe/Berlim')}`;
    expect(problems(text)).toEqual([
      'fleet file fleet.yaml: tiers.gold.rpo: expected a duration such as 15m, 1h or 24h, got "one hour"',
      'fleet file fleet.yaml: clusters.eu1.timezone: expected an IANA time zone such as Europe/Berlin, got "Europe/Berlim"',
      'fleet file fleet.yaml: tenants[0].cluster: expected a cluster declared under clusters (none), got "eu1"',
      'fleet file fleet.yaml: tenants[0].tier: expected a known tier (), got "gold"',
    ]);
  });

  it('refuses text that is not YAML, with its line', () => {
    expect(problems('clusters:\n  eu1: [\n')[0]).toMatch(/^fleet file fleet.yaml: line \d+, column \d+: not valid YAML/);
  });

  it('reports every problem at once, not only the first', () => {
    const text = fleetWith(tenant().replace('tier: business', 'tier: platinum') + tenant().replace('acme.erp', 'b.erp'));
    expect(problems(text).length).toBeGreaterThanOrEqual(2);
  });
});

describe('fleet file errors: YAML the library throws on, unusable URLs, unreadable paths', () => {
  it('refuses an alias to no anchor with its line, as a ConfigError (it was a stack trace)', () => {
    const text = fleetWith(tenant('\n    maintenance: *windows'));
    expect(problems(text)).toEqual([
      'fleet file fleet.yaml: line 11, column 18: not valid YAML (alias *windows names no anchor &windows defined before it)',
    ]);
  });

  it('refuses an alias bomb with its line, without expanding it', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'.split('').map((n, i) => `${n}: &${n} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
    ];
    const text = `${bomb.join('\n')}\n${fleetWith(tenant())}`;
    const started = Date.now();
    expect(problems(text)).toEqual([
      'fleet file fleet.yaml: line 2, column 8: not valid YAML (its aliases expand to more than 100 nodes, as an alias bomb does)',
    ]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('keeps anchors and aliases that expand a little', () => {
    const text = `${fleetWith(tenant('\n    maintenance: &w\n      - weekly: {days: [sun], start: "02:00", minutes: 60}'))}${tenant(
      '\n    maintenance: *w',
    )
      .replace('id: acme', 'id: other')
      .replace('acme.erp', 'other.erp')}\n`;
    expect(parseFleet(text, 'fleet.yaml').tenants[1]!.maintenance).toHaveLength(1);
  });

  it('refuses a syntax error naming its line and column', () => {
    expect(problems(fleetWith(tenant()).replace('    tier: business', '    tier: [business'))).toEqual([
      expect.stringMatching(/^fleet file fleet.yaml: line 9, column 5: not valid YAML \(Flow sequence/),
    ]);
  });

  it.each([
    [
      'a PostgreSQL port past 65535',
      '\n    postgres: {url: "postgres://u:secret@db:99999/postgres"}',
      'clusters.eu1.postgres.url',
      'got port 99999',
    ],
    ['a Redis port 0', '\n    redis: {url: "redis://cache:0"}', 'clusters.eu1.redis.url', 'got port 0'],
    ['a probe port past 65535', '\n    probe: {url: "http://ingress:65536"}', 'clusters.eu1.probe.url', 'got port 65536'],
    ['a Redis URL that does not parse', '\n    redis: {url: "redis://[bad"}', 'clusters.eu1.redis.url', 'this one does not parse as a URL'],
    [
      'a Traefik URL without a host',
      '\n    traefik: {metricsUrl: "http://:9100/metrics"}',
      'clusters.eu1.traefik.metricsUrl',
      'does not parse',
    ],
    ['a Redis URL without a host', '\n    redis: {url: "redis://"}', 'clusters.eu1.redis.url', 'this one has no host'],
  ])('refuses %s, naming the key and never the URL', (_case, cluster, key, what) => {
    const found = problems(fleetWith(tenant(), cluster));
    expect(found).toEqual([expect.stringMatching(new RegExp(`^fleet file fleet.yaml: ${key.replace(/\./g, '\\.')}: expected .*${what}`))]);
    expect(found.join('\n')).not.toContain('secret');
  });

  it.each([
    ['neither source', '\n    traefik: {apiUrl: "http://traefik:8080"}', ''],
    [
      'both sources',
      '\n    traefik: {metricsUrl: "http://traefik:8082/metrics", accessLogFiles: [/var/log/traefik/access.log]}',
      ' (both would count every request twice)',
    ],
  ])("refuses a Traefik with %s of the cluster's request counts", (_case, cluster, why) => {
    expect(problems(fleetWith(tenant(), cluster))).toEqual([
      `fleet file fleet.yaml: clusters.eu1.traefik: expected either metricsUrl or accessLogFiles, the source of the cluster's request counts${why}`,
    ]);
  });

  it('takes a Traefik known by its access log alone, its paths relative to the fleet file', () => {
    const fleet = parseFleet(
      fleetWith(tenant(), '\n    traefik: {accessLogFiles: [logs/access.log], apiUrl: "http://traefik:8080"}'),
      'fleet.yaml',
      '/etc/tenantscope',
    );
    expect(fleet.clusters.eu1!.traefik).toMatchObject({
      accessLogFiles: ['/etc/tenantscope/logs/access.log'],
      apiUrl: 'http://traefik:8080',
    });
    expect(fleet.clusters.eu1!.traefik!.metricsUrl).toBeUndefined();
  });

  it('takes PostgreSQL URLs libpq takes: a socket host, no host, IPv6, an @ in the password', () => {
    for (const url of [
      'postgres://tenantscope@/postgres?host=/run/postgresql',
      'postgresql:///postgres',
      'postgres://u@[::1]:5432/postgres',
      'postgres://u:p@ss@db:5432/postgres',
      'postgres://u:p ss@db/postgres',
    ])
      expect(() => parseFleet(fleetWith(tenant(), `\n    postgres: {url: "${url}"}`), 'fleet.yaml'), url).not.toThrow();
  });

  describe('log and backup paths, for a process that runs collectors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-paths-'));
    writeFileSync(join(dir, 'a-file'), '');
    const load = (odoo: string, backups = '') => {
      const file = join(dir, `fleet-${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(file, fleetWith(tenant(), `\n    odoo: {logFiles: [${odoo}]}${backups}`));
      return () => loadFleetFile(file, { sourcesReadable: true });
    };
    const refusal = (attempt: () => unknown): string[] => {
      try {
        attempt();
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return [...(err as ConfigError).problems];
      }
      throw new Error('the fleet file was accepted');
    };

    it('refuses a log in a directory that does not exist, naming the key', () => {
      expect(refusal(load(`${dir}/nowhere/odoo.log`))).toEqual([
        expect.stringMatching(
          new RegExp(
            `: clusters\\.eu1\\.odoo\\.logFiles\\[0\\]: expected a file in a readable directory, directory ${dir}/nowhere does not exist$`,
          ),
        ),
      ]);
    });

    it('refuses a path through a file, and a backup file in a missing directory', () => {
      expect(refusal(load(`${dir}/odoo.log, ${dir}/a-file/odoo.log`, `\n    backups: {jobResultsFile: ${dir}/gone/jobs.ndjson}`))).toEqual([
        expect.stringContaining(
          `clusters.eu1.odoo.logFiles[1]: expected a file in a readable directory, directory ${dir}/a-file is not a directory`,
        ),
        expect.stringContaining(
          `clusters.eu1.backups.jobResultsFile: expected a file in a readable directory, directory ${dir}/gone does not exist`,
        ),
      ]);
    });

    it('takes a log not written yet in a directory that exists; without the option, paths are not looked at', () => {
      expect(() => load(`${dir}/odoo.log`)()).not.toThrow();
      const file = join(dir, 'unchecked.yaml');
      writeFileSync(file, fleetWith(tenant(), `\n    odoo: {logFiles: [${dir}/nowhere/odoo.log]}`));
      expect(() => loadFleetFile(file)).not.toThrow();
    });
  });
});
