import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CollectorRunner } from '../collectors/runner';
import { buildFleet } from './helpers/fleet-builder';
import { testFleetSpec } from './helpers/fleets';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';
import { ManualClock } from '../services/core/clock';
import type { Fleet } from '../services/config/fleet-types';
import { silentLogger } from '../services/core/logger';
import { PartitionKeeper } from '../services/storage/partitions';
import type { Endpoint } from '../simulator/listeners';
import { TraefikMetrics } from '../simulator/traefik-metrics';
import { handleTraefik } from '../simulator/traefik-server';

// Traefik's API (the simulator's real-format /api/http/routers: `t1-web@docker` routes
// Host(`t1.example.test`)) and an access log on disk, in both of Traefik's formats.
const START = Date.UTC(2026, 2, 1, 8, 0, 0);
let server: Server;
let base: string;
let fleet: Fleet;
let dir: string;
let file: string;
beforeAll(async () => {
  const endpoint: Endpoint = {
    port: 0,
    bind: '127.0.0.1',
    urls: [],
    ingressClusters: [],
    metricsClusters: [],
    metricsPath: '/metrics',
    apiClusters: ['c1'],
    apiPrefix: '',
  };
  server = createServer((req, res) => {
    const ctx = {
      metricsFor: () => new TraefikMetrics(START),
      tenantsOf: () => [...fleet.tenants],
      startedAt: new Date(START).toISOString(),
    };
    if (!handleTraefik(ctx, endpoint, req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'ts-access-'));
  file = join(dir, 'access.log');
  const spec = testFleetSpec({ tenants: 3 });
  spec.clusters.c1!.traefik = { accessLogFiles: [file], apiUrl: base, routerTenants: { 'legacy-t3': 't3' } };
  fleet = buildFleet(spec, { source: 'traefik-access-test.yaml' });
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

let db: MigratedDatabase;
beforeEach(async () => {
  writeFileSync(file, '');
  for (const suffix of ['.1', '.2']) rmSync(file + suffix, { force: true });
  db = await migratedDatabase(fleet);
  return async () => {
    await db.pool.end();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await db.drop();
  };
});

const clock = new ManualClock(Date.UTC(2026, 2, 1, 9, 5, 0));
let scheduled = 0;
const runner = () =>
  new CollectorRunner({ pool: db.pool, partitions: new PartitionKeeper(db.pool), fleet, clock, log: silentLogger, timeoutSeconds: 5 });
const read = (r = runner()) =>
  r.run({ collector: 'traefik-access', target: file, scheduledAt: new Date(clock.now() + scheduled++ * 1000) });

const json = (host: string, status: number, start: string, ns: number, router: string | null = `${host.split('.')[0]}-web@docker`) =>
  JSON.stringify({
    ClientHost: '10.0.0.7',
    DownstreamContentSize: 100,
    DownstreamStatus: status,
    Duration: ns,
    RequestContentSize: 20,
    RequestHost: host,
    RequestMethod: 'GET',
    RequestPath: '/web',
    RequestProtocol: 'HTTP/2.0',
    ...(router && { RouterName: router, ServiceName: router.replace('-web', '-odoo'), ServiceURL: 'http://172.18.0.5:8069' }),
    StartUTC: start,
    level: 'info',
    msg: '',
    time: start,
  });
const clf = (router: string, status: number | '-', time: string, ms: number) =>
  `10.0.0.8 - - [${time} +0100] "POST /web/dataset/call_kw/sale.order/read HTTP/1.1" ${status} 300 "-" "Mozilla/5.0" 7 "${router}" "http://172.18.0.6:8069" ${ms}ms`;
const write = (lines: string[]) => appendFileSync(file, lines.map((l) => `${l}\n`).join(''));

async function minutes() {
  const { rows } = await db.pool.query(
    `SELECT tenant_id, to_char(minute AT TIME ZONE 'UTC', 'HH24:MI') AS m, ingress_requests AS requests, requests_2xx, requests_5xx,
            requests_aborted AS aborted, requests_other AS other, request_bytes::int, response_bytes::int, duration_counts, round(duration_sum::numeric, 3)::float8 AS sum
       FROM ingress_minute ORDER BY tenant_id, minute`,
  );
  return rows;
}

describe('traefik access log collector', () => {
  it('counts each request for its tenant and minute, by Host in JSON and by router rule in CLF; strays, garbage and far times counted apart', async () => {
    write([
      json('t1.example.test', 200, '2026-03-01T09:00:07.5Z', 50_000_000),
      json('T1.example.test:443', 502, '2026-03-01T09:00:59.9Z', 2_000_000_000),
      json('t2.example.test', 0, '2026-03-01T09:01:00Z', 61_000_000_000),
      clf('t2-web@docker', 200, '01/Mar/2026:10:01:30', 400),
      clf('legacy-t3', '-', '01/Mar/2026:10:01:31', 5),
      clf('stray@file', 200, '01/Mar/2026:10:01:32', 5),
      clf('dashboard@internal', 200, '01/Mar/2026:10:01:33', 1),
      json('nobody.example.test', 404, '2026-03-01T09:01:34Z', 52_000, null),
      'this is not an access log line',
      clf('t1-web@docker', 200, '01/Mar/1990:10:00:00', 5),
    ]);
    expect(await read()).toMatchObject({ duplicate: false, records: 8, rejected: 2, unattributed: 2 });
    expect(await minutes()).toEqual([
      {
        tenant_id: 't1',
        m: '09:00',
        requests: 2,
        requests_2xx: 1,
        requests_5xx: 1,
        aborted: 0,
        other: 0,
        request_bytes: 40,
        response_bytes: 200,
        duration_counts: [1, 0, 0, 1, 0],
        sum: 2.05,
      },
      {
        tenant_id: 't2',
        m: '09:01',
        requests: 2,
        requests_2xx: 1,
        requests_5xx: 0,
        aborted: 1,
        other: 0,
        request_bytes: 20,
        response_bytes: 400,
        duration_counts: [0, 0, 1, 0, 1],
        sum: 61.4,
      },
      {
        tenant_id: 't3',
        m: '09:01',
        requests: 1,
        requests_2xx: 0,
        requests_5xx: 0,
        aborted: 0,
        other: 1,
        request_bytes: null,
        response_bytes: 300,
        duration_counts: [1, 0, 0, 0, 0],
        sum: 0.005,
      },
    ]);
    const unmapped = await db.pool.query(`SELECT router, requests::int FROM ingress_unmapped_total ORDER BY router`);
    expect(unmapped.rows).toEqual([
      { router: '(host) nobody.example.test', requests: 1 },
      { router: 'stray@file', requests: 1 },
    ]);
    const reasons = await db.pool.query(
      `SELECT reason, records::int FROM collector_rejection WHERE collector = 'traefik-access' ORDER BY reason`,
    );
    expect(reasons.rows).toEqual([
      { reason: 'malformed', records: 1 },
      { reason: 'outside_accepted_range', records: 1 },
    ]);

    // nothing new: nothing added; a half-written line waits for its newline
    appendFileSync(file, clf('t1-web@docker', 200, '01/Mar/2026:10:02:00', 5).slice(0, 40));
    await read();
    expect((await minutes()).map((r) => r.requests)).toEqual([2, 2, 1]);
    appendFileSync(file, `${clf('t1-web@docker', 200, '01/Mar/2026:10:02:00', 5).slice(40)}\n`);
    await read();
    expect((await minutes()).map((r) => [r.tenant_id, r.m, r.requests])).toEqual([
      ['t1', '09:00', 2],
      ['t1', '09:02', 1],
      ['t2', '09:01', 2],
      ['t3', '09:01', 1],
    ]);
  });

  it('follows rotation by rename and by copytruncate without losing or repeating a line', async () => {
    const line = (i: number) =>
      json('t1.example.test', 200, `2026-03-01T09:0${Math.floor(i / 10)}:${String((i % 10) * 5).padStart(2, '0')}Z`, 1_000_000);
    write([0, 1, 2].map(line));
    await read();
    write([3, 4].map(line));
    renameSync(file, `${file}.1`); // logrotate's rename, then Traefik reopens on USR1
    writeFileSync(file, '');
    write([5, 6].map(line));
    await read();
    write([7].map(line));
    await read();
    truncateSync(file, 0); // copytruncate
    write([8, 9].map(line));
    await read();
    const total = await db.pool.query(`SELECT sum(ingress_requests)::int AS n FROM ingress_minute`);
    expect(total.rows[0].n).toBe(10);
  });

  it('counts a line once when two workers read the same file at the same moment', async () => {
    write(Array.from({ length: 50 }, (_, i) => json('t2.example.test', 200, `2026-03-01T09:00:${String(i).padStart(2, '0')}Z`, 1_000_000)));
    const at = new Date(clock.now());
    const [a, b] = await Promise.all([
      runner().run({ collector: 'traefik-access', target: file, scheduledAt: at }),
      runner().run({ collector: 'traefik-access', target: file, scheduledAt: new Date(at.getTime() + 1) }),
    ]);
    expect([a, b].filter((o) => o?.duplicate === false).length).toBeGreaterThanOrEqual(1);
    const total = await db.pool.query(`SELECT sum(ingress_requests)::int AS n FROM ingress_minute`);
    expect(total.rows[0].n).toBe(50);
  });
});
