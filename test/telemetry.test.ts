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

/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT set, collector runs and their pg queries arrive as OTLP traces.
 * (ioredis spans need a parent span by default, so BullMQ's own polling is not traced.)
 */
let collector: Server;
let traces = '';
let probed: Server;
let db: MigratedDatabase;
let fleetFile: string;
const prefix = uniquePrefix();

beforeAll(async () => {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') traces += Buffer.concat(chunks).toString('latin1');
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  probed = createServer((_req, res) => res.writeHead(200).end('<input name="login">'));
  await Promise.all([collector, probed].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
  const probeUrl = `http://127.0.0.1:${(probed.address() as AddressInfo).port}`;
  fleetFile = join(mkdtempSync(join(tmpdir(), 'otel-')), 'fleet.yaml');
  writeFileSync(fleetFile, testFleetYaml({ probeUrl, tenants: 1 }));
  db = await migratedDatabase(testFleet({ probeUrl, tenants: 1 }));
});

afterAll(async () => {
  for (const s of [collector, probed]) {
    s.closeAllConnections();
    s.close();
  }
  await removeQueues(prefix);
  await db.close();
});

describe('OpenTelemetry', () => {
  it('exports collector-run spans with their pg queries over OTLP when the endpoint is set', async () => {
    const p = startTenantscope(['start', '--role', 'worker', '--fleet', fleetFile], {
      TENANTSCOPE_DATABASE_URL: db.url,
      TENANTSCOPE_REDIS_URL: REDIS_URL,
      TENANTSCOPE_QUEUE_PREFIX: prefix,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
      OTEL_BSP_SCHEDULE_DELAY: '500',
      OTEL_METRICS_EXPORTER: 'none',
    });
    const scheduler = startTenantscope(['start', '--role', 'scheduler', '--fleet', fleetFile], {
      TENANTSCOPE_DATABASE_URL: db.url,
      TENANTSCOPE_REDIS_URL: REDIS_URL,
      TENANTSCOPE_QUEUE_PREFIX: prefix,
    });
    await waitFor('a collector-run span', () => traces.includes('collector run'), 25_000);
    await waitFor('pg spans', () => traces.includes('INSERT INTO collector_run'), 10_000);
    expect(traces).toContain('tenantscope.collector');
    for (const proc of [p, scheduler]) proc.child.kill('SIGTERM');
    await Promise.all([p.exited, scheduler.exited]);
  }, 45_000);
});
