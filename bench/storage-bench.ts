import { randomBytes } from 'node:crypto';
import { adminSql } from './admin-sql';
import { writeBenchRows } from './lib/rows';
import { parseFleet } from '../services/config/fleet';
import { syncFleet } from '../services/config/fleet-store';
import { silentLogger } from '../services/core/logger';
import { createPool, type Pool } from '../services/storage/db';
import { migrate } from '../services/storage/migrate';
import { MONTHLY_TABLES } from '../services/storage/partitions';
import { RETENTION_CLASS_NAMES, RETENTION_CLASSES, type RetentionMonths } from '../services/storage/retention';
import { planPartitionRetention, runPartitionRetention } from '../services/queue/partition-retention';

/**
 * `npm run bench:storage`: bytes on disk per tenant-month per retention class. Fills one UTC month
 * (March 2026) for N tenants of one cluster with rows shaped like the collectors': every minute a
 * tenant_minute row (requests, latency histogram, probes), an ingress row, a pg_tenant_minute and
 * a redis_tenant_minute sample row, the eight attribution resources, the cluster's rows, a day of
 * SLA minutes per day and a few outage, backup and recovery-point rows. Then the default
 * retention runs at a "now" six months later (raw samples go, the rest is within retention),
 * and sizes are measured again: after = what remains. Size = pg_total_relation_size of the
 * month's partitions / tenants. Not a ratio to a peer: a plain table in bench/results/storage.json.
 * Environment: BENCH_ADMIN_URL, BENCH_TENANTS (default 10).
 */
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TENANTS = Number(process.env.BENCH_TENANTS ?? 10);
const START = '2026-03-01T00:00:00Z';
const END = '2026-04-01T00:00:00Z';
const AFTER_AT = Date.parse('2026-09-15T00:00:00Z');
const DEFAULTS: RetentionMonths = { 'raw-samples': 2, 'minute-rollups': 13, 'sla-minutes': 25, 'noisy-attribution': 13 };
const RESOURCES = ['odoo_workers', 'odoo_cron', 'pg_cpu', 'pg_io', 'pg_conn', 'pg_locks', 'redis', 'ingress'];

function fleetYaml(n: number): string {
  const lines = ['clusters:', '  c1:', '    timezone: UTC', 'tenants:'];
  for (let i = 0; i < n; i++)
    lines.push(
      `  - id: t${i}`,
      `    name: Tenant ${i}`,
      '    cluster: c1',
      '    tier: standard',
      `    hosts: [t${i}.bench.test]`,
      '    monthlyFee: {amount: "500.00", currency: EUR}',
    );
  return `${lines.join('\n')}\n`;
}

// One statement per table: minutes × tenants from generate_series, values varying by minute.
const FILL = [
  `INSERT INTO tenant_minute (tenant_id, minute, odoo_requests_2xx, odoo_requests_3xx, odoo_requests_4xx, odoo_requests_5xx, odoo_requests_other,
     odoo_requests_held, odoo_queries, odoo_sql_seconds, odoo_python_seconds, odoo_duration_counts, odoo_duration_sum, probes_ok, probes_failed, probe_seconds_sum)
   SELECT t, m, 40 + (extract(minute FROM m))::int % 17, 2, 1, (extract(minute FROM m))::int % 29 / 28, 0, 1, 900, 1.7, 2.9,
     ARRAY[12, 9, 7, 6, 4, 3, 1, 1, 0, 0], 4.61, 4, 0, 0.8
   FROM unnest($1::text[]) t, generate_series($2::timestamptz, $3::timestamptz - interval '1 minute', interval '1 minute') m`,
  `INSERT INTO ingress_minute (tenant_id, minute, ingress_requests, ingress_server_errors)
   SELECT t, m, 45 + (extract(minute FROM m))::int % 13, (extract(minute FROM m))::int % 31 / 30
   FROM unnest($1::text[]) t, generate_series($2::timestamptz, $3::timestamptz - interval '1 minute', interval '1 minute') m`,
  `INSERT INTO pg_tenant_minute (tenant_id, minute, activity_samples, active_seconds, idle_in_transaction_seconds, max_backends, lock_wait_suffered_seconds,
     lock_wait_caused_seconds, xact_commit, xact_rollback, blks_read, blks_hit, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted, temp_files, temp_bytes)
   SELECT t, m, 60, 3.5, 0.2, 6, 0, 0, 880, 3, 120, 52000, 81000, 9000, 40, 25, 2, 0, 0
   FROM unnest($1::text[]) t, generate_series($2::timestamptz, $3::timestamptz - interval '1 minute', interval '1 minute') m`,
  `INSERT INTO redis_tenant_minute (tenant_id, minute, cluster_id, samples, clients_max, client_memory_max_bytes, keys_max, commands)
   SELECT t, m, 'c1', 4, 3, 61440, 1800, 350 + (extract(minute FROM m))::int
   FROM unnest($1::text[]) t, generate_series($2::timestamptz, $3::timestamptz - interval '1 minute', interval '1 minute') m`,
  `INSERT INTO tenant_resource_minute (tenant_id, minute, resource, cluster_id, usage, share)
   SELECT t, m, r, 'c1', 1.5 + (extract(minute FROM m))::int % 7, 0.1
   FROM unnest($1::text[]) t, generate_series($2::timestamptz, $3::timestamptz - interval '1 minute', interval '1 minute') m, unnest($4::text[]) r`,
  `INSERT INTO cluster_resource_minute (cluster_id, minute, resource, usage, capacity, capacity_source, saturation, shares_valid)
   SELECT 'c1', m, r, 30, 480, 'fleet', 0.06, true
   FROM generate_series($2::timestamptz, $3::timestamptz - interval '1 minute', interval '1 minute') m, unnest($4::text[]) r
   WHERE cardinality($1::text[]) > 0`,
  `INSERT INTO redis_minute (cluster_id, minute, samples, used_memory_max_bytes, connected_clients_max, ops_per_second_max, commands_processed,
     connections_received, rejected_connections, expired_keys, evicted_keys, keyspace_hits, keyspace_misses)
   SELECT 'c1', m, 4, 2.1e9, 120, 900, 52000, 30, 0, 12, 0, 40000, 900
   FROM generate_series($2::timestamptz, $3::timestamptz - interval '1 minute', interval '1 minute') m
   WHERE cardinality($1::text[]) > 0`,
  `INSERT INTO sla_minute (tenant_id, day, states)
   SELECT t, d, decode(repeat('00', 1440), 'hex')
   FROM unnest($1::text[]) t, generate_series($2::timestamptz, $3::timestamptz - interval '1 day', interval '1 day') d`,
  `INSERT INTO odoo_tenant_event_minute (tenant_id, minute, worker_max_request, cron_starts, cron_done, cron_timed_runs, cron_seconds)
   SELECT t, m, 0, 1, 1, 1, 2.5
   FROM unnest($1::text[]) t, generate_series($2::timestamptz, $3::timestamptz - interval '1 minute', interval '5 minutes') m`,
  `INSERT INTO odoo_worker_event_minute (cluster_id, minute, event, events)
   SELECT 'c1', m, 'max-request', 1 FROM generate_series($2::timestamptz, $3::timestamptz - interval '1 minute', interval '10 minutes') m
   WHERE cardinality($1::text[]) > 0`,
  `INSERT INTO backup_job (tenant_id, kind, started_at, finished_at, status, bytes)
   SELECT t, 'backup', d + interval '2 hours', d + interval '2 hours 10 minutes', 'ok', 3e9
   FROM unnest($1::text[]) t, generate_series($2::timestamptz, $3::timestamptz - interval '1 day', interval '1 day') d`,
  `INSERT INTO recovery_point (cluster_id, tenant_id, source, observed_at, recoverable_at)
   SELECT 'c1', NULL, 'pgbackrest', m, m - interval '1 minute'
   FROM generate_series($2::timestamptz, $3::timestamptz - interval '1 minute', interval '5 minutes') m
   WHERE cardinality($1::text[]) > 0`,
  `INSERT INTO postgres_unreachable (cluster_id, scheduled_at)
   SELECT 'c1', m FROM generate_series($2::timestamptz + interval '9 days', $2::timestamptz + interval '9 days 20 minutes', interval '15 seconds') m
   WHERE cardinality($1::text[]) > 0`,
];

const SIZES = `SELECT c.relname AS partition, pg_total_relation_size(c.oid)::int8 AS bytes FROM pg_class c
  WHERE c.relkind = 'r' AND c.relname = ANY($1)`;

/** Bytes per tenant of each class's March partitions (0 for a dropped one). */
async function perTenant(pool: Pool): Promise<Record<string, { bytes: number; tables: Record<string, number> }>> {
  const names = MONTHLY_TABLES.map((t) => `${t}_y2026m03`);
  const { rows } = await pool.query<{ partition: string; bytes: string }>(SIZES, [names]);
  const size = new Map(rows.map((r) => [r.partition, Number(r.bytes)]));
  const out: Record<string, { bytes: number; tables: Record<string, number> }> = {};
  for (const cls of RETENTION_CLASS_NAMES) {
    const tables: Record<string, number> = {};
    for (const t of RETENTION_CLASSES[cls]) tables[t] = Math.round((size.get(`${t}_y2026m03`) ?? 0) / TENANTS);
    out[cls] = { bytes: Object.values(tables).reduce((a, b) => a + b, 0), tables };
  }
  return out;
}

async function main(): Promise<void> {
  const name = `h7ret_storage_${randomBytes(4).toString('hex')}`;
  await adminSql(ADMIN_URL, `CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), 4, 'tenantscope-bench');
  try {
    await migrate(pool, silentLogger);
    const fleet = parseFleet(fleetYaml(TENANTS), 'bench-fleet.yaml');
    await syncFleet(pool, fleet, new Date(START));
    for (const table of MONTHLY_TABLES) await pool.query('SELECT tenantscope_ensure_month_partition($1, $2)', [table, START]);
    const ids = fleet.tenants.map((t) => t.id);
    for (const sql of FILL) {
      // each statement takes the parameters up to the highest $n it names
      const used = Math.max(...[...sql.matchAll(/\$(\d)/g)].map((m) => Number(m[1])));
      await pool.query(sql, [ids, START, END, RESOURCES].slice(0, used));
    }
    await pool.query('VACUUM ANALYZE');
    const before = await perTenant(pool);
    const deps = { pool, retentionMonths: DEFAULTS, graceHours: 72 };
    const plan = (await planPartitionRetention(deps, AFTER_AT)).filter((f) => f.month === '2026-03');
    await runPartitionRetention(deps, AFTER_AT, silentLogger);
    const after = await perTenant(pool);

    const kib = (n: number) => (n / 1024).toFixed(1).padStart(10);
    process.stdout.write(`bytes per tenant-month (March 2026, ${TENANTS} tenants), retention run at 2026-09-15 with the defaults\n`);
    process.stdout.write(`${'class'.padEnd(20)} ${'before KiB'.padStart(10)} ${'after KiB'.padStart(10)}\n`);
    for (const cls of RETENTION_CLASS_NAMES)
      process.stdout.write(`${cls.padEnd(20)} ${kib(before[cls]!.bytes)} ${kib(after[cls]!.bytes)}\n`);
    const sum = (x: typeof before) => Object.values(x).reduce((a, c) => a + c.bytes, 0);
    process.stdout.write(`${'total'.padEnd(20)} ${kib(sum(before))} ${kib(sum(after))}\n`);
    const file = writeBenchRows('storage', [], {
      storage: {
        tenants: TENANTS,
        month: '2026-03',
        retentionAt: new Date(AFTER_AT).toISOString(),
        retentionMonths: DEFAULTS,
        bytesPerTenantMonth: { before, after },
        totalBefore: sum(before),
        totalAfter: sum(after),
        plan: plan.map((f) => ({ class: f.class, partition: f.partition, drop: f.drop, reason: f.reason })),
      },
    });
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    await pool.end();
    await adminSql(ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
