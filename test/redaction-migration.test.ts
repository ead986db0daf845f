import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../services/core/logger';
import { redact } from '../services/core/redact';
import { createPool, type Pool } from '../services/storage/db';
import { MIGRATIONS_DIR, migrate } from '../services/storage/migrate';
import { createTestDatabase, type TestDatabase } from './helpers/database';

/**
 * A database written by a version that kept Traefik target ids with their credentials and the
 * fleet copy with every URL as written: migration 0014 rewrites both with the one redaction, so
 * the Traefik's baseline, runs and status continue under the id the collector now uses.
 */
const PW = 'S3cr3t-0ld-1d';
const OLD = `http://traefik:${PW}@10.0.0.5:8082/metrics?password=${PW}`;
const NEW = redact(OLD);
let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, 2);
  const before = mkdtempSync(join(tmpdir(), 'migrations-0013-'));
  for (const f of readdirSync(MIGRATIONS_DIR).filter((f) => f < '0014')) copyFileSync(join(MIGRATIONS_DIR, f), join(before, f));
  await migrate(pool, silentLogger, before);
  const spec = {
    id: 'c1',
    traefik: { metricsUrl: OLD },
    redis: { url: `redis://:${PW}@cache:6379` },
    postgres: { url: `postgres://m:${PW}@db/x` },
  };
  await pool.query(`INSERT INTO cluster (id, timezone, spec, synced_at) VALUES ('c1', 'UTC', $1, now())`, [JSON.stringify(spec)]);
  await pool.query(
    `INSERT INTO collector_status (collector, target, success, duration_seconds, finished_at, error) VALUES
       ('traefik', $1, false, 1, '2026-03-01T10:00:00Z', $2),
       ('redis', 'c1', false, 1, '2026-03-01T10:00:00Z', $3)`,
    [OLD, `Traefik ${OLD} answered 401`, `connect redis://:${PW}@cache:6379 refused`],
  );
  await pool.query(
    `INSERT INTO collector_run (collector, target, scheduled_at, finished_at, success, duration_seconds, error, worker) VALUES
       ('traefik', $1, '2026-03-01T09:59:00Z', '2026-03-01T09:59:01Z', true, 1, NULL, 'w'),
       ('traefik', $1, '2026-03-01T10:00:00Z', '2026-03-01T10:00:01Z', false, 1, $2, 'w'),
       ('traefik', $3, '2026-03-01T10:00:00Z', '2026-03-01T10:00:01Z', false, 1, 'a newer version ran this one too', 'w2')`,
    [OLD, `Traefik ${OLD} answered 401`, NEW],
  );
  await pool.query(
    `INSERT INTO traefik_scrape_state (target, cluster_id, scraped_at, counters) VALUES ($1, 'c1', '2026-03-01T09:59:00Z', '{}')`,
    [OLD],
  );
  await migrate(pool, silentLogger);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('migration 0014: stored secrets', () => {
  it('leaves no password in the tables that held them', async () => {
    for (const table of ['cluster', 'collector_status', 'collector_run', 'traefik_scrape_state']) {
      const { rows } = await pool.query<{ row: string }>(`SELECT t::text AS row FROM ${table} t`);
      expect(rows.length, table).toBeGreaterThan(0);
      expect(
        rows.filter((r) => r.row.includes(PW)).map((r) => r.row),
        table,
      ).toEqual([]);
    }
  });

  it('moves the Traefik status, runs and baseline to the redacted id, one run per scheduled time', async () => {
    expect(NEW).toBe('http://10.0.0.5:8082/metrics?password=***');
    const status = await pool.query("SELECT target, error FROM collector_status WHERE collector = 'traefik'");
    expect(status.rows).toEqual([{ target: NEW, error: `Traefik ${NEW} answered 401` }]);
    const runs = await pool.query("SELECT target, scheduled_at FROM collector_run WHERE collector = 'traefik' ORDER BY scheduled_at");
    expect(runs.rows.map((r: { target: string; scheduled_at: Date }) => [r.target, r.scheduled_at.toISOString()])).toEqual([
      [NEW, '2026-03-01T09:59:00.000Z'],
      [NEW, '2026-03-01T10:00:00.000Z'],
    ]);
    expect((await pool.query('SELECT target FROM traefik_scrape_state')).rows).toEqual([{ target: NEW }]);
    const spec = (await pool.query<{ spec: { traefik: { metricsUrl: string }; redis: { url: string } } }>('SELECT spec FROM cluster'))
      .rows[0]!.spec;
    expect(spec.traefik.metricsUrl).toBe(NEW);
    expect(spec.redis.url).toBe('redis://cache:6379');
  });
});
