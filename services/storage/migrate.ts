import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MigrationError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Pool } from './db';
import { LOCK, lockForSession, unlockForSession } from './locks';

export const MIGRATIONS_DIR = join(__dirname, '..', '..', 'migrations');

interface MigrationFile {
  version: number;
  name: string;
  sql: string;
  sha256: string;
}

/** Reads `NNNN_name.sql` files in order; refuses gaps, duplicates and non-transactional statements. */
export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  return files.map((file, index) => {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new MigrationError(`migration ${file}: expected a name like 0004_add_reports.sql`);
    const version = Number(match[1]);
    if (version !== index + 1) throw new MigrationError(`migration ${file}: expected version ${index + 1} (no gaps, no duplicates)`);
    const sql = readFileSync(join(dir, file), 'utf8');
    // These cannot run inside the transaction each file gets (bullmq migrator.ts does the same).
    if (/\b(CONCURRENTLY|VACUUM)\b/i.test(sql.replace(/--.*$/gm, ''))) {
      throw new MigrationError(`migration ${file}: CONCURRENTLY and VACUUM cannot run inside a migration's transaction`);
    }
    return { version, name: match[2] as string, sql, sha256: createHash('sha256').update(sql).digest('hex') };
  });
}

/**
 * Applies pending migrations, each in its own transaction with its ledger row, under a session
 * advisory lock so that two starting processes never both migrate. Throws MigrationError when a
 * file fails, when an applied file was edited, or when the database is newer than this code.
 */
export async function migrate(pool: Pool, log: Logger, dir = MIGRATIONS_DIR): Promise<number[]> {
  const migrations = readMigrations(dir);
  const client = await pool.connect();
  try {
    await lockForSession(client, LOCK.migration);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migration (
      version integer PRIMARY KEY, name text NOT NULL, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number; name: string; sha256: string }>(
      'SELECT version, name, sha256 FROM schema_migration ORDER BY version',
    );
    const known = new Map(migrations.map((m) => [m.version, m]));
    for (const row of rows) {
      const file = known.get(row.version);
      if (!file)
        throw new MigrationError(
          `database has migration ${row.version} (${row.name}) that this tenantscope does not know: the schema is newer than the code`,
        );
      if (file.sha256 !== row.sha256)
        throw new MigrationError(
          `migration ${fileName(row.version, row.name)} was edited after it was applied; migrations are forward-only, add a new one`,
        );
    }
    const applied = new Set(rows.map((r) => r.version));
    const done: number[] = [];
    for (const m of migrations.filter((x) => !applied.has(x.version))) {
      try {
        await client.query('BEGIN');
        await client.query('INSERT INTO schema_migration (version, name, sha256) VALUES ($1, $2, $3)', [m.version, m.name, m.sha256]);
        await client.query(m.sql);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new MigrationError(`migration ${fileName(m.version, m.name)} failed: ${(err as Error).message}`);
      }
      log.info({ version: m.version, name: m.name }, 'migration applied');
      done.push(m.version);
    }
    return done;
  } finally {
    await unlockForSession(client, LOCK.migration).catch(() => undefined);
    client.release();
  }
}

function fileName(version: number, name: string): string {
  return `${String(version).padStart(4, '0')}_${name}.sql`;
}
