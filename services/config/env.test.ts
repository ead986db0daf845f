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
});
