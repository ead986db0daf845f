import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../services/core/clock';
import { CollectorRunner } from '../collectors/runner';
import type { Fleet } from '../services/config/fleet-types';
import { silentLogger } from '../services/core/logger';
import { traefikMetrics } from '../services/metrics/traefik-metrics';
import type { Endpoint } from '../simulator/listeners';
import { TraefikMetrics, type ProxiedRequest } from '../simulator/traefik-metrics';
import { handleTraefik } from '../simulator/traefik-server';
import { PartitionKeeper } from '../services/storage/partitions';
import { testFleetSpec } from './helpers/fleets';
import { buildFleet } from './helpers/fleet-builder';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

// A fake Traefik built from the simulator's real-format pieces: v3 /metrics and /api/http/routers.
const START = Date.UTC(2026, 2, 1, 8, 0, 0);
let store = new TraefikMetrics(START);
let server: Server;
let base: string;
let fleet: Fleet;
beforeAll(async () => {
  const endpoint: Endpoint = {
    port: 0,
    bind: '127.0.0.1',
    urls: [],
    ingressClusters: [],
    metricsClusters: ['c1'],
    metricsPath: '/metrics',
    apiClusters: ['c1'],
    apiPrefix: '',
  };
  server = createServer((req, res) => {
    const ctx = { metricsFor: () => store, tenantsOf: () => [...fleet.tenants], startedAt: new Date(START).toISOString() };
    if (!handleTraefik(ctx, endpoint, req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const spec = testFleetSpec({ tenants: 3 });
  spec.clusters.c1!.traefik = { metricsUrl: `${base}/metrics`, apiUrl: base, routerTenants: { 'legacy-t3': 't3' } };
  fleet = buildFleet(spec, { source: 'traefik-test.yaml' });
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

let db: MigratedDatabase;
beforeEach(async () => {
  store = new TraefikMetrics(START);
  db = await migratedDatabase(fleet);
  return async () => {
    // pg-pool's end() resolves before its clients have disconnected; a forced DROP DATABASE
    // right after would kill them mid-goodbye (an uncaught FATAL) after the concurrent runs.
    await db.pool.end();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await db.drop();
  };
});

const T0 = Date.UTC(2026, 2, 1, 9, 0, 5);
const clock = new ManualClock(T0);
const runner = () =>
  new CollectorRunner({ pool: db.pool, partitions: new PartitionKeeper(db.pool), fleet, clock, log: silentLogger, timeoutSeconds: 5 });
const scrape = (r = runner()) => r.run({ collector: 'traefik', target: `${base}/metrics`, scheduledAt: new Date(clock.now()) });

const request = (router: string, code: number, seconds = 0.05, responseBytes = 1000): ProxiedRequest => ({
  router,
  service: router.replace('-web', '-odoo'),
  code,
  method: 'GET',
  protocol: 'http',
  seconds,
  requestBytes: 200,
  responseBytes,
});
const send = (requests: ProxiedRequest[]) => requests.forEach((r) => store.record(r));
const times = <T>(n: number, f: () => T): T[] => Array.from({ length: n }, f);

async function minutes() {
  const { rows } = await db.pool.query(
    `SELECT tenant_id, to_char(minute AT TIME ZONE 'UTC', 'HH24:MI') AS m, ingress_requests AS requests, ingress_server_errors AS errors,
            requests_2xx, requests_5xx, requests_aborted AS aborted, response_bytes, duration_counts
       FROM ingress_minute ORDER BY tenant_id, minute`,
  );
  return rows;
}

describe('traefik collector on a Traefik v3 fake', () => {
  it('keeps a series PostgreSQL cannot store (NUL in a label, a counter of 1e30) out of the deltas and the baseline, counted; the others stored', async () => {
    clock.set(T0);
    send([request('t1-web@docker', 200), request('evil\u0000-web@docker', 200), request('t2-web@docker', 200, 0.05, 1e30)]);
    expect(await scrape()).toMatchObject({ duplicate: false });
    send([request('t1-web@docker', 200), request('t1-web@docker', 200), request('evil\u0000-web@docker', 200)]);
    clock.set(T0 + 15_000);
    const second = await scrape();
    expect(second).toMatchObject({ duplicate: false });
    expect((await minutes()).map((r) => [r.tenant_id, r.requests])).toEqual([['t1', 2]]);
    const reasons = await db.pool.query(`SELECT reason, records::int FROM collector_rejection WHERE collector = 'traefik' ORDER BY reason`);
    // each scrape: the NUL router's series (invalid_text), t2's bytes counters of 1e30 (number_out_of_range)
    expect(reasons.rows).toEqual([
      { reason: 'invalid_text', records: 2 },
      { reason: 'number_out_of_range', records: 2 },
    ]);
    const status = await db.pool.query(`SELECT success FROM collector_status WHERE collector = 'traefik'`);
    expect(status.rows).toEqual([{ success: true }]);
  });

  it('sets a baseline, then stores per-tenant deltas; a reset drops its interval', async () => {
    clock.set(T0);
    send([request('t1-web@docker', 200), request('t2-web@docker', 500)]);
    expect(await scrape()).toMatchObject({ duplicate: false });
    expect(await minutes()).toEqual([]);

    send([
      ...times(7, () => request('t1-web@docker', 200, 0.2, 500)),
      request('t1-web@docker', 502, 2),
      request('t1-web@docker', 0, 30, 0),
      ...times(3, () => request('t2-web@docker', 404)),
      request('legacy-t3@file', 200),
      request('stray@file', 200),
      request('stray@file', 200),
    ]);
    clock.set(T0 + 15_000);
    expect(await scrape()).toMatchObject({ duplicate: false, unattributed: 1 });
    expect(await minutes()).toEqual([
      {
        tenant_id: 't1',
        m: '09:00',
        requests: 9,
        errors: 1,
        requests_2xx: 7,
        requests_5xx: 1,
        aborted: 1,
        response_bytes: 4500,
        duration_counts: [0, 7, 0, 1, 1],
      },
      {
        tenant_id: 't2',
        m: '09:00',
        requests: 3,
        errors: 0,
        requests_2xx: 0,
        requests_5xx: 0,
        aborted: 0,
        response_bytes: 3000,
        duration_counts: [3, 0, 0, 0, 0],
      },
      {
        tenant_id: 't3',
        m: '09:00',
        requests: 1,
        errors: 0,
        requests_2xx: 1,
        requests_5xx: 0,
        aborted: 0,
        response_bytes: 1000,
        duration_counts: [1, 0, 0, 0, 0],
      },
    ]);

    // Counters restart lower (same process start): every series went down, nothing is stored.
    store = new TraefikMetrics(START);
    send([request('t1-web@docker', 200)]);
    clock.set(T0 + 60_000);
    await scrape();
    const afterReset = await minutes();
    expect(afterReset.map((r) => r.m)).toEqual(['09:00', '09:00', '09:00']);

    // From the lower baseline, deltas continue.
    send([request('t1-web@docker', 200), request('t1-web@docker', 200)]);
    clock.set(T0 + 75_000);
    await scrape();
    expect((await minutes()).filter((r) => r.m === '09:01')).toEqual([
      {
        tenant_id: 't1',
        m: '09:01',
        requests: 2,
        errors: 0,
        requests_2xx: 2,
        requests_5xx: 0,
        aborted: 0,
        response_bytes: 2000,
        duration_counts: [2, 0, 0, 0, 0],
      },
    ]);

    // A restarted Traefik (new process start time) drops the interval even where counters grew.
    store = new TraefikMetrics(START + 3_600_000);
    send(times(20, () => request('t1-web@docker', 200)));
    clock.set(T0 + 90_000);
    await scrape();
    expect((await minutes()).find((r) => r.m === '09:01')?.requests).toBe(2);

    const metrics = traefikMetrics.metrics.map((m) => m.name);
    expect(metrics).toContain('tenantscope_ingress_requests_total');
    const snapshot = await traefikMetrics.load(db.pool, systemClock);
    const requestsTotal = traefikMetrics.metrics.find((m) => m.name === 'tenantscope_ingress_requests_total')!.values(snapshot);
    expect(requestsTotal.find((v) => v.labels.tenant === 't1' && v.labels.code_class === '2xx')?.value).toBe(9);
    const unmapped = traefikMetrics.metrics.find((m) => m.name === 'tenantscope_ingress_unmapped_requests_total')!.values(snapshot);
    expect(unmapped).toEqual([{ value: 2, labels: { cluster: 'c1', router: 'stray@file' } }]);
    const histogram = traefikMetrics.metrics.find((m) => m.name === 'tenantscope_ingress_request_duration_seconds')!.values(snapshot);
    expect(histogram.filter((v) => v.labels.tenant === 't1').map((v) => [v.metricName, v.labels.le, v.value])).toEqual([
      ['tenantscope_ingress_request_duration_seconds_bucket', 0.1, 2],
      ['tenantscope_ingress_request_duration_seconds_bucket', 0.3, 9],
      ['tenantscope_ingress_request_duration_seconds_bucket', 1.2, 9],
      ['tenantscope_ingress_request_duration_seconds_bucket', 5, 10],
      ['tenantscope_ingress_request_duration_seconds_bucket', '+Inf', 11],
      ['tenantscope_ingress_request_duration_seconds_sum', undefined, 33.5],
      ['tenantscope_ingress_request_duration_seconds_count', undefined, 11],
    ]);
  });

  it('counts an interval once when two workers scrape at the same time', async () => {
    clock.set(T0);
    await scrape();
    send(times(5, () => request('t2-web@docker', 200)));
    clock.set(T0 + 15_000);
    const outcomes = await Promise.all([scrape(runner()), scrape(runner()), scrape(runner())]);
    expect(outcomes.filter((o) => o && !o.duplicate)).toHaveLength(1);
    expect((await minutes()).map((r) => [r.tenant_id, r.requests])).toEqual([['t2', 5]]);
    const { rows } = await db.pool.query('SELECT metric_set, scraped_at FROM traefik_scrape_state');
    expect(rows).toEqual([{ metric_set: 'v3', scraped_at: new Date(T0 + 15_000) }]);
  });

  it('records a failed run when Traefik answers an error, writing nothing', async () => {
    const broken = `${base}/not-metrics`;
    const spec = testFleetSpec({ tenants: 3 });
    spec.clusters.c1!.traefik = { metricsUrl: broken };
    const brokenFleet = buildFleet(spec, { source: 'broken.yaml' });
    const r = new CollectorRunner({
      pool: db.pool,
      partitions: new PartitionKeeper(db.pool),
      fleet: brokenFleet,
      clock,
      log: silentLogger,
      timeoutSeconds: 5,
    });
    clock.set(T0);
    expect(await r.run({ collector: 'traefik', target: broken, scheduledAt: new Date(T0) })).toBeUndefined();
    const { rows } = await db.pool.query("SELECT success, error FROM collector_status WHERE collector = 'traefik'");
    expect(rows).toEqual([{ success: false, error: `Traefik ${broken} answered 404` }]);
    expect((await db.pool.query('SELECT * FROM traefik_scrape_state')).rows).toEqual([]);
  });
});
