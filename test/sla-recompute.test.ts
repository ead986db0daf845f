import { recordUnreachable } from '../collectors/postgres/outage-store';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../services/core/clock';
import { freezeTenantMonth } from '../services/sla/freeze';
import { recordExclusion } from '../services/sla/store/exclusion-store';
import { testFleet, testFleetYaml } from './helpers/fleets';
import { insertIngress, insertProbes, slaDatabase, type SlaDb } from './sla-fixture';
import { runTenantscope } from './helpers/processes';

const tenantscope = (args: string[]) =>
  runTenantscope(
    args,
    { TENANTSCOPE_DATABASE_URL: s.db.url, TENANTSCOPE_SIGNING_KEY_FILE: keyFile, TENANTSCOPE_LOG_LEVEL: 'silent' },
    { timeoutMs: 60_000 },
  );

const dir = mkdtempSync(join(tmpdir(), 'tenantscope-sla-recompute-'));
const fleetFile = join(dir, 'fleet.yaml');
writeFileSync(fleetFile, testFleetYaml());
const keyFile = join(dir, 'key');
writeFileSync(keyFile, 'recompute test key\n');
const fleet = testFleet();
let s: SlaDb;

beforeAll(async () => {
  s = await slaDatabase(fleet, ['2026-03']);
  // Every kind of evidence the PostgreSQL path reads, so the bundle carries each line kind.
  await insertProbes(s.pool, 't1', '2026-02-28T23:00:00Z', '2026-03-03T00:00:00Z', 2, 0);
  await insertProbes(s.pool, 't1', '2026-03-02T08:00:00Z', '2026-03-02T08:07:00Z', 0, 2);
  await insertIngress(s.pool, 't1', '2026-03-02T09:00:00Z', 200, 30);
  await insertIngress(s.pool, 't1', '2026-03-02T09:01:00Z', 0, 0);
  await s.pool
    .query(`INSERT INTO tenant_minute (tenant_id, minute, odoo_requests_2xx, odoo_requests_3xx, odoo_requests_4xx, odoo_requests_5xx, odoo_requests_other)
    VALUES ('t1', '2026-03-02T09:02:00Z', 8, 1, 1, 4, 0) ON CONFLICT (tenant_id, minute) DO UPDATE SET odoo_requests_2xx = 8, odoo_requests_3xx = 1, odoo_requests_4xx = 1, odoo_requests_5xx = 4, odoo_requests_other = 0`);
  await s.pool.query(
    `INSERT INTO odoo_tenant_event_minute (tenant_id, minute, worker_timeout_kill) VALUES ('t1', '2026-03-02T08:01:00Z', 1)`,
  );
  await s.pool.query(`INSERT INTO collector_run (collector, target, scheduled_at, finished_at, success, duration_seconds, worker)
    VALUES ('postgres', 'c1/stats', '2026-03-02T08:02:00Z', '2026-03-02T08:02:05Z', false, 5, 'test')`);
  // the failed stats run's evidence, as the runner writes it in the same transaction
  await recordUnreachable(s.pool, 'c1', new Date('2026-03-02T08:02:00Z'));
  await s.pool.query(`INSERT INTO recovery_point (cluster_id, tenant_id, source, observed_at, recoverable_at) VALUES
    ('c1', NULL, 'pgbackrest', '2026-02-27T10:00:00Z', '2026-02-27T09:00:00Z'),
    ('c1', NULL, 'pgbackrest', '2026-02-27T12:00:00Z', '2026-02-27T11:00:00Z'),
    ('c1', 't1', 'dump', '2026-03-02T02:00:00Z', '2026-03-02T01:00:00Z')`);
  await s.pool.query(`INSERT INTO backup_job (tenant_id, kind, started_at, finished_at, status) VALUES
    ('t1', 'restore-test', '2026-03-01T03:00:00Z', '2026-03-01T03:20:30.5Z', 'ok'),
    ('t1', 'restore-test', '2026-02-01T03:00:00Z', '2026-02-01T03:10:00Z', 'failed')`);
  await recordExclusion(
    s.pool,
    { cluster: 'c1', kind: 'force-majeure', start: '2026-03-02T08:30:00Z', end: '2026-03-02T08:45:30Z', reason: 'flood' },
    'alice',
    new Date('2026-03-03T00:00:00Z'),
  );
  const clock = new ManualClock(Date.parse('2026-04-10T00:00:00Z'));
  await freezeTenantMonth({ pool: s.pool, fleet, clock, signingKey: Buffer.from('recompute test key'), graceHours: 72 }, 't1', '2026-03');
}, 60_000);
afterAll(() => s?.close());

describe('tenantscope sla export and recompute', () => {
  it('reproduces the stored frozen report byte for byte from the bundle alone', async () => {
    const exported = await tenantscope(['sla', 'export', '--fleet', fleetFile, '--month', '2026-03', '--tenant', 't1']);
    expect(exported.stderr).toMatch(/revision 1 \(frozen\)/);
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trim().split('\n');
    const header = JSON.parse(lines[0]!);
    expect(header).toMatchObject({
      kind: 'bundle',
      month: '2026-03',
      engineVersion: 1,
      tier: { id: 'business' },
      tenant: { id: 't1' },
      cluster: { id: 'c1' },
    });
    const stored = JSON.parse(lines[1]!);
    const { rows } = await s.pool.query('SELECT digest, canonical FROM sla_report WHERE tenant_id = $1', ['t1']);
    expect(stored).toMatchObject({ kind: 'stored-report', revision: 1, digest: rows[0].digest, canonical: rows[0].canonical });
    const kinds = new Set(lines.slice(2).map((l) => JSON.parse(l).kind));
    expect(kinds).toEqual(new Set(['probe', 'requests', 'exclusion', 'signal', 'recovery-point', 'restore-test']));
    const report = JSON.parse(rows[0].canonical);
    expect(report.incidents[0].signals.map((x: { signal: string }) => x.signal)).toEqual([
      'postgres-unreachable',
      'probe-failure',
      'worker-kill',
    ]);
    expect(report.rto.lastTest).toMatchObject({ ok: true, durationSeconds: 1230.5 });

    const bundle = join(dir, 'bundle.ndjson');
    writeFileSync(bundle, exported.stdout);
    const same = await tenantscope(['sla', 'recompute', bundle]);
    expect(same.stdout).toMatch(/^reproduced: t1 2026-03 revision 1, canonical JSON identical byte for byte/);
    expect(same.code).toBe(0);

    // One more failed probe in the evidence: the recomputed report differs and says where.
    const tampered = join(dir, 'tampered.ndjson');
    writeFileSync(
      tampered,
      readFileSync(bundle, 'utf8')
        .replace('"ts":"2026-03-01T12:00:00.000Z","ok":true', '"ts":"2026-03-01T12:00:00.000Z","ok":false')
        .replace(/("ts":"2026-03-01T12:00:00.000Z","ok":)true/, '$1false'),
    );
    const different = await tenantscope(['sla', 'recompute', tampered]);
    expect(different.code).toBe(1);
    expect(different.stdout).toMatch(/^not reproduced: first difference at character \d+/);
  });
});
