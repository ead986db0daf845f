import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../services/config/env';
import { ConfigError } from '../services/core/errors';
import { openContext } from '../services/root/context';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { exampleFleetSpec, fleetYaml } from './helpers/fleet-builder';

const log = pino({ level: 'silent' });
let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase('ts_ctx');
  dir = mkdtempSync(join(tmpdir(), 'tenantscope-context-'));
});

afterAll(async () => {
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('openContext', () => {
  it('sizes and names the pool from the settings and loads the fleet of --fleet', async () => {
    const fleetFile = join(dir, 'fleet.yaml');
    writeFileSync(fleetFile, fleetYaml(exampleFleetSpec(dir)));
    const settings = loadSettings({ TENANTSCOPE_DATABASE_URL: db.url, TENANTSCOPE_DATABASE_POOL_SIZE: '3' });
    const context = openContext({ name: 'report', settings, log, fleet: { command: 'report', file: fleetFile } });
    try {
      expect(context.pool.options.max).toBe(3);
      const { rows } = await context.pool.query<{ name: string }>('SELECT current_setting($1) AS name', ['application_name']);
      expect(rows[0]!.name).toBe('tenantscope-report');
      expect(context.fleet.source).toBe(fleetFile);
      expect(context.fleet.tenants.length).toBeGreaterThan(0);
      expect(context.signingKey).toBeNull();
    } finally {
      await context.close();
    }
  });

  it('refuses a missing or unreadable fleet file, naming the command', () => {
    const settings = loadSettings({ TENANTSCOPE_DATABASE_URL: db.url });
    expect(() => openContext({ name: 'usage', settings, log, fleet: { command: 'usage' } })).toThrow(
      /tenantscope usage: no fleet file: pass --fleet FILE or set TENANTSCOPE_FLEET_FILE/,
    );
    expect(() => openContext({ name: 'usage', settings, log, fleet: { command: 'usage', file: join(dir, 'absent.yaml') } })).toThrow(
      ConfigError,
    );
  });

  it('reads the signing key only when a command uses it: migrate and token are not refused over the key file', async () => {
    const keyFile = join(dir, 'no-such.key');
    const settings = loadSettings({ TENANTSCOPE_DATABASE_URL: db.url, TENANTSCOPE_SIGNING_KEY_FILE: keyFile });
    const context = openContext({ name: 'migrate', settings, log });
    try {
      expect(() => context.signingKey).toThrow(/TENANTSCOPE_SIGNING_KEY_FILE: cannot read .*no-such\.key \(ENOENT\)/);
      writeFileSync(keyFile, 'k'.repeat(64) + '\n');
      expect(context.signingKey?.toString()).toBe('k'.repeat(64));
    } finally {
      await context.close();
    }
  });
});
