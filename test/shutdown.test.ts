import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, removeQueues, uniquePrefix } from './helpers/database';
import { testFleet, testFleetYaml } from './helpers/fleets';
import { startTenantscope, waitFor } from './helpers/processes';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

/** SIGTERM while collector jobs are running: the process drains and exits within 10 s. */
let server: Server;
let requests = 0;
let db: MigratedDatabase;
let fleetFile: string;
const prefix = uniquePrefix();

beforeAll(async () => {
  // every probe hangs: the jobs are mid-work when SIGTERM arrives
  server = createServer(() => void (requests += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const probeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fleetFile = join(mkdtempSync(join(tmpdir(), 'shutdown-')), 'fleet.yaml');
  writeFileSync(fleetFile, testFleetYaml({ probeUrl, probeIntervalSeconds: 1 }).replace('timeoutSeconds: 1', 'timeoutSeconds: 60'));
  db = await migratedDatabase(testFleet({ probeUrl }));
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await removeQueues(prefix);
  await db.close();
});

describe('SIGTERM', () => {
  it('exits cleanly within 10 s while jobs are running', async () => {
    const p = startTenantscope(['start', '--fleet', fleetFile], {
      TENANTSCOPE_DATABASE_URL: db.url,
      TENANTSCOPE_REDIS_URL: REDIS_URL,
      TENANTSCOPE_QUEUE_PREFIX: prefix,
      TENANTSCOPE_LISTEN: '127.0.0.1:0',
      TENANTSCOPE_COLLECTOR_TIMEOUT_SECONDS: '120',
    });
    await waitFor('probes in flight', () => requests >= 3, 20_000);
    const sent = Date.now();
    p.child.kill('SIGTERM');
    const exit = await p.exited;
    expect(exit.at - sent).toBeLessThan(10_000);
    expect(exit.code, p.output()).toBe(0);
    expect(p.output()).toContain('"msg":"stopping"');
    expect(p.output()).toContain('"msg":"stopped"');
  }, 40_000);
});
