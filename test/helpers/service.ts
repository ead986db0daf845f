import { silentLogger } from '../../services/core/logger';
import type { Fleet } from '../../services/config/fleet-types';
import { createPool, type Pool } from '../../services/storage/db';
import { syncFleet } from '../../services/config/fleet-store';
import { migrate } from '../../services/storage/migrate';
import { createTestDatabase, type TestDatabase } from './database';

export interface MigratedDatabase extends TestDatabase {
  pool: Pool;
  close(): Promise<void>;
}

/** A fresh database, migrated, with the fleet synced: what a started process would have. */
export async function migratedDatabase(fleet: Fleet): Promise<MigratedDatabase> {
  const db = await createTestDatabase();
  const pool = createPool(db.url, 6);
  await migrate(pool, silentLogger);
  await syncFleet(pool, fleet, new Date());
  return {
    ...db,
    pool,
    close: async () => {
      await pool.end();
      await db.drop();
    },
  };
}
