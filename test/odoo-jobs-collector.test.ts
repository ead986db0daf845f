import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectorRunner } from '../collectors/runner';
import { ADMIN_URL, createTestDatabase, type TestDatabase } from './helpers/database';
import { buildFleet } from './helpers/fleet-builder';
import { testFleetSpec } from './helpers/fleets';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';
import { ManualClock } from '../services/core/clock';
import type { Fleet } from '../services/config/fleet-types';
import { silentLogger } from '../services/core/logger';
import { createMetricsRegistry } from '../services/metrics/registry';
import { PartitionKeeper } from '../services/storage/partitions';

// Three tenant databases as Odoo leaves them, with the columns the reader uses: t1 has
// scheduled actions and OCA queue_job, t2 scheduled actions only, t3 is not an Odoo database,
// and t4's database does not exist.
const ODOO = `
CREATE TABLE ir_cron (id serial PRIMARY KEY, active boolean NOT NULL, nextcall timestamp without time zone NOT NULL);`;
const QUEUE_JOB = `
CREATE TABLE queue_job (id serial PRIMARY KEY, state varchar NOT NULL, date_created timestamp without time zone, eta timestamp without time zone);`;

let store: MigratedDatabase;
let fleet: Fleet;
const tenantDbs: TestDatabase[] = [];
const clock = new ManualClock(Date.now());

async function sql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  for (let i = 0; i < 3; i++) tenantDbs.push(await createTestDatabase('ts_jobs'));
  const [t1, t2] = tenantDbs;
  await sql(
    t1!.url,
    `${ODOO}${QUEUE_JOB}
     INSERT INTO ir_cron (active, nextcall) VALUES
       (true, (now() AT TIME ZONE 'UTC') + interval '5 minutes'),
       (true, (now() AT TIME ZONE 'UTC') - interval '2 minutes'),
       (true, (now() AT TIME ZONE 'UTC') - interval '2 hours'),
       (false, (now() AT TIME ZONE 'UTC') - interval '3 days');
     INSERT INTO queue_job (state, date_created, eta)
       SELECT 'pending', (now() AT TIME ZONE 'UTC') - interval '40 minutes', NULL FROM generate_series(1, 3);
     INSERT INTO queue_job (state, date_created, eta) VALUES
       ('pending', (now() AT TIME ZONE 'UTC') - interval '3 hours', (now() AT TIME ZONE 'UTC') + interval '1 hour'),
       ('started', now() AT TIME ZONE 'UTC', NULL), ('failed', now() AT TIME ZONE 'UTC', NULL),
       ('failed', now() AT TIME ZONE 'UTC', NULL), ('done', (now() AT TIME ZONE 'UTC') - interval '9 days', NULL);`,
  );
  await sql(t2!.url, `${ODOO} INSERT INTO ir_cron (active, nextcall) VALUES (true, (now() AT TIME ZONE 'UTC') + interval '1 minute');`);
  const spec = testFleetSpec({ tenants: 4 });
  spec.clusters.c1!.postgres = { url: ADMIN_URL, jobsIntervalSeconds: 60, cronOverdueSeconds: 300 };
  tenantDbs.forEach((db, i) => (spec.tenants[i]!.database = db.name));
  spec.tenants[3]!.database = `ts_jobs_missing_${process.pid}`;
  fleet = buildFleet(spec, { source: 'odoo-jobs-test.yaml' });
  store = await migratedDatabase(fleet);
});
afterAll(async () => {
  await store.close();
  for (const db of tenantDbs) await db.drop();
});

const runner = () =>
  new CollectorRunner({
    pool: store.pool,
    partitions: new PartitionKeeper(store.pool),
    fleet,
    clock,
    log: silentLogger,
    timeoutSeconds: 10,
  });

async function series(): Promise<string[]> {
  const text = await createMetricsRegistry(store.pool, { version: 't', revision: 't' }, silentLogger, clock).metrics();
  return text.split('\n').filter((l) => /^tenantscope_odoo_(jobs|cron_(active|overdue|oldest)|queue)/.test(l));
}

describe('odoo-jobs collector', () => {
  it("reads each tenant's scheduled actions and queue jobs, skips missing tables, and says which database it could not read", async () => {
    const outcome = await runner().run({ collector: 'odoo-jobs', target: 'c1/jobs', scheduledAt: new Date(clock.now()) });
    expect(outcome).toMatchObject({ duplicate: false, records: 3, unattributed: 1 });
    const lines = await series();
    const value = (prefix: string) => {
      const line = lines.find((l) => l.startsWith(prefix));
      return line === undefined ? undefined : Number(line.split(' ').pop());
    };
    expect(value('tenantscope_odoo_jobs_read_success{tenant="t1"')).toBe(1);
    expect(value('tenantscope_odoo_jobs_read_success{tenant="t4"')).toBe(0);
    expect(value('tenantscope_odoo_cron_active_jobs{tenant="t1"')).toBe(3);
    expect(value('tenantscope_odoo_cron_overdue_jobs{tenant="t1"')).toBe(1);
    expect(value('tenantscope_odoo_cron_oldest_overdue_seconds{tenant="t1"')).toBeGreaterThan(7190);
    expect(value('tenantscope_odoo_cron_oldest_overdue_seconds{tenant="t1"')).toBeLessThan(7300);
    expect(value('tenantscope_odoo_queue_jobs{tenant="t1",cluster="c1",state="pending"}')).toBe(4);
    expect(value('tenantscope_odoo_queue_jobs{tenant="t1",cluster="c1",state="failed"}')).toBe(2);
    expect(value('tenantscope_odoo_queue_jobs{tenant="t1",cluster="c1",state="enqueued"}')).toBe(0);
    // the pending job with a future eta may not run yet: the oldest runnable waited 40 minutes
    expect(value('tenantscope_odoo_queue_oldest_pending_seconds{tenant="t1"')).toBeGreaterThan(2390);
    expect(value('tenantscope_odoo_queue_oldest_pending_seconds{tenant="t1"')).toBeLessThan(2500);
    // t2: cron only, none overdue: no queue series, no oldest-overdue series; t3: nothing but the read
    expect(value('tenantscope_odoo_cron_overdue_jobs{tenant="t2"')).toBe(0);
    expect(lines.filter((l) => l.includes('tenant="t2"') && l.includes('queue'))).toEqual([]);
    expect(value('tenantscope_odoo_cron_oldest_overdue_seconds{tenant="t2"')).toBeUndefined();
    expect(lines.filter((l) => l.includes('tenant="t3"'))).toEqual([expect.stringMatching(/^tenantscope_odoo_jobs_read_success\{.*\} 1$/)]);
    expect(lines.filter((l) => l.includes('tenant="t4"'))).toHaveLength(1);
    const stored = await store.pool.query(`SELECT read_error FROM odoo_job_backlog WHERE tenant_id = 't4'`);
    expect(stored.rows).toEqual([{ read_error: 'database does not exist' }]);
  });

  it('drops the series once the reads stop for three intervals', async () => {
    await runner().run({ collector: 'odoo-jobs', target: 'c1/jobs', scheduledAt: new Date(clock.now() + 1000) });
    expect((await series()).length).toBeGreaterThan(0);
    clock.advance(181_000);
    expect(await series()).toEqual([]);
  });
});
