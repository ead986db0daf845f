import { randomBytes } from 'node:crypto';
import { adminSql } from './admin-sql';
import { benchRow, interleave, writeBenchRows } from './lib/rows';
import { ManualClock } from '../services/core/clock';
import { parseFleet } from '../services/config/fleet';
import { silentLogger } from '../services/core/logger';
import { canonicalJson } from '../services/sla/canonical';
import { loadTenantMonth } from '../services/sla/store/evidence-loader';
import { computeReportFromMinutes } from '../services/sla/store/minutes-report';
import { monthReports } from '../services/sla/store/report-store';
import { createPool } from '../services/storage/db';
import { syncFleet } from '../services/config/fleet-store';
import { migrate } from '../services/storage/migrate';

/**
 * `npm run bench:sla`: (a) bytes on disk per tenant-month of SLA minute data (sla_minute, the
 * classified minutes) and, for context, of the probe rollups it is computed from; (b) the time to
 * compute every tenant's report for one month from PostgreSQL (monthReports), interleaved round
 * by round with a plain SQL GROUP BY over the same tenant_minute rows as the peer. Creates and
 * drops its own database. Writes bench/results/sla.json. Environment:
 * BENCH_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres), BENCH_TENANTS (1000),
 * BENCH_DAYS (31: days of minute rows per tenant from the month's start; the reports always
 * cover the whole month, the days without rows are nodata), BENCH_ROUNDS (3), BENCH_KEEP (a
 * database name to fill and keep, for profiling; drop it yourself).
 */
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TENANTS = Number(process.env.BENCH_TENANTS ?? 1000);
const DAYS = Number(process.env.BENCH_DAYS ?? 31);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MONTH = '2026-03';
// UTC tenants, so one tenant month is exactly one monthly partition.
const START = '2026-03-01T00:00:00Z';
const END = '2026-04-01T00:00:00Z';
const FILL_END = new Date(Date.parse(START) + Math.min(DAYS, 31) * 86_400_000).toISOString();
const INGRESS_SHARE = 10; // one tenant in 10 has ingress rows for every minute

function fleetYaml(n: number): string {
  const lines = ['clusters:', '  c1:', '    timezone: UTC', 'tenants:'];
  const tiers = ['standard', 'business', 'mission'];
  for (let i = 0; i < n; i++) {
    lines.push(
      `  - id: t${i}`,
      `    name: Tenant ${i}`,
      '    cluster: c1',
      `    tier: ${tiers[i % 3]}`,
      `    hosts: [t${i}.bench.test]`,
      '    monthlyFee: {amount: "500.00", currency: EUR}',
    );
  }
  return `${lines.join('\n')}\n`;
}

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const name = process.env.BENCH_KEEP ?? `h6sla_bench_${randomBytes(4).toString('hex')}`;
  await adminSql(ADMIN_URL, `CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), 6, 'tenantscope-bench');
  try {
    await migrate(pool, silentLogger);
    const fleet = parseFleet(fleetYaml(TENANTS), 'bench-fleet.yaml');
    await syncFleet(pool, fleet, new Date(START));
    for (const table of ['tenant_minute', 'ingress_minute', 'sla_minute'])
      await pool.query('SELECT tenantscope_ensure_month_partition($1, $2)', [table, START]);
    const ids = fleet.tenants.map((t) => t.id);

    // Two probes a minute for every tenant; a failing run of 5 to 20 minutes on ~3 days each.
    // One session, foreign-key triggers off (every tenant id is in the fleet just synced) and the
    // rows in primary-key order, so each insert lands on the index's rightmost page.
    const fillSeconds = await seconds(async () => {
      const client = await pool.connect();
      try {
        await client.query('SET synchronous_commit = off');
        await client.query('SET session_replication_role = replica');
        await client.query(
          `INSERT INTO tenant_minute (tenant_id, minute, probes_ok, probes_failed)
           SELECT t, m, CASE WHEN (abs(hashtext(t))::bigint + extract(epoch FROM m)::bigint / 60) % 14000 < 12 THEN 0 ELSE 2 END,
                        CASE WHEN (abs(hashtext(t))::bigint + extract(epoch FROM m)::bigint / 60) % 14000 < 12 THEN 2 ELSE 0 END
           FROM (SELECT t FROM unnest($1::text[]) AS t ORDER BY t) AS ts,
                generate_series($2::timestamptz, $3::timestamptz - interval '1 minute', interval '1 minute') AS m`,
          [ids, START, FILL_END],
        );
        await client.query(
          `INSERT INTO ingress_minute (tenant_id, minute, ingress_requests, ingress_server_errors)
           SELECT t, m, 40, CASE WHEN extract(epoch FROM m)::bigint % 9973 = 0 THEN 10 ELSE 0 END
           FROM (SELECT t FROM unnest($1::text[]) AS t ORDER BY t) AS ts,
                generate_series($2::timestamptz, $3::timestamptz - interval '1 minute', interval '1 minute') AS m`,
          [ids.filter((_, i) => i % INGRESS_SHARE === 0), START, FILL_END],
        );
        // The classified minutes as the counter stores them: a 1440-byte array per tenant and UTC day.
        await client.query(
          `INSERT INTO sla_minute (tenant_id, day, states)
           SELECT t, d, overlay(decode(repeat('00', 1440), 'hex') PLACING decode(repeat('01', 7), 'hex') FROM 1 + (abs(hashtext(t || d::text)) % 1400))
           FROM (SELECT t FROM unnest($1::text[]) AS t ORDER BY t) AS ts,
                generate_series($2::timestamptz, $3::timestamptz - interval '1 day', interval '1 day') AS d`,
          [ids, START, END],
        );
        await client.query('SET session_replication_role = DEFAULT');
        await client.query('ANALYZE tenant_minute, ingress_minute, sla_minute');
      } finally {
        client.release();
      }
    });

    const size = async (rel: string) =>
      Number((await pool.query<{ b: string }>('SELECT pg_total_relation_size($1)::text AS b', [rel])).rows[0]!.b);
    const slaBytes = (await size('sla_minute_y2026m03')) / TENANTS;
    const probeBytes = (await size('tenant_minute_y2026m03')) / TENANTS;

    // Warm the cache the same way for both measurements.
    await pool.query('SELECT count(*) FROM tenant_minute WHERE minute >= $1 AND minute < $2', [START, END]);
    const clock = new ManualClock(Date.parse('2026-04-02T00:00:00Z'));
    const deps = { db: pool, fleet, clock, signingKey: Buffer.from('bench key'), graceHours: 72 };
    let bad = -1;
    let peerBad = -1;
    const times = await interleave(
      ROUNDS,
      async () => {
        let reports: Awaited<ReturnType<typeof monthReports>> = [];
        const s = await seconds(async () => (reports = await monthReports(deps, MONTH)));
        if (reports.length !== TENANTS) throw new Error(`expected ${TENANTS} reports, got ${reports.length}`);
        const sum = reports.reduce((n, r) => n + r.report.minutes.bad, 0);
        if (bad >= 0 && sum !== bad) throw new Error(`bad minutes changed between rounds: ${bad} then ${sum}`);
        bad = sum;
        // monthReports reads all tenants its own way; a sample against the per-tenant path (export, freeze).
        const sample = reports.filter((_, i) => i % Math.ceil(TENANTS / 20) === 0);
        for (const r of sample) {
          const loaded = await loadTenantMonth(pool, fleet, r.tenant, MONTH);
          if (canonicalJson(computeReportFromMinutes(loaded!.input, loaded!.minutes)) !== r.canonical)
            throw new Error(`the report of ${r.tenant} differs from the per-tenant path`);
        }
        return s;
      },
      async () => {
        let rows: { bad: string }[] = [];
        const s = await seconds(async () => {
          const result = await pool.query<{ bad: string }>(
            `SELECT tenant_id, count(*) FILTER (WHERE probes_ok = 0 AND probes_failed > 0) AS bad, count(*) AS minutes
             FROM tenant_minute WHERE minute >= $1 AND minute < $2 GROUP BY tenant_id`,
            [START, END],
          );
          rows = result.rows;
        });
        if (rows.length !== TENANTS) throw new Error(`expected ${TENANTS} peer rows, got ${rows.length}`);
        peerBad = rows.reduce((n, r) => n + Number(r.bad), 0);
        return s;
      },
    );
    const rowsRead = TENANTS * Math.min(DAYS, 31) * 1440;
    const row = benchRow({
      work: `SLA reports of a month, ${TENANTS} tenants, ${(rowsRead / 1e6).toFixed(1)}M minute rows (${Math.min(DAYS, 31)} days each)`,
      unit: 's',
      better: 'lower',
      ours: times.ours,
      peer: { name: 'one SQL GROUP BY over the same tenant_minute rows (bad = all probes failed)', values: times.peer },
      goal: '≤ 1.5× the peer',
      maxSlowdown: 1.5,
      notes:
        `ours: every tenant's whole report (minutes by state, daily counts, incidents, credit, signature) from PostgreSQL; ` +
        `the peer only counts. Bad minutes ours ${bad}, peer ${peerBad} (ours adds ingress 5xx minutes). ` +
        `Each round checked ${Math.min(20, TENANTS)} sampled reports byte for byte against the per-tenant path.`,
    });
    const file = writeBenchRows('sla', [row], {
      tenants: TENANTS,
      month: MONTH,
      daysOfRows: Math.min(DAYS, 31),
      storage: {
        slaMinuteBytesPerTenantMonth: Math.round(slaBytes),
        targetBytes: 100 * 1024,
        met: slaBytes <= 100 * 1024,
        probeRollupBytesPerTenantMonth: Math.round(probeBytes),
        probeRollupDays: Math.min(DAYS, 31),
      },
      fillSeconds: Number(fillSeconds.toFixed(1)),
    });
    process.stdout.write(
      `fill: ${fillSeconds.toFixed(1)} s\n` +
        `storage: ${(slaBytes / 1024).toFixed(1)} KB of SLA minute data per tenant-month (target ≤ 100 KB; the probe rollups it comes from, ${Math.min(DAYS, 31)} days: ${(probeBytes / 1024).toFixed(0)} KB)\n` +
        `compute: ${row.work}: ours ${times.ours.map((s) => s.toFixed(2)).join(' / ')} s, peer ${times.peer.map((s) => s.toFixed(2)).join(' / ')} s, ` +
        `slowdown median ${row.slowdown.median} (goal ${row.goal}: ${row.met ? 'met' : 'not met'})\n` +
        `written: ${file}\n`,
    );
  } finally {
    await pool.end();
    if (!process.env.BENCH_KEEP) await adminSql(ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});
