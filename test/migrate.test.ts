import { mkdtempSync, readdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MigrationError } from '../services/core/errors';
import { silentLogger } from '../services/core/logger';
import { createPool, type Pool } from '../services/storage/db';
import { MIGRATIONS_DIR, migrate, readMigrations } from '../services/storage/migrate';
import { createTestDatabase, type TestDatabase } from './helpers/database';

let db: TestDatabase;
let pool: Pool;
beforeEach(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, 4);
});
afterEach(async () => {
  await pool.end();
  await db.drop();
});

const versions = async () =>
  (await pool.query<{ version: number }>('SELECT version FROM schema_migration ORDER BY version')).rows.map((r) => r.version);

function copyOfMigrations(): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  for (const f of readdirSync(MIGRATIONS_DIR)) copyFileSync(join(MIGRATIONS_DIR, f), join(dir, f));
  return dir;
}

describe('migrate', () => {
  it('applies every migration once, then nothing', async () => {
    const all = readMigrations().map((m) => m.version);
    expect(await migrate(pool, silentLogger)).toEqual(all);
    expect(await migrate(pool, silentLogger)).toEqual([]);
    expect(await versions()).toEqual(all);
    const { rows } = await pool.query("SELECT to_regclass('tenant_minute') AS t");
    expect(rows[0].t).toBe('tenant_minute');
  });

  it('lets two processes start at once: the advisory lock makes one migrate, the other find it done', async () => {
    const other = createPool(db.url, 2);
    try {
      const [a, b] = await Promise.all([migrate(pool, silentLogger), migrate(other, silentLogger)]);
      expect([...a, ...b].sort((x, y) => x - y)).toEqual(readMigrations().map((m) => m.version));
    } finally {
      await other.end();
    }
  });

  it('stops at a failing file, keeps what came before, and names the file', async () => {
    const dir = copyOfMigrations();
    const next = readMigrations().length + 1;
    writeFileSync(
      join(dir, `${String(next).padStart(4, '0')}_broken.sql`),
      'CREATE TABLE fine (id int);\nCREATE TABLE broken (id int REFERENCES nowhere (id));\n',
    );
    await expect(migrate(pool, silentLogger, dir)).rejects.toThrow(
      new RegExp(`migration ${String(next).padStart(4, '0')}_broken.sql failed: relation "nowhere" does not exist`),
    );
    expect(await versions()).toEqual(readMigrations().map((m) => m.version));
    const { rows } = await pool.query("SELECT to_regclass('fine') AS t");
    expect(rows[0].t).toBeNull(); // the whole file rolled back with its ledger row
  });

  it('refuses a migration edited after it was applied', async () => {
    const dir = copyOfMigrations();
    await migrate(pool, silentLogger, dir);
    writeFileSync(join(dir, '0001_fleet.sql'), '-- edited\n');
    await expect(migrate(pool, silentLogger, dir)).rejects.toThrow('migration 0001_fleet.sql was edited after it was applied');
  });

  it('refuses a database newer than the code', async () => {
    await migrate(pool, silentLogger);
    await pool.query("INSERT INTO schema_migration (version, name, sha256) VALUES (999, 'future', 'x')");
    await expect(migrate(pool, silentLogger)).rejects.toBeInstanceOf(MigrationError);
  });

  it('refuses a file that cannot run in a transaction', async () => {
    const dir = copyOfMigrations();
    writeFileSync(
      join(dir, `${String(readMigrations().length + 1).padStart(4, '0')}_index.sql`),
      'CREATE INDEX CONCURRENTLY x ON tenant (name);\n',
    );
    expect(() => readMigrations(dir)).toThrow('CONCURRENTLY and VACUUM cannot run');
  });
});
