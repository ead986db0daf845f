import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectorRunner } from '../collectors/runner';
import { readFailedRuns } from '../collectors/lib/collector-store';
import { readUnreachable } from '../collectors/postgres/outage-store';
import { ManualClock } from '../services/core/clock';
import { silentLogger } from '../services/core/logger';
import type { Evidence } from '../services/sla/evidence';
import { canonicalJson } from '../services/sla/canonical';
import { loadTenantMonth } from '../services/sla/store/evidence-loader';
import { computeReportFromMinutes } from '../services/sla/store/minutes-report';
import { syncFleet } from '../services/config/fleet-store';
import { createPool } from '../services/storage/db';
import { MIGRATIONS_DIR, migrate } from '../services/storage/migrate';
import { PartitionKeeper } from '../services/storage/partitions';
import { createTestDatabase } from './helpers/database';
import { buildFleet, tenantSpec } from './helpers/fleet-builder';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';
import { insertProbes } from './sla-fixture';

/** "PostgreSQL unreachable" as its own evidence (migration 0020): written live, backfilled, read by the SLA. */
const fleet = buildFleet(
  {
    clusters: {
      // nobody listens on port 1: every run of this cluster's collector fails
      c1: { timezone: 'UTC', postgres: { url: 'postgres://postgres@127.0.0.1:1/none', intervalSeconds: 15 } },
    },
    tenants: [tenantSpec('t1', 'c1', { database: 't1db' })],
  },
  { source: 'unreachable.yaml' },
);

describe('a failed postgres run', () => {
  let db: MigratedDatabase;
  beforeAll(async () => {
    db = await migratedDatabase(fleet);
  });
  afterAll(() => db?.close());

  it('records the stats run as unreachable with its ledger row, once, and nothing for other targets', async () => {
    const runner = new CollectorRunner({
      pool: db.pool,
      partitions: new PartitionKeeper(db.pool),
      fleet,
      clock: new ManualClock(Date.parse('2026-03-10T08:02:01Z')),
      log: silentLogger,
      timeoutSeconds: 10,
    });
    const at = new Date('2026-03-10T08:02:00Z');
    try {
      expect(await runner.run({ collector: 'postgres', target: 'c1/stats', scheduledAt: at })).toBeUndefined();
      expect(await runner.run({ collector: 'postgres', target: 'c1/stats', scheduledAt: at })).toBeUndefined(); // a retried job
      expect(await runner.run({ collector: 'postgres', target: 'c1/activity', scheduledAt: at })).toBeUndefined();
    } finally {
      await runner.close();
    }
    const s = Date.parse('2026-03-01T00:00:00Z') / 1000;
    const e = Date.parse('2026-04-01T00:00:00Z') / 1000;
    expect(await readUnreachable(db.pool, ['c1'], s, e)).toEqual([{ cluster_id: 'c1', scheduled_at: at }]);
    const runs = await db.pool.query('SELECT target, success FROM collector_run ORDER BY target');
    expect(runs.rows).toEqual([
      { target: 'c1/activity', success: false },
      { target: 'c1/stats', success: false },
    ]);
  });
});

describe('migration 0020', () => {
  it("backfills failed stats runs, and a month's report is the same as from the old path (collector_run)", async () => {
    const test = await createTestDatabase('ts_unreach');
    const pool = createPool(test.url, 4);
    try {
      // the schema before 0020, with the evidence as it was recorded then
      const before = mkdtempSync(join(tmpdir(), 'migrations-'));
      for (const f of readdirSync(MIGRATIONS_DIR)) if (!f.startsWith('0020_')) copyFileSync(join(MIGRATIONS_DIR, f), join(before, f));
      await migrate(pool, silentLogger, before);
      await syncFleet(pool, fleet, new Date('2026-01-01T00:00:00Z'));
      for (const table of ['tenant_minute', 'ingress_minute', 'odoo_tenant_event_minute', 'backup_job', 'recovery_point', 'sla_minute'])
        await pool.query('SELECT tenantscope_ensure_month_partition($1, $2)', [table, '2026-03-01T00:00:00Z']);
      await insertProbes(pool, 't1', '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', 2, 0);
      await insertProbes(pool, 't1', '2026-03-10T08:00:00Z', '2026-03-10T08:10:00Z', 0, 2);
      await pool.query(`INSERT INTO collector_run (collector, target, scheduled_at, finished_at, success, duration_seconds, worker) VALUES
        ('postgres', 'c1/stats', '2026-03-10T08:02:00Z', '2026-03-10T08:02:05Z', false, 5, 'test'),
        ('postgres', 'c1/stats', '2026-03-10T08:02:15Z', '2026-03-10T08:02:20Z', false, 5, 'test'),
        ('postgres', 'c1/stats', '2026-03-10T08:04:00Z', '2026-03-10T08:04:05Z', false, 5, 'test'),
        ('postgres', 'c1/stats', '2026-03-10T08:05:00Z', '2026-03-10T08:05:01Z', true, 1, 'test'),
        ('postgres', 'c1/activity', '2026-03-10T08:06:00Z', '2026-03-10T08:06:05Z', false, 5, 'test'),
        ('odoo-probe', 't1.example.test', '2026-03-10T08:07:00Z', '2026-03-10T08:07:05Z', false, 5, 'test'),
        ('postgres', 'c1/stats', '2026-02-27T08:00:00Z', '2026-02-27T08:00:05Z', false, 5, 'test')`);
      expect(await migrate(pool, silentLogger)).toEqual([20]);

      const [s, e] = [Date.parse('2026-03-01T00:00:00Z') / 1000, Date.parse('2026-04-01T00:00:00Z') / 1000];
      const old = await readFailedRuns(pool, 'postgres', ['c1/stats'], s, e);
      const backfilled = await readUnreachable(pool, ['c1'], s, e);
      expect(backfilled.map((r) => r.scheduled_at)).toEqual(old.map((r) => r.scheduled_at));
      expect(backfilled).toHaveLength(3);

      const loaded = (await loadTenantMonth(pool, fleet, 't1', '2026-03'))!;
      // the old path: the signal lines built from collector_run, as sparse-evidence.ts did before 0020
      const fromRuns: Evidence[] = old.map((r) => ({
        kind: 'signal',
        cluster: 'c1',
        tsMs: r.scheduled_at.getTime(),
        signal: 'postgres-unreachable',
      }));
      const oldInput = {
        ...loaded.input,
        clusterEvidence: [
          ...loaded.input.clusterEvidence.filter((l) => !(l.kind === 'signal' && l.signal === 'postgres-unreachable')),
          ...fromRuns,
        ],
      };
      const now = canonicalJson(computeReportFromMinutes(loaded.input, loaded.minutes));
      expect(now).toBe(canonicalJson(computeReportFromMinutes(oldInput, loaded.minutes)));
      const report = computeReportFromMinutes(loaded.input, loaded.minutes);
      expect(report.incidents.flatMap((i) => i.signals)).toContainEqual({ signal: 'postgres-unreachable', cluster: 'c1', minutes: 2 });
    } finally {
      await pool.end();
      await test.drop();
    }
  }, 90_000);
});
