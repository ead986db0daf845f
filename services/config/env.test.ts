import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors';
import { loadSettings } from './env';

describe('loadSettings', () => {
  it('gives the local defaults and no signing key', () => {
    const s = loadSettings({});
    expect(s.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/tenantscope');
    expect(s.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(s.listen).toEqual({ host: '127.0.0.1', port: 9470 });
    expect(s.signingKeyFile).toBeUndefined();
    expect(s.otlpEndpoint).toBeUndefined();
    expect(s.collectorRunRetentionDays).toBe(7);
    expect(Object.isFrozen(s)).toBe(true);
  });

  it('sizes the database pool from TENANTSCOPE_DATABASE_POOL_SIZE, 10 by default, and refuses a bad size', () => {
    expect(loadSettings({}).databasePoolSize).toBe(10);
    expect(loadSettings({ TENANTSCOPE_DATABASE_POOL_SIZE: '25' }).databasePoolSize).toBe(25);
    for (const bad of ['0', '2.5', 'many', '5000']) {
      expect(() => loadSettings({ TENANTSCOPE_DATABASE_POOL_SIZE: bad }), bad).toThrow(ConfigError);
      expect(() => loadSettings({ TENANTSCOPE_DATABASE_POOL_SIZE: bad }), bad).toThrow(/TENANTSCOPE_DATABASE_POOL_SIZE/);
    }
  });

  it('reads every variable', () => {
    const s = loadSettings({
      TENANTSCOPE_DATABASE_URL: 'postgresql://u@db:5432/x',
      TENANTSCOPE_LISTEN: '0.0.0.0:8080',
      TENANTSCOPE_WORKER_CONCURRENCY: '3',
      TENANTSCOPE_SIGNING_KEY_FILE: '/run/secrets/key',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    });
    expect(s).toMatchObject({
      databaseUrl: 'postgresql://u@db:5432/x',
      listen: { host: '0.0.0.0', port: 8080 },
      workerConcurrency: 3,
      signingKeyFile: '/run/secrets/key',
      otlpEndpoint: 'http://collector:4318',
    });
  });

  it('reads the collector run retention as whole days from 1 to 3650', () => {
    expect(loadSettings({ TENANTSCOPE_COLLECTOR_RUN_RETENTION_DAYS: '30' }).collectorRunRetentionDays).toBe(30);
    for (const bad of ['0', '3651', '1.5', 'week']) {
      expect(() => loadSettings({ TENANTSCOPE_COLLECTOR_RUN_RETENTION_DAYS: bad }), bad).toThrow(
        /TENANTSCOPE_COLLECTOR_RUN_RETENTION_DAYS/,
      );
    }
  });

  it('names each bad variable and never prints a database URL', () => {
    let problems: readonly string[] = [];
    try {
      loadSettings({
        TENANTSCOPE_DATABASE_URL: 'mysql://root:secret@db/x',
        TENANTSCOPE_WORKER_CONCURRENCY: 'many',
        TENANTSCOPE_LOG_LEVEL: 'loud',
      });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      problems = (err as ConfigError).problems;
    }
    expect(problems.some((p) => p.startsWith('environment TENANTSCOPE_DATABASE_URL:') && p.includes('(value hidden)'))).toBe(true);
    expect(problems.join('\n')).not.toContain('secret');
    expect(problems.some((p) => p.startsWith('environment TENANTSCOPE_WORKER_CONCURRENCY:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('environment TENANTSCOPE_LOG_LEVEL:'))).toBe(true);
  });

  it('reads the database and Redis passwords from TENANTSCOPE_*_PASSWORD_FILE, apart from their URLs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-secrets-'));
    writeFileSync(join(dir, 'db'), 'db-S3cr3t\n');
    writeFileSync(join(dir, 'redis'), 'redis-S3cr3t');
    const s = loadSettings({
      TENANTSCOPE_DATABASE_URL: 'postgres://tenantscope@db:5432/tenantscope',
      TENANTSCOPE_DATABASE_PASSWORD_FILE: join(dir, 'db'),
      TENANTSCOPE_REDIS_PASSWORD_FILE: join(dir, 'redis'),
    });
    expect(s.databaseUrl).toBe('postgres://tenantscope@db:5432/tenantscope');
    expect(s.databasePassword?.reveal()).toBe('db-S3cr3t');
    expect(s.redisPassword?.reveal()).toBe('redis-S3cr3t');
    expect(JSON.stringify(s)).not.toContain('S3cr3t');
    expect(loadSettings({}).databasePassword).toBeUndefined();
  });

  it('refuses a password file beside a password in the URL, and a file that cannot be read, naming the variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-secrets-'));
    writeFileSync(join(dir, 'db'), 'db-S3cr3t\n');
    let problems: readonly string[] = [];
    try {
      loadSettings({
        TENANTSCOPE_DATABASE_URL: 'postgres://tenantscope:inline-S3cr3t@db:5432/tenantscope',
        TENANTSCOPE_DATABASE_PASSWORD_FILE: join(dir, 'db'),
        TENANTSCOPE_REDIS_PASSWORD_FILE: join(dir, 'absent'),
      });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([
      'environment TENANTSCOPE_DATABASE_PASSWORD_FILE: the password is also written in TENANTSCOPE_DATABASE_URL; give it one way only',
      `environment TENANTSCOPE_REDIS_PASSWORD_FILE: cannot read the password file ${join(dir, 'absent')} (ENOENT)`,
    ]);
  });

  it('takes the limits, 1200 and 600 a minute and 2 push slots by default', () => {
    const s = loadSettings({});
    expect([s.rateLimitPerAddress, s.rateLimitPerToken, s.pushConcurrency, s.metricsTenantNames]).toEqual([1200, 600, 2, true]);
    const t = loadSettings({
      TENANTSCOPE_RATE_LIMIT_PER_ADDRESS: '0',
      TENANTSCOPE_PUSH_CONCURRENCY: '4',
      TENANTSCOPE_METRICS_TENANT_NAMES: 'hide',
    });
    expect([t.rateLimitPerAddress, t.pushConcurrency, t.metricsTenantNames]).toEqual([0, 4, false]);
    expect(() => loadSettings({ TENANTSCOPE_PUSH_CONCURRENCY: '0' })).toThrow(/TENANTSCOPE_PUSH_CONCURRENCY/);
    expect(() => loadSettings({ TENANTSCOPE_METRICS_TENANT_NAMES: 'maybe' })).toThrow(/TENANTSCOPE_METRICS_TENANT_NAMES/);
  });

  it('reads the /metrics credentials from a token file or a username:password file, never both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-metrics-'));
    writeFileSync(join(dir, 'token'), 'scrape-Token-1\n');
    writeFileSync(join(dir, 'basic'), 'prometheus:pa:ss\n');
    writeFileSync(join(dir, 'nouser'), ':password\n');
    writeFileSync(join(dir, 'spaced'), 'two words\n');
    const bearer = loadSettings({ TENANTSCOPE_METRICS_BEARER_TOKEN_FILE: join(dir, 'token') }).metricsAuth;
    expect(bearer?.kind === 'bearer' && bearer.token.reveal()).toBe('scrape-Token-1');
    const basic = loadSettings({ TENANTSCOPE_METRICS_BASIC_AUTH_FILE: join(dir, 'basic') }).metricsAuth;
    expect(basic?.kind === 'basic' && [basic.username, basic.password.reveal()]).toEqual(['prometheus', 'pa:ss']);
    expect(JSON.stringify(loadSettings({ TENANTSCOPE_METRICS_BASIC_AUTH_FILE: join(dir, 'basic') }))).not.toContain('pa:ss');
    const refused = (env: Record<string, string>) => {
      try {
        loadSettings(env);
      } catch (err) {
        return (err as ConfigError).problems;
      }
      return [];
    };
    expect(
      refused({ TENANTSCOPE_METRICS_BEARER_TOKEN_FILE: join(dir, 'token'), TENANTSCOPE_METRICS_BASIC_AUTH_FILE: join(dir, 'basic') }),
    ).toEqual(['environment TENANTSCOPE_METRICS_BEARER_TOKEN_FILE and TENANTSCOPE_METRICS_BASIC_AUTH_FILE: give one of them, not both']);
    expect(refused({ TENANTSCOPE_METRICS_BASIC_AUTH_FILE: join(dir, 'nouser') })).toEqual([
      `environment TENANTSCOPE_METRICS_BASIC_AUTH_FILE: expected one line username:password in ${join(dir, 'nouser')}`,
    ]);
    expect(refused({ TENANTSCOPE_METRICS_BEARER_TOKEN_FILE: join(dir, 'spaced') })).toEqual([
      `environment TENANTSCOPE_METRICS_BEARER_TOKEN_FILE: expected one token of letters, digits and -._~+/ in ${join(dir, 'spaced')}`,
    ]);
  });
});
