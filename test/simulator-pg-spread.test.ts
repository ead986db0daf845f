import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../services/core/logger';
import { startLiveSimulator } from '../simulator/index';
import { spreadDelays } from '../simulator/pg-load';
import { freePorts } from './helpers/processes';
import { testFleet } from './helpers/test-fleet';

/**
 * pg_cpu read 0 for every tenant in the demo: the simulator started all of a second's queries at
 * one moment (the tick after the second's end) and the collector samples pg_stat_activity at a
 * fixed moment of each second, so it never saw one running. The queries now start spread over
 * the second and last a few ms of CPU: a sampler at any fixed moment sees its share.
 */
const POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const run = randomBytes(4).toString('hex');
const names = { alpha: `h1demo_pg_${run}_alpha`, bravo: `h1demo_pg_${run}_bravo`, charlie: `h1demo_pg_${run}_charlie` };

afterAll(async () => {
  const admin = new pg.Client({ connectionString: POSTGRES });
  await admin.connect();
  for (const db of Object.values(names)) await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  await admin.end();
});

describe('spreadDelays', () => {
  it('gives every quarter of the period its share, and carries the phase on', () => {
    let phase = 0;
    const all: number[] = [];
    for (let call = 0; call < 50; call++) {
      const next = spreadDelays(2, 1_000, phase);
      expect(next.delays).toHaveLength(2);
      phase = next.phase;
      all.push(...next.delays);
    }
    expect(all.every((d) => d >= 0 && d < 1_000)).toBe(true);
    for (let q = 0; q < 4; q++) expect(all.filter((d) => Math.floor(d / 250) === q).length).toBeGreaterThanOrEqual(20);
    expect(spreadDelays(0, 1_000, 0.3)).toEqual({ delays: [], phase: 0.3 });
  });
});

describe('the simulator’s PostgreSQL load', () => {
  it('starts its queries all over the second, so a sampler at a fixed moment of the second sees them running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'h1demo-pgspread-'));
    const [ingressPort, traefikPort] = (await freePorts(2)) as [number, number];
    const fleet = testFleet(dir, { ingressPort, traefikPort, postgresUrl: POSTGRES, databases: names, oneCluster: true });
    const sim = await startLiveSimulator({ fleet, logger: silentLogger, scenario: 'normal', load: { redis: false } });
    const client = new pg.Client({ connectionString: POSTGRES });
    await client.connect();
    // Every query start (pid, query_start), polled often: idle backends keep their last query's start.
    const starts = new Map<string, number>();
    // What a once-a-second sampler sees, for each of ten fixed moments of the second.
    const activeAt = new Array<number>(10).fill(0);
    try {
      const until = Date.now() + 12_000;
      while (Date.now() < until) {
        const { rows } = await client.query<{ pid: number; started: string; active: boolean; now: string }>(
          `SELECT pid, extract(epoch FROM query_start)::float8 AS started, state = 'active' AND wait_event IS NULL AS active,
                  extract(epoch FROM clock_timestamp())::float8 AS now
           FROM pg_stat_activity WHERE datname = ANY($1::text[]) AND query_start IS NOT NULL AND query LIKE '%tenantscope_sim_orders%'`,
          [Object.values(names)],
        );
        for (const r of rows) starts.set(`${r.pid}/${r.started}`, Number(r.started));
        const moment = rows[0] ? Math.floor((Number(rows[0].now) % 1) * 10) : -1;
        if (rows.some((r) => r.active)) activeAt[moment] = (activeAt[moment] ?? 0) + 1;
        await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      await client.end();
      await sim.stop();
    }
    const phases = [...starts.values()].map((s) => s % 1);
    // four queries a second at most, fewer on a loaded machine: enough starts to see their spread
    expect(phases.length).toBeGreaterThanOrEqual(20);
    // Before: every start fell in the quarter of the tick after the second's end.
    const quarters = [0, 1, 2, 3].map((q) => phases.filter((p) => Math.floor(p * 4) === q).length);
    for (const n of quarters)
      expect(n, `starts per quarter of the second: ${quarters.join(', ')}`).toBeGreaterThanOrEqual(phases.length * 0.1);
    // Running queries were seen at several fixed moments of the second, not at one alone (a query
    // lasts a few ms: how many moments catch one depends on the machine, so more than a quarter's).
    expect(
      activeAt.filter((n) => n > 0).length,
      `samples with a running query by tenth of the second: ${activeAt.join(', ')}`,
    ).toBeGreaterThanOrEqual(4);
  }, 60_000);
});
