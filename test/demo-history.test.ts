import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyToPlay } from '../services/cli/demo-command';
import { testFleet } from './helpers/fleets';
import { migratedDatabase, type MigratedDatabase } from './helpers/service';

const fleet = testFleet({ logFile: '/var/demo/c1/odoo.log' });
const NOW = Date.parse('2026-05-04T10:00:30Z');
let db: MigratedDatabase;

beforeAll(async () => {
  db = await migratedDatabase(fleet);
  await db.pool.query('SELECT tenantscope_ensure_month_partition($1, $2)', ['tenant_minute', new Date(NOW)]);
}, 60_000);
afterAll(() => db?.close());

const checkpoints = async (): Promise<number> => (await db.pool.query('SELECT count(*)::int AS n FROM ingest_checkpoint')).rows[0].n;
const saveCheckpoint = () =>
  db.pool.query(
    "INSERT INTO ingest_checkpoint VALUES ('odoo-log', '/var/demo/c1/odoo.log', '1:2', 100, now(), false) ON CONFLICT DO NOTHING",
  );
const odooMinute = (ms: number) =>
  db.pool.query('INSERT INTO tenant_minute (tenant_id, minute, odoo_requests_2xx) VALUES ($1, $2, 10) ON CONFLICT DO NOTHING', [
    't1',
    new Date(ms),
  ]);

describe('the demo history', () => {
  it('plays 90 minutes into an empty database, only the gap after an earlier run, none right after one', async () => {
    expect(await historyToPlay(db.pool, fleet, NOW)).toBe(90);

    // An earlier run left Odoo minutes up to 09:30 and a checkpoint of its log.
    await odooMinute(Date.parse('2026-05-04T09:30:00Z'));
    await saveCheckpoint();
    expect(await historyToPlay(db.pool, fleet, NOW)).toBe(29);
    expect(await checkpoints()).toBe(0); // the log starts afresh: its old checkpoint is forgotten

    // Restarted at once: nothing to replay, the log and its checkpoint carry on.
    await odooMinute(Date.parse('2026-05-04T09:59:00Z'));
    await saveCheckpoint();
    expect(await historyToPlay(db.pool, fleet, NOW)).toBe(0);
    expect(await checkpoints()).toBe(1);
  });
});
