import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, withTransaction, type Pool } from '../services/storage/db';
import { createTestDatabase, type TestDatabase } from './helpers/database';

let db: TestDatabase;
let pool: Pool;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, 4);
  await pool.query('CREATE TABLE pair (id int PRIMARY KEY, n int NOT NULL)');
  await pool.query('INSERT INTO pair VALUES (1, 0), (2, 0)');
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

describe('withTransaction', () => {
  it('runs a deadlock victim again, so both transactions land once', async () => {
    let attempts = 0;
    let arrived = 0;
    const bothHoldTheirFirstRow = async () => {
      arrived += 1;
      while (arrived < 2) await new Promise((r) => setTimeout(r, 5));
    };
    const cross = (first: number, second: number) =>
      withTransaction(pool, async (client) => {
        attempts += 1;
        await client.query('UPDATE pair SET n = n + 1 WHERE id = $1', [first]);
        await bothHoldTheirFirstRow();
        await client.query('UPDATE pair SET n = n + 1 WHERE id = $1', [second]);
      });
    await Promise.all([cross(1, 2), cross(2, 1)]);
    expect(attempts).toBe(3); // one of the two was PostgreSQL's deadlock victim and ran again
    const { rows } = await pool.query('SELECT id, n FROM pair ORDER BY id');
    expect(rows).toEqual([
      { id: 1, n: 2 },
      { id: 2, n: 2 },
    ]);
  });

  it('does not retry other errors', async () => {
    let attempts = 0;
    await expect(
      withTransaction(pool, async (client) => {
        attempts += 1;
        await client.query('INSERT INTO pair VALUES (1, 0)');
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(attempts).toBe(1);
  });
});
