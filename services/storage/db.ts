import pg from 'pg';

export type Pool = pg.Pool;
export type Client = pg.PoolClient;
/** What a query needs: a pool for a single statement, a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

// int8 and numeric come back as strings by default; counters here stay below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function createPool(url: string, max = 10, applicationName = 'tenantscope', onIdleError?: (err: Error) => void): Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    application_name: applicationName,
    idleTimeoutMillis: 30_000,
    // tenantscope's queries are many and short; JIT compiling each (50-150 ms seen on the SLA
    // month reads) costs more than it saves.
    options: '-c jit=off',
  });
  guardClients(pool, onIdleError);
  return pool;
}

/**
 * A client dropped by the server (restart, failover, pg_terminate_backend) emits 'error'. The pool
 * listens while a client is idle, and replaces it; but a client checked out and between two
 * queries (inside a transaction, a cursor read, a session lock) has no listener then, and the
 * error would end the process (found by test/faults/postgres-restart.test.ts). Every client gets
 * a listener of its own for its whole life: its next query fails instead, as a normal error.
 */
function guardClients(pool: pg.Pool, onError?: (err: Error) => void): void {
  pool.on('error', (err) => onError?.(err));
  pool.on('connect', (client) => client.on('error', (err) => onError?.(err)));
}

/**
 * A small pool whose connections are opened now and kept open (never closed for idleness): the
 * /metrics read side. When another client takes every free connection of the server, a new
 * connection is refused, but these are already held, so /metrics keeps its per-tenant series
 * (issue #15). A connection the server drops is replaced on the next query, as in any pool.
 */
export async function createReservedPool(
  url: string,
  size: number,
  applicationName: string,
  onIdleError?: (err: Error) => void,
): Promise<Pool> {
  const pool = new pg.Pool({
    connectionString: url,
    max: size,
    application_name: applicationName,
    idleTimeoutMillis: 0,
    options: '-c jit=off',
  });
  guardClients(pool, onIdleError);
  try {
    const clients = await Promise.all(Array.from({ length: size }, () => pool.connect()));
    clients.forEach((c) => c.release());
  } catch (err) {
    await pool.end();
    throw err;
  }
  return pool;
}

/**
 * Runs reads at once on a pool (each takes a connection of its own), one after another on a
 * client: a client runs one query at a time, and pg deprecates queueing several on it (and will
 * refuse it in pg 9). Loaders that take a Queryable read through this instead of Promise.all.
 */
export async function readAll<T extends readonly unknown[]>(
  db: Queryable,
  reads: readonly [...{ [K in keyof T]: () => Promise<T[K]> }],
): Promise<T> {
  if (db instanceof pg.Pool) return (await Promise.all(reads.map((read) => read()))) as unknown as T;
  const out: unknown[] = [];
  for (const read of reads) out.push(await read());
  return out as unknown as T;
}

/** PostgreSQL gave up one of the transactions (deadlock, serialization failure): run it again. */
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 3;

/**
 * Runs `work` in one transaction on one client, which it must pass to every call.
 * No network I/O belongs inside: gather first, then write. Because of that, a transaction that
 * PostgreSQL aborted as a deadlock victim is simply run again (up to 3 times), as its manual
 * recommends; concurrent workers, DDL creating partitions and fleet syncs can meet that way.
 */
export async function withTransaction<T>(pool: Pool, work: (client: Client) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      const code = (err as { code?: string }).code;
      if (attempt >= ATTEMPTS || code === undefined || !RETRYABLE.has(code)) throw err;
    } finally {
      client.release();
    }
    await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.floor(Math.random() * 30)));
  }
}

// Left as text: no array, number or Date parsing by pg. Callers that scan int4[] text themselves
// avoid building a JavaScript value per element (a month is 44,640 minutes).
const raw = (v: string) => v;

let cursors = 0;

/**
 * The rows of `sql` as in queryTextRows, `batch` rows at a time through a cursor: one statement
 * (one scan) whose result JavaScript holds a batch of at a time. On a pool it takes a client of
 * its own for a transaction; on a client (perhaps inside a transaction) the cursor is WITH HOLD
 * and closed when the iteration ends, however it ends.
 */
export async function* cursorTextRows(
  db: Queryable,
  sql: string,
  values: unknown[],
  batch: number,
): AsyncGenerator<[string, ...(string | null)[]][]> {
  const name = `tenantscope_cursor_${++cursors}`;
  const pinned = db instanceof pg.Pool ? await db.connect() : undefined;
  const client: Queryable = pinned ?? db;
  let open = false;
  try {
    if (pinned) await pinned.query('BEGIN');
    await client.query(`DECLARE ${name} NO SCROLL CURSOR ${pinned ? '' : 'WITH HOLD '}FOR ${sql}`, values);
    open = true;
    for (;;) {
      const rows = await queryTextRows(client, `FETCH ${batch} FROM ${name}`, []);
      if (rows.length === 0) break;
      yield rows;
      if (rows.length < batch) break;
    }
  } finally {
    if (pinned) {
      await pinned.query(open ? 'COMMIT' : 'ROLLBACK').catch(() => undefined);
      pinned.release();
    } else if (open) await client.query(`CLOSE ${name}`).catch(() => undefined);
  }
}

/** Every row of `sql` as an array of PostgreSQL text values (or null), the first column a key. */
export async function queryTextRows(db: Queryable, sql: string, values: unknown[]): Promise<[string, ...(string | null)[]][]> {
  const result = await db.query({ text: sql, values, rowMode: 'array', types: { getTypeParser: () => raw } } as never);
  return (result as unknown as { rows: [string, ...(string | null)[]][] }).rows;
}
