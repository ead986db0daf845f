import { systemClock } from '../services/core/clock';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../services/api/app';
import { silentLogger } from '../services/core/logger';
import { createMetricsRegistry } from '../services/metrics/registry';
import { PartitionKeeper } from '../services/storage/partitions';
import { addMinuteRows } from '../collectors/lib/tenant-minute-store';
import { withTransaction } from '../services/storage/db';
import { MinuteRollup } from '../collectors/lib/minute-rollup';
import { recordStatus } from '../collectors/lib/collector-store';
import { testFleet } from './helpers/fleets';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

let db: MigratedDatabase;
beforeAll(async () => {
  db = await migratedDatabase(testFleet());
  const rollup = new MinuteRollup();
  const t1 = rollup.odoo('t1', Date.parse('2026-03-01T09:00:10Z'));
  t1.requests['2xx'] = 40;
  t1.requests['5xx'] = 2;
  t1.sqlSeconds = 1.5;
  t1.pythonSeconds = 3.25;
  t1.queries = 400;
  t1.durationCounts = [10, 10, 10, 10, 2, 0, 0, 0, 0, 0];
  t1.durationSum = 8.5;
  rollup.probe('t2', Date.parse('2026-03-01T09:00:20Z')).failed = 1;
  await new PartitionKeeper(db.pool).ensure('tenant_minute', [Date.parse('2026-03-01T09:00:00Z')]);
  await withTransaction(db.pool, (client) => addMinuteRows(client, rollup.all()));
  await db.pool.query("INSERT INTO probe_state VALUES ('t2', '2026-03-01T09:00:20Z', false, 0.012, 'status 502')");
  await recordStatus(db.pool, {
    collector: 'odoo-probe',
    target: 't2.example.test',
    scheduledAt: new Date(),
    finishedAt: new Date('2026-03-01T09:00:21Z'),
    success: true,
    durationSeconds: 0.02,
    records: 1,
    rejected: 0,
    worker: 'test',
  });
});
afterAll(() => db.close());

async function api(readiness = [{ name: 'postgres', check: async () => void (await db.pool.query('SELECT 1')) }]) {
  return buildApi({
    log: silentLogger,
    metrics: createMetricsRegistry(db.pool, { version: '0.1.0', revision: 'test' }, silentLogger, systemClock),
    readiness,
  });
}

describe('/metrics', () => {
  it('publishes per-tenant series from the shared state, and omits what was never seen', async () => {
    const app = await api();
    const res = await app.inject('/metrics');
    await app.close();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(text).toContain('tenantscope_build_info{version="0.1.0",revision="test",nodejs_version="' + process.version + '"} 1');
    expect(text).toContain('tenantscope_metrics_store_up 1');
    expect(text).toContain('tenantscope_tenant_info{tenant="t1",cluster="c1",tier="business",name="Tenant 1"} 1');
    expect(text).toContain('tenantscope_odoo_requests_total{tenant="t1",cluster="c1",code_class="2xx"} 40');
    expect(text).toContain('tenantscope_odoo_requests_total{tenant="t1",cluster="c1",code_class="5xx"} 2');
    expect(text).toContain('tenantscope_odoo_sql_seconds_total{tenant="t1",cluster="c1"} 1.5');
    expect(text).toContain('tenantscope_odoo_request_duration_seconds_bucket{tenant="t1",cluster="c1",le="0.25"} 30');
    expect(text).toContain('tenantscope_odoo_request_duration_seconds_bucket{tenant="t1",cluster="c1",le="+Inf"} 42');
    expect(text).toContain('tenantscope_odoo_request_duration_seconds_count{tenant="t1",cluster="c1"} 42');
    expect(text).toContain('tenantscope_probe_success{tenant="t2",cluster="c1"} 0');
    expect(text).toContain('tenantscope_probes_total{tenant="t2",cluster="c1",result="fail"} 1');
    expect(text).toContain('tenantscope_collector_success{collector="odoo-probe",target="t2.example.test"} 1');
    // t2 never had a request in a log, t1 never a probe: omitted, not invented as 0
    expect(text).not.toContain('tenantscope_odoo_requests_total{tenant="t2"');
    expect(text).not.toContain('tenantscope_probe_success{tenant="t1"');
    expect(text).not.toContain('tenantscope_odoo_requests_total{tenant="t3"');
  });

  it('passes promtool check metrics', async () => {
    const app = await api();
    const text = (await app.inject('/metrics')).body;
    await app.close();
    const file = join(mkdtempSync(join(tmpdir(), 'metrics-')), 'metrics.txt');
    writeFileSync(file, text);
    // promtool reads the exposition on stdin: exit 1 is a parse error, 3 lint findings (printed).
    const out = execFileSync('sh', ['-c', `promtool check metrics < ${file} 2>&1; echo "exit=$?"`])
      .toString()
      .trim()
      .split('\n');
    const exit = out.pop();
    expect(exit === 'exit=0' || exit === 'exit=3').toBe(true);
    // prom-client's own default gauges are named nodejs_active_*_total; ours must be clean
    expect(out.filter((line) => !/^nodejs_active_\w+_total non-counter metrics/.test(line))).toEqual([]);
  });

  it('still answers with store_up 0 when the database cannot be read', async () => {
    const broken = { query: async () => Promise.reject(new Error('connection refused')) };
    const app = await buildApi({
      log: silentLogger,
      metrics: createMetricsRegistry(broken, { version: 'x', revision: 'y' }, silentLogger, systemClock),
      readiness: [],
    });
    const res = await app.inject('/metrics');
    await app.close();
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('tenantscope_metrics_store_up 0');
    expect(res.body).toContain('tenantscope_build_info');
    expect(res.body).not.toContain('tenantscope_tenant_info{');
  });
});

describe('/healthz and /readyz', () => {
  it('/readyz is 200 when every dependency answers', async () => {
    const app = await api();
    const res = await app.inject('/readyz');
    await app.close();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', failed: [], checks: { postgres: 'ok' } });
  });

  it('/readyz is 503 naming the dependency that failed, /healthz stays 200', async () => {
    const app = await api([
      { name: 'postgres', check: async () => void (await db.pool.query('SELECT 1')) },
      { name: 'redis', check: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')) },
    ]);
    const ready = await app.inject('/readyz');
    const live = await app.inject('/healthz');
    await app.close();
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({
      status: 'fail',
      failed: ['redis'],
      checks: { postgres: 'ok', redis: 'fail: connect ECONNREFUSED 127.0.0.1:1' },
    });
    expect(live.statusCode).toBe(200);
  });

  it('an unknown route is a 404 naming it', async () => {
    const app = await api();
    const res = await app.inject('/nothing?x=1');
    await app.close();
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'no route GET /nothing' });
  });
});
