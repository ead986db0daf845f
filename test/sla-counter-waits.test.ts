import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectorRunner } from '../collectors/runner';
import { ManualClock } from '../services/core/clock';
import { silentLogger } from '../services/core/logger';
import { countClosedMinutes, readMinuteCounts } from '../services/sla/store/minute-counter';
import { PartitionKeeper } from '../services/storage/partitions';
import { testFleet } from './helpers/fleets';
import { slaDatabase, type SlaDb } from './sla-fixture';

// The SLI counter classifies each minute once and never looks back. A tenant seen for the first
// time must not be counted before its cluster's Odoo log was read: the log's history (a demo's 90
// minutes, a shipper's backlog) would be counted as minutes without data, and /metrics would say
// for the rest of the month what the report no longer says.
const dir = mkdtempSync(join(tmpdir(), 'sla-waits-'));
const logFile = join(dir, 'odoo.log');
const fleet = testFleet({ logFile });
const clock = new ManualClock(Date.parse('2026-03-01T01:05:00Z'));
let s: SlaDb;

// 20 requests of db_t1 in each minute from 00:00 to 00:59 local Berlin (23:00-23:59 UTC, 2026-02-28): all good
function history(): string {
  const lines: string[] = [];
  for (let minute = 0; minute < 60; minute++)
    for (let i = 0; i < 20; i++)
      lines.push(
        `2026-03-01 00:${String(minute).padStart(2, '0')}:${String(i).padStart(2, '0')},000 4242 INFO db_t1 werkzeug: 10.0.0.1 - - [01/Mar/2026 00:00:00] "POST /web/dataset/call_kw HTTP/1.1" 200 - 3 0.010 0.020`,
      );
  return `${lines.join('\n')}\n`;
}

beforeAll(async () => {
  writeFileSync(logFile, history());
  s = await slaDatabase(fleet, ['2026-02', '2026-03']);
}, 60_000);
afterAll(() => s?.close());

const count = () => countClosedMinutes({ pool: s.pool, fleet, clock, partitions: new PartitionKeeper(s.pool) });

describe('the SLI minute counter and the Odoo log', () => {
  it("waits for the cluster's log to be read once, then counts its history as measured", async () => {
    expect([...(await count()).values()]).toEqual([0, 0, 0]);
    const runner = new CollectorRunner({
      pool: s.pool,
      partitions: new PartitionKeeper(s.pool),
      fleet,
      clock,
      log: silentLogger,
      timeoutSeconds: 10,
    });
    expect(await runner.run({ collector: 'odoo-log', target: logFile, scheduledAt: new Date(clock.now()) })).toMatchObject({
      records: 1200,
    });
    // closed until 01:00Z: 120 minutes of Berlin's March, the first 60 with 20 good requests each
    expect((await count()).get('t1')).toBe(120);
    const { months } = await readMinuteCounts(s.pool, [{ tenant: 't1', month: '2026-03' }]);
    expect(months.get('t1')).toEqual({ good: 60, bad: 0, nodata: 60, excluded: 0 });
  });
});
