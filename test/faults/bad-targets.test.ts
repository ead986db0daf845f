import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OdooLogTruth, storedRequests } from './odoo-log-truth';
import { REDIS_URL, removeQueues, uniquePrefix } from '../helpers/database';
import { buildFleet, fleetYaml } from '../helpers/fleet-builder';
import { testFleetSpec } from '../helpers/fleets';
import { startTenantscope, waitFor } from '../helpers/processes';
import { migratedDatabase, type MigratedDatabase } from '../helpers/service';

/**
 * Fault 7 (issue #13): targets that misbehave. Cluster c1's ingress never answers a probe (it
 * hangs), its Traefik answers garbage, and cluster c2's ingress answers slowly but within the
 * timeout. Runs on the bad targets fail and keep being scheduled (never stuck), the slow one
 * succeeds, and the Odoo log read beside them loses nothing.
 */
let db: MigratedDatabase;
let dir: string;
const servers: Server[] = [];
const prefix = uniquePrefix();
let fleetText = '';

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ts-fault-targets-'));
  const hanging = await serve(() => undefined); // reads the request, never answers
  const garbage = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('<html>\u0000not metrics {{{\n'));
  const slow = await serve(
    (_req, res) => void setTimeout(() => res.writeHead(200).end('<form class="oe_login_form"><input name="login"/></form>'), 1_500),
  );
  const spec = testFleetSpec({ logFile: join(dir, 'odoo.log'), logIntervalSeconds: 1, tenants: 4 });
  spec.clusters.c1!.probe = { url: hanging, intervalSeconds: 2, timeoutSeconds: 2 };
  spec.clusters.c1!.traefik = { metricsUrl: `${garbage}/metrics`, intervalSeconds: 2 };
  spec.clusters.c2 = { timezone: 'UTC', probe: { url: slow, intervalSeconds: 2, timeoutSeconds: 4 } };
  spec.tenants[3]!.cluster = 'c2';
  fleetText = fleetYaml(spec);
  db = await migratedDatabase(buildFleet(spec));
}, 60_000);

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  await removeQueues(prefix);
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('fault: a target that hangs, one that answers garbage, one that is slow', () => {
  it('probes the hung ingress as down at its timeout, counts the garbage as rejected, takes the slow one, keeps scheduling, loses nothing', async () => {
    const logFile = join(dir, 'odoo.log');
    writeFileSync(logFile, '');
    const fleetFile = join(dir, 'fleet.yaml');
    writeFileSync(fleetFile, fleetText);
    const env = {
      TENANTSCOPE_DATABASE_URL: db.url,
      TENANTSCOPE_REDIS_URL: REDIS_URL,
      TENANTSCOPE_QUEUE_PREFIX: prefix,
      TENANTSCOPE_LISTEN: '127.0.0.1:0',
      TENANTSCOPE_COLLECTOR_TIMEOUT_SECONDS: '5',
    };
    const truth = OdooLogTruth.yesterday();
    const process = startTenantscope(['start', '--fleet', fleetFile], env);
    const runs = async (collector: string, success: boolean) =>
      Number(
        (await db.pool.query(`SELECT count(*) AS n FROM collector_run WHERE collector = $1 AND success = $2`, [collector, success])).rows[0]
          .n,
      );
    try {
      for (let i = 0; i < 6; i++) {
        truth.write(logFile, 1_000);
        await new Promise((r) => setTimeout(r, 500));
      }
      // several failed runs each: a hung run is abandoned at its timeout, the next one still comes
      // a hung probe is a failed probe (evidence of an outage), taken at its timeout; the runs go on
      const probes = async () =>
        (await db.pool.query(`SELECT tenant_id, ok, reason, duration_seconds FROM probe_state ORDER BY tenant_id`)).rows;
      await waitFor(
        'the hung ingress probed as failed and the slow one as up',
        async () => {
          const rows = await probes();
          return rows.some((r) => r.tenant_id === 't1' && !r.ok) && rows.some((r) => r.tenant_id === 't4' && r.ok);
        },
        40_000,
      ).catch(async (err) => {
        throw new Error(`${(err as Error).message}: ${JSON.stringify(await probes())}`);
      });
      const before = { probe: await runs('odoo-probe', true), traefik: await runs('traefik', true) };
      await new Promise((r) => setTimeout(r, 6_000));
      expect(await runs('odoo-probe', true), 'probe runs keep coming').toBeGreaterThan(before.probe);
      expect(await runs('traefik', true), 'traefik runs keep coming').toBeGreaterThan(before.traefik);
      const hung = (await probes()).find((r) => r.tenant_id === 't1')!;
      expect(hung.duration_seconds === null || hung.duration_seconds < 5).toBe(true);
      // garbage from Traefik: its lines counted as rejected, no tenant counted
      const rejected = await db.pool.query(`SELECT sum(records)::int AS n FROM collector_rejection WHERE collector = 'traefik'`);
      expect(rejected.rows[0].n).toBeGreaterThan(0);
      const ingress = await db.pool.query(`SELECT count(*)::int AS n FROM ingress_minute`);
      expect(ingress.rows[0].n).toBe(0);
      await waitFor('every line stored', async () => (await storedRequests(db.pool)) >= truth.written, 20_000);
      const result = await truth.compare(db.pool, (name) => name.replace(/^db_/, ''));
      expect(result).toEqual({ truth: truth.written, stored: truth.written, lost: 0, doubled: 0 });
      expect(process.child.exitCode).toBeNull();
      console.log(
        `fault bad-targets: ${JSON.stringify({ ...result, probeRuns: await runs('odoo-probe', true), traefikRuns: await runs('traefik', true), hungProbe: (await probes()).find((r) => r.tenant_id === 't1') })}`,
      );
    } finally {
      process.child.kill('SIGTERM');
      await process.exited;
    }
  }, 120_000);
});
