import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectorRunner } from '../collectors/runner';
import { listTargets } from '../collectors/targets';
import type { Fleet } from '../services/config/fleet-types';
import { ManualClock } from '../services/core/clock';
import { silentLogger } from '../services/core/logger';
import { freezeTenantMonth, type FreezeDeps } from '../services/sla/freeze';
import { writeBundle } from '../services/sla/store/bundle';
import { loadTenantMonth } from '../services/sla/store/evidence-loader';
import { recordExclusion } from '../services/sla/store/exclusion-store';
import { tenantReport } from '../services/sla/store/report-store';
import { PartitionKeeper } from '../services/storage/partitions';
import { buildFleet, fleetYaml, tenantSpec, type FleetSpec } from './helpers/fleet-builder';
import { runTenantscope } from './helpers/processes';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

/**
 * Issue #11, the live path equals the offline path, for a whole month: the simulator plays
 * March 2026 (a DST month in Berlin and New York) in batch mode; its Odoo logs, probe answers
 * and backup files go through the real collectors into PostgreSQL; the SLA freeze stores the
 * reports; each one's exported bundle must give the same canonical JSON through `sla compute`
 * (on the bundle's evidence) and `sla recompute`, before and after late evidence.
 */
const MONTH = '2026-03';
// From the last two hours of February in Berlin to past the end of March in New York (04:00Z).
const FROM = '2026-02-28T21:00:00Z';
const MINUTES = 44_580 + 120 + 360;
// The outage of tenant `acme` starts at 23:30 Berlin on Feb 28 and lasts 90 minutes into March.
const OUTAGE = { tenant: 'acme', startSeconds: 5_400, minutes: 90 };
// The eu1 backup results of jobs started from then on reach tenantscope only after the freeze.
const LATE_FROM = '2026-03-31T18:00:00Z';
const SIGNING_KEY = 'live offline test key';

const dir = mkdtempSync(join(tmpdir(), 'tslo-month-'));
const fleetFile = join(dir, 'fleet.yaml');
const keyFile = join(dir, 'key');
let probeUrl = '';
let probeServer: Server;
let fleet: Fleet;
let db: MigratedDatabase;
/** tenant host → probe time (ms) → ok, from the simulator's probe evidence. */
const probeAnswers = new Map<string, Map<number, boolean>>();
const clock = new ManualClock(Date.parse(FROM));

/**
 * Three tenants on two clusters: acme (business, Berlin) with the outage, bergmann (tier
 * `strict`, whose nodata minutes count as bad) in Berlin too, and cobalt (business) in New York.
 * Berlin's Sunday 02:30 maintenance meets the spring-forward gap on March 29.
 */
function fleetSpec(probeAt: string): FleetSpec {
  const cluster = (id: string, zone: string, extra: Record<string, unknown> = {}) => ({
    timezone: zone,
    odoo: { logFiles: [`${id}/odoo.log`], logTimezone: zone },
    backups: { pgbackrestInfoFile: `${id}/pgbackrest-info.json`, jobResultsFile: `${id}/backup-jobs.ndjson` },
    probe: { url: probeAt, intervalSeconds: 3600, timeoutSeconds: 5 },
    ...extra,
  });
  const business = {
    target: 99.9,
    credits: [
      { below: 99.9, percent: 10 },
      { below: 99.0, percent: 25 },
      { below: 95.0, percent: 100 },
    ],
    rpo: '1h',
    rto: '4h',
    nodata: 'exclude',
  };
  return {
    tiers: { business, strict: { ...business, target: 99.5, credits: [{ below: 99.5, percent: 10 }], nodata: 'bad' } },
    clusters: {
      eu1: cluster('eu1', 'Europe/Berlin', { maintenance: [{ weekly: { days: ['sun'], start: '02:30', minutes: 60 } }] }),
      us1: cluster('us1', 'America/New_York'),
    },
    tenants: [
      tenantSpec('acme', 'eu1', { database: 'acme', hosts: ['acme.erp.test'] }),
      tenantSpec('bergmann', 'eu1', { tier: 'strict', database: 'bergmann', hosts: ['bergmann.erp.test'] }),
      tenantSpec('cobalt', 'us1', {
        database: 'cobalt',
        hosts: ['cobalt.erp.test'],
        maintenance: [{ once: { start: '2026-03-14T22:00', end: '2026-03-15T01:00', reason: 'Odoo 18 upgrade' } }],
      }),
    ],
  };
}

beforeAll(async () => {
  probeServer = createServer((req, res) => {
    // The simulator decided each probe's answer; the collector asks at the clock's time.
    const ok = probeAnswers.get(req.headers.host ?? '')?.get(clock.now());
    if (ok === undefined) return res.writeHead(404).end();
    if (!ok) return res.writeHead(502).end('Bad Gateway');
    res.writeHead(200, { 'content-type': 'text/html' }).end('<form><input name="login"></form>');
  });
  await new Promise<void>((resolve) => probeServer.listen(0, '127.0.0.1', resolve));
  probeUrl = `http://127.0.0.1:${(probeServer.address() as AddressInfo).port}`;
  writeFileSync(fleetFile, fleetYaml(fleetSpec(probeUrl)));
  writeFileSync(keyFile, `${SIGNING_KEY}\n`);
  fleet = buildFleet(fleetSpec(probeUrl), { source: fleetFile, baseDir: dir });
  db = await migratedDatabase(fleet);
}, 60_000);

afterAll(async () => {
  probeServer?.closeAllConnections();
  probeServer?.close();
  await db?.close();
});

const tenantscope = (args: string[]) =>
  runTenantscope(args, { TENANTSCOPE_DATABASE_URL: db.url, TENANTSCOPE_LOG_LEVEL: 'silent' }, { timeoutMs: 600_000 });

const runner = () =>
  new CollectorRunner({ pool: db.pool, partitions: new PartitionKeeper(db.pool), fleet, clock, log: silentLogger, timeoutSeconds: 60 });

/**
 * Runs a collector's targets, until they read nothing more with `untilEmpty` (a log tail reads a
 * bounded chunk per run); the backup files are read whole each run.
 */
async function drain(collector: string, untilEmpty = collector === 'odoo-log'): Promise<number> {
  const r = runner();
  let total = 0;
  try {
    for (const t of listTargets(fleet).filter((x) => x.collector === collector)) {
      for (let round = 0; ; round++) {
        const outcome = await r.run({ collector, target: t.target, scheduledAt: new Date(clock.now() + round) });
        expect(outcome, `${collector} ${t.target}`).toBeDefined();
        total += outcome!.records;
        if (!untilEmpty || outcome!.records === 0) break;
      }
    }
  } finally {
    await r.close();
  }
  return total;
}

/** The simulator's probes, asked again through the real probe collector at their own times. */
async function probeAll(evidenceFile: string): Promise<number> {
  const hostOf = new Map(fleet.tenants.map((t) => [t.id, t.hosts[0]!]));
  const probes: { host: string; ms: number }[] = [];
  for (const line of readFileSync(evidenceFile, 'utf8').split('\n')) {
    if (!line.startsWith('{"kind":"probe"')) continue;
    const p = JSON.parse(line) as { tenant: string; ts: string; ok: boolean };
    const host = hostOf.get(p.tenant)!;
    const ms = Date.parse(p.ts);
    if (!probeAnswers.has(host)) probeAnswers.set(host, new Map());
    probeAnswers.get(host)!.set(ms, p.ok);
    probes.push({ host, ms });
  }
  probes.sort((a, b) => a.ms - b.ms);
  const r = runner();
  try {
    for (const p of probes) {
      clock.set(p.ms);
      expect(await r.run({ collector: 'odoo-probe', target: p.host, scheduledAt: new Date(p.ms) }), `probe ${p.host}`).toBeDefined();
    }
  } finally {
    await r.close();
  }
  return probes.length;
}

interface Compared {
  tenant: string;
  revision: number;
  canonical: string;
  evidenceLines: number;
}

/** Exports each tenant's bundle, computes offline from its evidence and recomputes it: all must equal the stored report. */
async function compareAll(tenants: readonly string[], expectRevision: number): Promise<Compared[]> {
  const deps = { db: db.pool, fleet, clock, signingKey: Buffer.from(SIGNING_KEY), graceHours: 72 };
  const out: Compared[] = [];
  for (const tenant of tenants) {
    const stored = (await tenantReport(deps, tenant, MONTH))!;
    expect(stored).toMatchObject({ revision: expectRevision, status: 'frozen' });
    const lines: string[] = [];
    writeBundle((await loadTenantMonth(db.pool, fleet, tenant, MONTH))!, stored, (line) => lines.push(line));
    const bundle = join(dir, `${tenant}-r${expectRevision}.ndjson`);
    writeFileSync(bundle, `${lines.join('\n')}\n`);
    writeFileSync(join(dir, `${tenant}-r${expectRevision}.evidence.ndjson`), `${lines.slice(2).join('\n')}\n`);
    out.push({ tenant, revision: stored.revision, canonical: stored.canonical, evidenceLines: lines.length - 2 });
  }
  // The CLI on the same bundle, once through the database (export) and twice without it.
  const first = tenants[0]!;
  const [exported, ...offline] = await Promise.all([
    tenantscope(['sla', 'export', '--fleet', fleetFile, '--month', MONTH, '--tenant', first]),
    ...tenants.map((t) =>
      tenantscope([
        'sla',
        'compute',
        '--fleet',
        fleetFile,
        '--evidence',
        join(dir, `${t}-r${expectRevision}.evidence.ndjson`),
        '--month',
        MONTH,
        '--tenant',
        t,
      ]),
    ),
    ...tenants.map((t) => tenantscope(['sla', 'recompute', join(dir, `${t}-r${expectRevision}.ndjson`)])),
  ]);
  expect(exported!.stderr).toContain(`revision ${expectRevision} (frozen)`);
  expect(exported!.stdout).toBe(readFileSync(join(dir, `${first}-r${expectRevision}.ndjson`), 'utf8'));
  tenants.forEach((t, i) => {
    const computed = offline[i]!;
    expect(computed.stderr, `sla compute ${t}`).toBe('');
    expect(computed.code, `sla compute ${t}`).toBe(0);
    expect(computed.stdout, `sla compute ${t}: the offline report equals the stored one byte for byte`).toBe(`${out[i]!.canonical}\n`);
    const recomputed = offline[tenants.length + i]!;
    expect(recomputed.stdout, `sla recompute ${t}`).toMatch(
      new RegExp(`^reproduced: ${t} ${MONTH} revision ${expectRevision}, canonical JSON identical byte for byte`),
    );
    expect(recomputed.code, `sla recompute ${t}`).toBe(0);
  });
  return out;
}

describe('a whole month: the live path equals the offline path', () => {
  it('gives byte-identical reports through collectors and PostgreSQL, and from the exported evidence, before and after late evidence', async () => {
    const simulated = await tenantscope([
      'simulate',
      '--batch',
      '--fleet',
      fleetFile,
      '--from',
      FROM,
      '--minutes',
      String(MINUTES),
      '--out',
      join(dir, 'out'),
      '--scenario',
      'tenant-outage',
      '--tenant',
      OUTAGE.tenant,
      '--start-seconds',
      String(OUTAGE.startSeconds),
      '--scenario-minutes',
      String(OUTAGE.minutes),
      '--seed',
      '11',
    ]);
    expect(simulated.stderr).toBe('');
    expect(simulated.code).toBe(0);
    const result = JSON.parse(simulated.stdout) as { odooLogFiles: Record<string, string>; evidenceFile: string; requests: number };

    // A backup job writer that falls behind: the eu1 results of March's last hours reach us after the freeze.
    const jobsFile = join(dir, 'eu1', 'backup-jobs.ndjson');
    const jobs = readFileSync(jobsFile, 'utf8').trim().split('\n');
    const isLate = (line: string) => (JSON.parse(line) as { started: string }).started >= LATE_FROM;
    const late = jobs.filter(isLate);
    expect(late.length).toBeGreaterThan(0);
    writeFileSync(
      jobsFile,
      jobs
        .filter((l) => !isLate(l))
        .map((l) => `${l}\n`)
        .join(''),
    );
    const logLines = Object.values(result.odooLogFiles).reduce((n, f) => n + readFileSync(f, 'utf8').split('\n').length - 1, 0);

    // The live path: each probe at its time, then the logs and backups as a worker reads them.
    const probes = await probeAll(result.evidenceFile);
    clock.set(Date.parse(FROM) + MINUTES * 60_000 + 60_000);
    const odooRecords = await drain('odoo-log');
    expect(await drain('backups')).toBeGreaterThan(0);
    await recordExclusion(
      db.pool,
      { tenant: 'cobalt', kind: 'customer', start: '2026-03-20T14:00:00Z', end: '2026-03-20T15:30:00Z', reason: 'customer data migration' },
      'alice',
      new Date('2026-03-19T09:00:00Z'),
    );

    clock.set(Date.parse('2026-04-10T00:00:00Z'));
    const freeze: FreezeDeps = { pool: db.pool, fleet, clock, signingKey: Buffer.from(SIGNING_KEY), graceHours: 72 };
    const tenants = fleet.tenants.map((t) => t.id);
    for (const t of tenants) expect(await freezeTenantMonth(freeze, t, MONTH)).toMatchObject({ revision: 1, created: true });
    const first = await compareAll(tenants, 1);

    // What the month held: the DST month, the outage across the boundary, maintenance, the nodata policy.
    const reports = Object.fromEntries(first.map((c) => [c.tenant, JSON.parse(c.canonical)]));
    expect(reports.acme.minutes.total).toBe(44_580);
    expect(reports.cobalt.minutes.total).toBe(44_580);
    expect(reports.acme.incidents[0].start).toBe('2026-02-28T23:00:00.000Z');
    expect(reports.acme.exclusions.map((e: { start: string }) => e.start)).toContain('2026-03-29T01:30:00.000Z');
    expect(reports.cobalt.exclusions).toHaveLength(2);
    expect(reports.bergmann.minutes.nodata).toBeGreaterThan(0);
    expect(reports.bergmann.counted.bad).toBeGreaterThanOrEqual(reports.bergmann.minutes.nodata);

    // Late evidence after the freeze: a new revision for the Berlin tenants, still reproduced offline.
    appendFileSync(jobsFile, late.map((l) => `${l}\n`).join(''));
    expect(await drain('backups')).toBeGreaterThan(0);
    clock.set(Date.parse('2026-04-11T00:00:00Z'));
    for (const t of ['acme', 'bergmann']) expect(await freezeTenantMonth(freeze, t, MONTH)).toMatchObject({ revision: 2, created: true });
    expect(await freezeTenantMonth(freeze, 'cobalt', MONTH)).toMatchObject({ revision: 1, created: false });
    const second = await compareAll(['acme', 'bergmann'], 2);
    expect(second.map((c) => c.canonical)).not.toEqual(first.slice(0, 2).map((c) => c.canonical));

    console.info(
      `live-offline month: ${tenants.length} tenants, ${MINUTES} minutes simulated, ${result.requests} requests, ${logLines} Odoo log lines, ` +
        `${odooRecords} Odoo records, ${probes} probes, ${first.reduce((s, c) => s + c.evidenceLines, 0)} exported evidence lines`,
    );
  }, 600_000);
});
