import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors';
import { parseFleet } from './fleet';

const PW = 'S3cr3t-4d2a-long-enough-to-be-cut-off-by-a-short-message-if-anything-cut-it';
const dir = mkdtempSync(join(tmpdir(), 'fleet-secrets-'));
mkdirSync(join(dir, 'secrets'));
writeFileSync(join(dir, 'secrets', 'pg'), `${PW}\n`);
writeFileSync(join(dir, 'secrets', 'empty'), '\n');
const ENV = { TS_PROBE_PW: PW, TS_API_PW: `${PW}-api` };

const fleetText = (cluster: Record<string, unknown>, more: Record<string, Record<string, unknown>> = {}) =>
  stringify({
    clusters: {
      c1: { timezone: 'UTC', ...cluster },
      ...Object.fromEntries(Object.entries(more).map(([id, c]) => [id, { timezone: 'UTC', ...c }])),
    },
    tenants: [
      {
        id: 't1',
        name: 'T1',
        cluster: 'c1',
        tier: 'business',
        hosts: ['t1.example.test'],
        monthlyFee: { amount: '1.00', currency: 'EUR' },
      },
    ],
  });
const parse = (cluster: Record<string, unknown>, more?: Record<string, Record<string, unknown>>) =>
  parseFleet(fleetText(cluster, more), 'fleet.yaml', dir, ENV);
function problems(cluster: Record<string, unknown>, more?: Record<string, Record<string, unknown>>): string[] {
  try {
    parse(cluster, more);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('the fleet file was accepted');
}

const full = {
  probe: { url: 'http://probe@ingress:80/', passwordEnv: 'TS_PROBE_PW' },
  traefik: {
    metricsUrl: 'http://traefik@10.0.0.5:8082/metrics',
    metricsPasswordFile: 'secrets/pg',
    apiUrl: 'http://traefik@10.0.0.5:8080/',
    apiPasswordEnv: 'TS_API_PW',
  },
  postgres: { url: 'postgres://monitor@db1:5432/postgres', passwordFile: 'secrets/pg' },
  redis: { url: 'redis://cache:6379', passwordFile: join(dir, 'secrets', 'pg') },
};

describe('passwords by reference in the fleet file', () => {
  it('reads passwordFile (relative to the fleet file, final line break dropped) and passwordEnv; the URLs stay without them', () => {
    const c1 = parse(full).clusters.c1!;
    expect(c1.probe?.password?.reveal()).toBe(PW);
    expect(c1.traefik?.metricsPassword?.reveal()).toBe(PW);
    expect(c1.traefik?.apiPassword?.reveal()).toBe(`${PW}-api`);
    expect(c1.postgres?.password?.reveal()).toBe(PW);
    expect(c1.redis?.password?.reveal()).toBe(PW);
    expect(c1.postgres?.url).toBe('postgres://monitor@db1:5432/postgres');
  });

  it('never shows a password read by reference: JSON, inspect', () => {
    const fleet = parse(full);
    expect(JSON.stringify(fleet, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(PW);
    expect(inspect(fleet, { depth: 10 })).not.toContain(PW);
  });

  it.each([
    [
      'postgres',
      { postgres: { url: `postgres://monitor:${PW}@db1/postgres`, passwordFile: 'secrets/pg' } },
      'clusters.c1.postgres.passwordFile',
    ],
    [
      'postgres query',
      { postgres: { url: `postgres://db1/postgres?password=${PW}`, passwordEnv: 'TS_PROBE_PW' } },
      'clusters.c1.postgres.passwordEnv',
    ],
    ['redis', { redis: { url: `redis://:${PW}@cache:6379`, passwordEnv: 'TS_PROBE_PW' } }, 'clusters.c1.redis.passwordEnv'],
    ['probe', { probe: { url: `http://u:${PW}@ingress/`, passwordFile: 'secrets/pg' } }, 'clusters.c1.probe.passwordFile'],
    [
      'traefik metrics',
      { traefik: { metricsUrl: `http://t:${PW}@h:8082/metrics`, metricsPasswordFile: 'secrets/pg' } },
      'clusters.c1.traefik.metricsPasswordFile',
    ],
    [
      'traefik api',
      { traefik: { metricsUrl: 'http://h:8082/metrics', apiUrl: `http://t:${PW}@h:8080/`, apiPasswordEnv: 'TS_API_PW' } },
      'clusters.c1.traefik.apiPasswordEnv',
    ],
  ])('%s: a password both inline and by reference is refused, naming the key and not the password', (_name, cluster, key) => {
    const found = problems(cluster);
    expect(found).toEqual([
      `fleet file fleet.yaml: ${key}: the password is also written in ${key.includes('metrics') ? 'metricsUrl' : key.includes('api') ? 'apiUrl' : 'url'}; give it one way only`,
    ]);
    expect(found.join('\n')).not.toContain(PW);
  });

  it('refuses both references at once, a missing file or variable, an empty file, a reference without its URL', () => {
    expect(problems({ postgres: { url: 'postgres://db1/x', passwordFile: 'secrets/pg', passwordEnv: 'TS_PROBE_PW' } })).toEqual([
      'fleet file fleet.yaml: clusters.c1.postgres.passwordEnv: expected one of passwordFile or passwordEnv, not both',
    ]);
    expect(problems({ redis: { url: 'redis://cache', passwordFile: 'secrets/absent' } })).toEqual([
      `fleet file fleet.yaml: clusters.c1.redis.passwordFile: cannot read the password file ${join(dir, 'secrets', 'absent')} (ENOENT)`,
    ]);
    expect(problems({ redis: { url: 'redis://cache', passwordFile: 'secrets/empty' } })).toEqual([
      `fleet file fleet.yaml: clusters.c1.redis.passwordFile: expected a password in ${join(dir, 'secrets', 'empty')}, the file is empty`,
    ]);
    expect(problems({ probe: { url: 'http://ingress/', passwordEnv: 'TS_UNSET_VARIABLE' } })).toEqual([
      'fleet file fleet.yaml: clusters.c1.probe.passwordEnv: expected the environment variable TS_UNSET_VARIABLE to hold the password, it is not set',
    ]);
    expect(problems({ traefik: { metricsUrl: 'http://h/metrics', apiPasswordEnv: 'TS_API_PW' } })).toEqual([
      'fleet file fleet.yaml: clusters.c1.traefik.apiPasswordEnv: expected apiUrl beside it',
    ]);
    expect(problems({ probe: { url: 'http://ingress/', passwordEnv: 'not a name' } })[0]).toMatch(
      /^fleet file fleet.yaml: clusters.c1.probe.passwordEnv: expected the name of an environment variable/,
    );
  });

  it('refuses two clusters whose Traefik metrics URLs differ only in credentials: they would share one target id', () => {
    expect(
      problems(
        { traefik: { metricsUrl: 'http://a:x@10.0.0.5:8082/metrics' } },
        { c2: { traefik: { metricsUrl: 'http://b:y@10.0.0.5:8082/metrics' } } },
      ),
    ).toEqual([
      "fleet file fleet.yaml: clusters.c2.traefik.metricsUrl: expected a Traefik no other cluster scrapes, http://10.0.0.5:8082/metrics is already clusters.c1's",
    ]);
  });

  it('quotes a refused URL without its password, however long', () => {
    const found = problems({ traefik: { metricsUrl: `ftp://traefik:${PW}@10.0.0.5:8082/metrics?password=${PW}` } });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('clusters.c1.traefik.metricsUrl: expected string to match');
    expect(found[0]).not.toContain(PW.slice(0, 10));
  });
});
