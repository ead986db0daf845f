import pg from 'pg';

export type Pool = pg.Pool;
export type Client = pg.PoolClient;
/** What a query needs: a pool for a single statement, a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

// int8 and numeric come back as strings by default; counters here stay below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function createPool(url: string, max = 10, applicationName = 'tenantscope'): Pool {
  return new pg.Pool({ connectionString: url, max, application_name: applicationName, idleTimeoutMillis: 30_000 });
}

/**
 * Runs `work` in one transaction on one client, which it must pass to every call (STYLE habit 8).
 * No network I/O belongs inside: gather first, then write.
 */
export async function withTransaction<T>(pool: Pool, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
