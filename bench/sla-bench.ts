import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminSql } from './admin-sql';
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
 * `npm run bench`: (a) bytes on disk per tenant-month of SLA minute data (sla_minute, the
 * classified minutes) and, for context, of the probe rollups it is computed from; (b) the time to
 * compute every tenant's report for one month from PostgreSQL, against a plain SQL aggregate of
 * the same rows as the peer. Creates and drops its own database. Environment:
 * BENCH_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres), BENCH_TENANTS (1000).
 */
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TENANTS = Number(process.env.BENCH_TENANTS ?? 1000);
const MONTH = '2026-03';
// UTC tenants, so one tenant month is exactly one monthly partition.
const START = '2026-03-01T00:00:00Z';
const END = '2026-04-01T00:00:00Z';
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

async function admin(sql: string): Promise<void> {
  await adminSql(ADMIN_URL, sql);
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const result = await work();
  return [result, (performance.now() - t0) / 1000];
}

async function main(): Promise<void> {
  const name = `ts_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
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
    const [, fillSeconds] = await timed(async () => {
      await pool.query('SET synchronous_commit = off');
      await pool.query(
        `INSERT INTO tenant_minute (tenant_id, minute, probes_ok, probes_failed)
         SELECT t, m, CASE WHEN (abs(hashtext(t))::bigint + extract(epoch FROM m)::bigint / 60) % 14000 < 12 THEN 0 ELSE 2 END,
                      CASE WHEN (abs(hashtext(t))::bigint + extract(epoch FROM m)::bigint / 60) % 14000 < 12 THEN 2 ELSE 0 END
         FROM unnest($1::text[]) AS t, generate_series($2::timestamptz, $3::timestamptz - interval '1 minute', interval '1 minute') AS m`,
        [ids, START, END],
      );
      await pool.query(
        `INSERT INTO ingress_minute (tenant_id, minute, ingress_requests, ingress_server_errors)
         SELECT t, m, 40, CASE WHEN extract(epoch FROM m)::bigint % 9973 = 0 THEN 10 ELSE 0 END
         FROM unnest($1::text[]) AS t, generate_series($2::timestamptz, $3::timestamptz - interval '1 minute', interval '1 minute') AS m`,
        [ids.filter((_, i) => i % INGRESS_SHARE === 0), START, END],
      );
      // The classified minutes as the counter stores them: a 1440-byte array per tenant and UTC day.
      await pool.query(
        `INSERT INTO sla_minute (tenant_id, day, states)
         SELECT t, d, overlay(decode(repeat('00', 1440), 'hex') PLACING decode(repeat('01', 7), 'hex') FROM 1 + (abs(hashtext(t || d::text)) % 1400))
         FROM unnest($1::text[]) AS t, generate_series($2::timestamptz, $3::timestamptz - interval '1 day', interval '1 day') AS d`,
        [ids, START, END],
      );
      await pool.query('ANALYZE tenant_minute, ingress_minute, sla_minute');
    });

    const size = async (rel: string) =>
      Number((await pool.query<{ b: string }>('SELECT pg_total_relation_size($1)::text AS b', [rel])).rows[0]!.b);
    const slaBytes = (await size('sla_minute_y2026m03')) / TENANTS;
    const probeBytes = (await size('tenant_minute_y2026m03')) / TENANTS;

    // Warm the cache the same way for both measurements.
    await pool.query('SELECT count(*) FROM tenant_minute WHERE minute >= $1 AND minute < $2', [START, END]);
    const clock = new ManualClock(Date.parse('2026-04-02T00:00:00Z'));
    const deps = { db: pool, fleet, clock, signingKey: Buffer.from('bench key'), graceHours: 72 };
    const [reports, computeSeconds] = await timed(() => monthReports(deps, MONTH));
    const [peer, peerSeconds] = await timed(() =>
      pool.query(
        `SELECT tenant_id, count(*) FILTER (WHERE probes_ok = 0 AND probes_failed > 0) AS bad, count(*) AS minutes
         FROM tenant_minute WHERE minute >= $1 AND minute < $2 GROUP BY tenant_id`,
        [START, END],
      ),
    );
    if (reports.length !== TENANTS || peer.rowCount !== TENANTS)
      throw new Error(`expected ${TENANTS} reports, got ${reports.length} (peer ${peer.rowCount})`);
    const bad = reports.reduce((n, r) => n + r.report.minutes.bad, 0);
    // monthReports reads all tenants its own way; a sample against the per-tenant path (export, freeze).
    const sample = reports.filter((_, i) => i % Math.ceil(TENANTS / 20) === 0);
    let sampleDiffering = 0;
    for (const r of sample) {
      const loaded = await loadTenantMonth(pool, fleet, r.tenant, MONTH);
      if (canonicalJson(computeReportFromMinutes(loaded!.input, loaded!.minutes)) !== r.canonical) sampleDiffering++;
    }
    if (sampleDiffering > 0) throw new Error(`${sampleDiffering} sampled reports differ from the per-tenant path`);
    const peerBad = peer.rows.reduce((n, r) => n + Number(r.bad), 0);

    const results = {
      at: new Date().toISOString(),
      tenants: TENANTS,
      month: MONTH,
      minutesPerTenant: 44_640,
      storage: {
        slaMinuteBytesPerTenantMonth: Math.round(slaBytes),
        targetBytes: 100 * 1024,
        met: slaBytes <= 100 * 1024,
        probeRollupBytesPerTenantMonth: Math.round(probeBytes),
      },
      compute: {
        seconds: Number(computeSeconds.toFixed(2)),
        targetSeconds: 10,
        met: computeSeconds <= 10,
        peer: 'one SQL GROUP BY over the same tenant_minute rows (bad = all probes failed)',
        peerSeconds: Number(peerSeconds.toFixed(2)),
        ratioToPeer: Number((computeSeconds / peerSeconds).toFixed(2)),
        badMinutes: bad,
        peerBadMinutes: peerBad,
        sampleIdenticalToPerTenantPath: sample.length,
      },
      fillSeconds: Number(fillSeconds.toFixed(1)),
    };
    writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(
      `storage: ${(slaBytes / 1024).toFixed(1)} KB of SLA minute data per tenant-month (target ≤ 100 KB; the probe rollups it comes from: ${(probeBytes / 1024).toFixed(0)} KB)\n` +
        `compute: ${computeSeconds.toFixed(2)} s for ${TENANTS} tenant reports of ${MONTH} from PostgreSQL (target ≤ 10 s); peer SQL aggregate ${peerSeconds.toFixed(2)} s, ratio ${(computeSeconds / peerSeconds).toFixed(2)}\n`,
    );
  } finally {
    await pool.end();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});
