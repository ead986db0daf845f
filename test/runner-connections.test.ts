import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectorRunner } from '../collectors/runner';
import type { Fleet } from '../services/config/fleet-types';
import { systemClock } from '../services/core/clock';
import { silentLogger } from '../services/core/logger';
import { PartitionKeeper } from '../services/storage/partitions';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { buildFleet, tenantSpec } from './helpers/fleet-builder';
import { waitFor } from './helpers/processes';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

/**
 * The connections to a monitored PostgreSQL belong to the runner that opened them: two runners
 * in one process do not share them, and each runner's close() ends its own.
 */
let monitored: TestDatabase;
let store: MigratedDatabase;
let fleet: Fleet;

beforeAll(async () => {
  monitored = await createTestDatabase('ts_mon');
  fleet = buildFleet(
    {
      clusters: {
        c1: { timezone: 'UTC', postgres: { url: monitored.url, intervalSeconds: 15, activityIntervalSeconds: 1, sizeIntervalSeconds: 60 } },
      },
      tenants: [tenantSpec('a', 'c1', { database: monitored.name })],
    },
    { source: 'runner-fleet.yaml' },
  );
  store = await migratedDatabase(fleet);
});

afterAll(async () => {
  await store?.close();
  await monitored?.drop();
});

/** Connections the collector holds open to the monitored database. */
async function collectorConnections(): Promise<number> {
  const { rows } = await store.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'tenantscope-collector'",
    [monitored.name],
  );
  return rows[0]!.n;
}

describe('CollectorRunner connections', () => {
  it('keeps its own connections to a monitored server between runs and ends them on close()', async () => {
    const runner = () =>
      new CollectorRunner({
        pool: store.pool,
        partitions: new PartitionKeeper(store.pool),
        fleet,
        clock: systemClock,
        log: silentLogger,
        timeoutSeconds: 10,
      });
    const first = runner();
    const second = runner();
    try {
      const at = Date.now();
      expect(await first.run({ collector: 'postgres', target: 'c1/activity', scheduledAt: new Date(at) })).toMatchObject({
        duplicate: false,
      });
      expect(await first.run({ collector: 'postgres', target: 'c1/activity', scheduledAt: new Date(at + 1_000) })).toBeDefined();
      expect(await collectorConnections()).toBe(1);
      expect(await second.run({ collector: 'postgres', target: 'c1/activity', scheduledAt: new Date(at + 2_000) })).toBeDefined();
      expect(await collectorConnections()).toBe(2);
      await first.close();
      await waitFor('the first runner to end its connection', async () => (await collectorConnections()) === 1, 5_000);
      await second.close();
      await waitFor('the second runner to end its connection', async () => (await collectorConnections()) === 0, 5_000);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
