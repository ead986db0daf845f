import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, removeQueues, uniquePrefix } from './helpers/database';
import { testFleet, testFleetYaml } from './helpers/fleets';
import { startTenantscope, waitFor, type Started } from './helpers/processes';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

/**
 * Two `--role worker` processes and one `--role scheduler` share the queues in Redis: every
 * scheduled probe runs exactly once per interval, and both workers take a share of the work.
 */
let server: Server;
const hits = new Map<string, number>();
let db: MigratedDatabase;
let prefix: string;
let fleetFile: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const host = req.headers.host ?? '';
    hits.set(host, (hits.get(host) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<input name="login">');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const probeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fleetFile = join(mkdtempSync(join(tmpdir(), 'roles-')), 'fleet.yaml');
  writeFileSync(fleetFile, testFleetYaml({ probeUrl, probeIntervalSeconds: 1, probeTimeoutSeconds: 5, tenants: 4 }));
  db = await migratedDatabase(testFleet({ probeUrl, probeIntervalSeconds: 1, probeTimeoutSeconds: 5, tenants: 4 }));
  prefix = uniquePrefix();
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await removeQueues(prefix);
  await db.close();
});

describe('split roles', () => {
  it('two workers and one scheduler run each scheduled probe once per interval', async () => {
    const env = {
      TENANTSCOPE_DATABASE_URL: db.url,
      TENANTSCOPE_REDIS_URL: REDIS_URL,
      TENANTSCOPE_QUEUE_PREFIX: prefix,
      TENANTSCOPE_WORKER_CONCURRENCY: '2',
    };
    const processes: Started[] = [
      startTenantscope(['start', '--role', 'worker', '--fleet', fleetFile], env),
      startTenantscope(['start', '--role', 'worker', '--fleet', fleetFile], env),
    ];
    await Promise.all(processes.map((p) => waitFor('workers to start', () => p.output().includes('tenantscope started'))));
    processes.push(startTenantscope(['start', '--role', 'scheduler', '--fleet', fleetFile], env));
    const count = async () => Number((await db.pool.query('SELECT count(*) AS n FROM collector_run')).rows[0].n);
    await waitFor('30 probe runs', async () => (await count()) >= 30, 30_000);
    const stoppedAt = Date.now();
    for (const p of processes) p.child.kill('SIGTERM');
    const exits = await Promise.all(processes.map((p) => p.exited));
    for (const exit of exits) {
      expect(exit.code).toBe(0);
      expect(exit.at - stoppedAt).toBeLessThan(10_000);
    }

    const { rows } = await db.pool.query<{ target: string; scheduled_at: Date; worker: string; success: boolean; error: string | null }>(
      "SELECT target, scheduled_at, worker, success, error FROM collector_run WHERE collector = 'odoo-probe' ORDER BY target, scheduled_at",
    );
    const byTarget = new Map<string, number[]>();
    for (const r of rows) {
      expect(r.success, r.error ?? '').toBe(true);
      byTarget.set(r.target, [...(byTarget.get(r.target) ?? []), r.scheduled_at.getTime()]);
    }
    expect([...byTarget.keys()].sort()).toEqual(['t1.example.test', 't2.example.test', 't3.example.test', 't4.example.test']);
    for (const [target, times] of byTarget) {
      // runs on the interval grid; BullMQ skips a slot rather than doubling up when a loaded
      // machine starts a job late, so allow the rare skip
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      for (const gap of gaps) expect(gap % 1_000, target).toBe(0);
      expect(gaps.filter((g) => g === 1_000).length, target).toBeGreaterThanOrEqual(gaps.length * 0.8);
      // the probed server saw each scheduled run once: no job ran twice
      expect(hits.get(target), target).toBe(times.length);
    }
    // both workers took work
    expect(new Set(rows.map((r) => r.worker)).size).toBe(2);
    // and every run landed in the minutes exactly once
    const probes = await db.pool.query('SELECT sum(probes_ok) AS n FROM tenant_minute');
    expect(Number(probes.rows[0].n)).toBe(rows.length);
  }, 60_000);
});
