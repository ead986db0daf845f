import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../services/core/clock';
import { silentLogger } from '../services/core/logger';
import { createMetricsRegistry } from '../services/metrics/registry';
import { createPool, createReservedPool, type Pool } from '../services/storage/db';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';
import { testFleet } from './helpers/fleets';

/**
 * Issue #15: when another client took every free connection, /metrics lost every per-tenant
 * series. The server here is a database with a connection limit for a plain role (superusers
 * ignore limits, and the shared server's own limit must stay untouched); a hog then takes what
 * the limit leaves.
 */
const LIMIT = 5;
const RESERVED = 3;
const role = `h3met_role_${randomBytes(4).toString('hex')}`;
let db: MigratedDatabase;
let url = '';
let reserved: Pool | undefined;
const hogs: pg.Client[] = [];

beforeAll(async () => {
  db = await migratedDatabase(testFleet({ tenants: 3 }));
  await db.pool.query(`CREATE ROLE ${role} LOGIN`);
  await db.pool.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
  await db.pool.query(`ALTER DATABASE ${db.name} CONNECTION LIMIT ${LIMIT}`);
  await db.pool.query(
    `INSERT INTO redis_tenant_state (tenant_id, cluster_id, sampled_at, clients, keys) VALUES ('t2', 'c1', now(), 4, 10)`,
  );
  const u = new URL(db.url);
  u.username = role;
  url = u.toString();
}, 60_000);

afterAll(async () => {
  await Promise.all(hogs.map((c) => c.end().catch(() => undefined)));
  await reserved?.end();
  await db.close();
  const admin = createPool(db.url.replace(`/${db.name}`, '/postgres'), 1);
  await admin.query(`DROP ROLE IF EXISTS ${role}`);
  await admin.end();
});

/** Opens connections as the role until the server refuses one; returns the refusal. */
async function takeEveryConnection(): Promise<string> {
  for (let i = 0; i <= LIMIT; i++) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      hogs.push(client);
    } catch (err) {
      return (err as Error).message;
    }
  }
  throw new Error(`the server accepted more than ${LIMIT} connections`);
}

describe('/metrics on a server out of connections', () => {
  it('keeps every per-tenant series on its reserved connections, where an ordinary pool loses them', async () => {
    reserved = await createReservedPool(url, RESERVED, 'tenantscope-metrics-test');
    expect(await takeEveryConnection()).toMatch(/too many connections/);
    // the database's own (superuser) pool holds some of the limit too; the hog took the rest
    expect(hogs.length).toBeGreaterThan(0);

    const ordinary = createPool(url, 4);
    const lost = await createMetricsRegistry(ordinary, { version: 't', revision: 't' }, silentLogger, systemClock).metrics();
    await ordinary.end();
    expect(lost).toMatch(/^tenantscope_metrics_store_up 0$/m);
    expect(lost).not.toMatch(/^tenantscope_tenant_info\{/m);

    const kept = await createMetricsRegistry(reserved, { version: 't', revision: 't' }, silentLogger, systemClock).metrics();
    expect(kept).toMatch(/^tenantscope_metrics_store_up 1$/m);
    for (const tenant of ['t1', 't2', 't3'])
      expect(kept).toMatch(new RegExp(`^tenantscope_tenant_info\\{tenant="${tenant}",cluster="c1"`, 'm'));
    expect(kept).toMatch(/^tenantscope_redis_tenant_clients\{tenant="t2",cluster="c1"\} 4$/m);
  }, 60_000);

  it('refuses to start when its connections cannot be opened, naming the server', async () => {
    await expect(createReservedPool(url, 1, 'tenantscope-metrics-test')).rejects.toThrow(/too many connections/);
  });
});
