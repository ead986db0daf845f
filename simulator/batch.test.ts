import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { runBatchSimulation, type BatchResult, type ScenarioName } from './index';
import { testFleet } from '../test/helpers/test-fleet';
import { collect as collectAccess } from '../collectors/traefik/access-log';

const FROM = '2026-03-01T00:00:00Z';
const FROM_MS = Date.parse(FROM);
// The scenario runs from minute 5 to minute 15 of a 20-minute run.
const WINDOW = { scenarioStartSeconds: 300, scenarioMinutes: 10 };
const inWindow = (ms: number) => ms >= FROM_MS + 300_000 && ms < FROM_MS + 900_000;

async function run(scenario: ScenarioName, tenant?: string, rotateBytes?: number, window = WINDOW) {
  const dir = mkdtempSync(join(tmpdir(), `tssim-batch-${scenario}-`));
  const fleet = testFleet(dir);
  const result = await runBatchSimulation({
    fleet,
    from: FROM,
    minutes: 20,
    outDir: join(dir, 'out'),
    scenario,
    seed: 7,
    ...(tenant && { scenarioTenant: tenant }),
    ...window,
    ...(rotateBytes && { rotateBytes }),
  });
  return { dir, result };
}

type Evidence =
  | { kind: 'probe'; tenant: string; ts: string; ok: boolean }
  | { kind: 'requests'; tenant: string; minute: string; total: number; serverErrors: number };

function evidence(result: BatchResult): Evidence[] {
  return readFileSync(result.evidenceFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Evidence);
}

interface Request {
  ms: number;
  db: string;
  status: number;
  sql: number;
  wall: number;
  path: string;
}

const HEADER = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (\d+) (DEBUG|INFO|WARNING|ERROR|CRITICAL) (\S+) ([\w.-]+): (.*)$/;
const REQUEST = /"(GET|POST) (\S+) HTTP\/1\.1" (\d{3}) - (\d+) (\d+\.\d{3}) (\d+\.\d{3})$/;

function requests(file: string, zone: string): Request[] {
  const out: Request[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const h = HEADER.exec(line);
    if (!h || h[5] !== 'werkzeug') continue;
    const r = REQUEST.exec(h[6]!)!;
    const ms = DateTime.fromFormat(h[1]!, 'yyyy-MM-dd HH:mm:ss,SSS', { zone }).toMillis();
    out.push({ ms, db: h[4]!, status: Number(r[3]), sql: Number(r[5]), wall: Number(r[5]) + Number(r[6]), path: r[2]! });
  }
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

describe('batch simulation', () => {
  it('is byte-identical for the same seed and inputs, rotation included', async () => {
    const a = await run('noisy-tenant', 'alpha', 400_000);
    const b = await run('noisy-tenant', 'alpha', 400_000);
    const files = [
      'c1/odoo.log',
      'c1/odoo.log.1',
      'c2/odoo.log',
      'c1/pgbackrest-info.json',
      'c1/backup-jobs.ndjson',
      'c2/backup-jobs.ndjson',
      'out/evidence.ndjson',
      'out/traefik-metrics.prom',
      'out/truth.json',
    ];
    for (const f of files) {
      expect(existsSync(join(a.dir, f)), f).toBe(true);
      expect(readFileSync(join(a.dir, f)).equals(readFileSync(join(b.dir, f))), f).toBe(true);
    }
    expect(a.result.requests).toBe(b.result.requests);
    expect(a.result.probes).toBe(5 * 80); // 5 tenants, every 15 s for 20 minutes
    const other = await run('noisy-tenant', 'alpha');
    expect(readFileSync(join(other.dir, 'out/evidence.ndjson')).equals(readFileSync(join(a.dir, 'out/evidence.ndjson')))).toBe(true);
  });

  it('tenant-outage fails the tenant probes and requests in the window, and nobody else', async () => {
    const { result } = await run('tenant-outage', 'bravo');
    const { result: normal } = await run('normal');
    const lines = evidence(result);
    for (const e of lines.filter((l) => l.kind === 'probe')) {
      expect(e.ok, `${e.tenant} ${e.ts}`).toBe(!(e.tenant === 'bravo' && inWindow(Date.parse(e.ts))));
    }
    for (const e of lines.filter((l) => l.kind === 'requests' && l.tenant === 'bravo')) {
      if (e.kind !== 'requests' || !inWindow(Date.parse(e.minute))) continue;
      expect(e.total).toBeGreaterThan(0);
      expect(e.serverErrors).toBe(e.total);
    }
    // Everyone else's evidence is exactly what it is without the scenario.
    const others = (list: Evidence[]) => list.filter((l) => l.tenant !== 'bravo');
    expect(others(lines)).toEqual(others(evidence(normal)));

    const logged = requests(result.odooLogFiles.c1!, 'Europe/Berlin').filter((r) => r.db === 'tssim_bravo' && inWindow(r.ms));
    expect(logged.length).toBeGreaterThan(20);
    expect(logged.every((r) => r.status === 500)).toBe(true);
    const log = readFileSync(result.odooLogFiles.c1!, 'utf8');
    expect(log).toMatch(/ ERROR tssim_bravo odoo\.http: Exception during request handling\. \nTraceback \(most recent call last\):\n/);
    const metrics = readFileSync(result.traefikMetricsFile, 'utf8');
    expect(metrics).toMatch(
      /traefik_router_requests_total\{code="502",method="POST",protocol="http",router="bravo-web@docker",service="bravo-odoo@docker"\} \d+/,
    );
    expect(metrics).not.toMatch(/traefik_router_requests_total\{code="502",[^}]*router="(alpha|charlie|delta|echo)-web/);

    const truth = JSON.parse(readFileSync(result.truthFile, 'utf8'));
    expect(truth).toMatchObject({
      scenario: 'tenant-outage',
      tenant: 'bravo',
      cluster: 'c1',
      start: '2026-03-01T00:05:00Z',
      end: '2026-03-01T00:15:00Z',
      quiet: ['alpha', 'charlie', 'delta', 'echo'],
    });
    expect(truth.expect[0].badMinutes).toHaveLength(10);
  });

  it('noisy-tenant raises the tenant SQL share and its neighbours latency, not other clusters', async () => {
    const { result } = await run('noisy-tenant', 'alpha');
    const { result: normal } = await run('normal');
    const c1 = requests(result.odooLogFiles.c1!, 'Europe/Berlin').filter((r) => !r.path.startsWith('/websocket'));
    const before = c1.filter((r) => r.ms < FROM_MS + 300_000);
    const during = c1.filter((r) => r.ms >= FROM_MS + 360_000 && r.ms < FROM_MS + 900_000);
    const share = (list: Request[]) =>
      list.filter((r) => r.db === 'tssim_alpha').reduce((s, r) => s + r.sql, 0) / list.reduce((s, r) => s + r.sql, 0);
    expect(share(before)).toBeLessThan(0.5);
    expect(share(during)).toBeGreaterThan(0.8);
    for (const victim of ['tssim_bravo', 'tssim_charlie']) {
      const ratio =
        median(during.filter((r) => r.db === victim).map((r) => r.wall)) / median(before.filter((r) => r.db === victim).map((r) => r.wall));
      expect(ratio, victim).toBeGreaterThan(1.4);
    }
    // The other cluster neither slows down nor changes its traffic.
    const c2 = requests(result.odooLogFiles.c2!, 'America/New_York');
    const c2Normal = requests(normal.odooLogFiles.c2!, 'America/New_York');
    expect(c2).toEqual(c2Normal);
    const truth = JSON.parse(readFileSync(result.truthFile, 'utf8'));
    expect(truth.expect).toEqual([
      { kind: 'noisy-neighbour', antagonist: 'alpha', cluster: 'c1', resources: ['odoo_workers'], victims: ['bravo', 'charlie'] },
    ]);
    expect(truth.quiet).toEqual(['delta', 'echo']);
  });

  it('records the ground truth of scenarios that batch evidence cannot show', async () => {
    const storm = await run('connection-storm', 'delta');
    const normal = await run('normal');
    expect(evidence(storm.result)).toEqual(evidence(normal.result));
    expect(JSON.parse(readFileSync(storm.result.truthFile, 'utf8')).expect).toEqual([
      { kind: 'connection-storm', tenant: 'delta', resource: 'pg_conn', connections: 25, observableIn: 'live' },
    ]);

    // Dumps run every 15 minutes, so a 15-minute failure always meets one (and its retries).
    const backup = await run('failed-backup', 'charlie', undefined, { scenarioStartSeconds: 300, scenarioMinutes: 15 });
    const jobs = readFileSync(join(backup.dir, 'c1/backup-jobs.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const failed = jobs.filter((j) => j.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((j) => j.tenant === 'charlie' && Date.parse(j.started) >= FROM_MS + 300_000)).toBe(true);
    const truth = JSON.parse(readFileSync(backup.result.truthFile, 'utf8'));
    expect(truth.expect[0]).toMatchObject({ kind: 'backup-failed', tenant: 'charlie', failedJobs: failed.length, stanza: 'c1' });
    expect(JSON.parse(readFileSync(normal.result.truthFile, 'utf8'))).toMatchObject({ scenario: 'normal', tenant: null, expect: [] });
  });

  it("writes Traefik's access log, CLF for c1 and JSON for c2, one line per request the ingress answered", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tssim-batch-access-'));
    const fleet = testFleet(dir, { traefikAccessLogs: true });
    const result = await runBatchSimulation({
      fleet,
      from: FROM,
      minutes: 20,
      outDir: join(dir, 'out'),
      scenario: 'tenant-outage',
      seed: 7,
      ...WINDOW,
    });
    const perTenant = new Map<string, number>();
    for (const e of evidence(result)) if (e.kind === 'requests') perTenant.set(e.tenant, (perTenant.get(e.tenant) ?? 0) + e.total);
    const logged = new Map<string, number>();
    let errors = 0;
    for (const [cluster, file] of Object.entries(result.traefikAccessLogFiles)) {
      const { records, rejected } = collectAccess(readFileSync(file, 'utf8'));
      expect(rejected).toBe(0);
      for (const r of records) {
        expect(r.format).toBe(cluster === 'c1' ? 'clf' : 'json');
        // JSON names the Host; CLF the router, `<tenant>-web@docker`
        const tenant = r.host?.split('.')[0] ?? r.router!.replace(/-web@docker$/, '');
        logged.set(tenant, (logged.get(tenant) ?? 0) + 1);
        if ((r.status ?? 0) >= 500) errors++;
      }
    }
    expect(Object.fromEntries(logged)).toEqual(Object.fromEntries(perTenant));
    expect(errors).toBeGreaterThan(0); // the outage's 502s are in the log too
  });

  it('refuses bad options with the option named', async () => {
    const fleet = testFleet(mkdtempSync(join(tmpdir(), 'tssim-bad-')));
    await expect(runBatchSimulation({ fleet, from: 'yesterday', minutes: 5, outDir: '/tmp/x', scenario: 'normal' })).rejects.toThrow(
      /simulator from: expected an ISO 8601 instant/,
    );
    await expect(
      runBatchSimulation({ fleet, from: FROM, minutes: 5, outDir: '/tmp/x', scenario: 'tenant-outage', scenarioTenant: 'zulu' }),
    ).rejects.toThrow(/scenarioTenant: expected a tenant of .* got "zulu"/);
  });
});
