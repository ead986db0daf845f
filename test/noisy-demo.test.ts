import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../services/core/clock';
import { CollectorRunner } from '../collectors/runner';
import { listTargets } from '../collectors/targets';
import { buildFleet, exampleFleetSpec } from './helpers/fleet-builder';
import type { Fleet } from '../services/config/fleet-types';
import { silentLogger } from '../services/core/logger';
import { createMetricsRegistry } from '../services/metrics/registry';
import { detectorFactory } from '../services/noisy/detector-port';
import { runNoisyDetection } from '../services/noisy/live-run';
import { runBatchSimulation, type ScenarioName } from '../simulator';
import { planScenario } from '../simulator/scenarios';
import { PartitionKeeper } from '../services/storage/partitions';
import { migratedDatabase } from './helpers/service';

/**
 * The live path of the demo, in batch mode: the demo fleet with `simulate --history`'s
 * 90 minutes before the live start, the scenario 120 s after it (the live default), the Odoo logs
 * read by the real collector, the noisy job run once a minute on a manual clock, and /metrics read
 * after each run as Prometheus would scrape it. The real detector, with its default thresholds.
 */
const MIN = 60_000;
const HISTORY_MINUTES = 90;
// A Tuesday, 08:30 UTC: office hours in Berlin, early morning in New York.
const LIVE_START = Date.parse('2026-03-03T08:30:00Z');
const FROM = LIVE_START - HISTORY_MINUTES * MIN;
const SCENARIO_START = LIVE_START + 120_000;

interface Played {
  /** Per minute after the live start, the antagonists and victims /metrics named. */
  named: { minute: number; antagonists: string[]; victims: string[] }[];
  noisyTenant: string | undefined;
}

async function play(scenario: ScenarioName, liveMinutes: number): Promise<Played> {
  const dir = mkdtempSync(join(tmpdir(), `noisy-demo-${scenario}-`));
  // The demo fleet as it is, minus the live servers a batch run has no use for.
  const spec = exampleFleetSpec(dir);
  for (const cluster of Object.values(spec.clusters)) {
    delete cluster.postgres;
    delete cluster.redis;
    delete cluster.traefik;
  }
  const fleet: Fleet = buildFleet(spec, { source: 'demo-fleet.yaml', baseDir: dir });
  const options = { scenario, seed: 1, scenarioStartSeconds: HISTORY_MINUTES * 60 + 120 };
  // One log file per cluster, as `simulate --history` writes it: a collector starting reads it whole.
  await runBatchSimulation({
    fleet,
    ...options,
    from: new Date(FROM).toISOString(),
    minutes: HISTORY_MINUTES + liveMinutes,
    outDir: join(dir, 'out'),
    rotateBytes: 256 * 1024 * 1024,
  });
  const plan = planScenario(fleet, options, FROM);
  const db = await migratedDatabase(fleet);
  try {
    const clock = new ManualClock(LIVE_START + (HISTORY_MINUTES + liveMinutes) * MIN);
    const runner = new CollectorRunner({
      pool: db.pool,
      partitions: new PartitionKeeper(db.pool),
      fleet,
      clock,
      log: silentLogger,
      timeoutSeconds: 60,
    });
    const logs = listTargets(fleet).filter((t) => t.collector === 'odoo-log');
    expect(logs).toHaveLength(2);
    // Read everything now; the noisy job below only ever looks at minutes its clock has closed.
    for (let round = 0; round < 3; round++) {
      for (const t of logs) await runner.run({ collector: t.collector, target: t.target, scheduledAt: new Date(clock.now() + round) });
    }
    await runner.close();
    const rows = await db.pool.query('SELECT count(*)::int AS n FROM tenant_minute WHERE minute < $1', [new Date(LIVE_START)]);
    expect(rows.rows[0].n).toBeGreaterThan(12 * (HISTORY_MINUTES - 5));

    const named: Played['named'] = [];
    for (let minute = 0; minute <= liveMinutes; minute++) {
      clock.set(LIVE_START + minute * MIN);
      await runNoisyDetection({
        pool: db.pool,
        fleet,
        clock,
        partitions: new PartitionKeeper(db.pool),
        detector: detectorFactory(fleet.noisy),
      });
      const text = await createMetricsRegistry(db.pool, { version: 'test', revision: 'test' }, silentLogger, clock).metrics();
      const role = (r: string): string[] =>
        [...text.matchAll(new RegExp(`^tenantscope_noisy_neighbour_active\\{([^}]*role="${r}"[^}]*)\\} 1$`, 'gm'))].map(
          (m) => /tenant="([^"]+)"/.exec(m[1] as string)?.[1] as string,
        );
      named.push({ minute, antagonists: role('antagonist'), victims: role('victim') });
    }
    return { named, noisyTenant: plan.tenant?.id };
  } finally {
    await db.close();
  }
}

describe('the demo scenarios through the live path (batch mode)', () => {
  let noisy: Played;
  let normal: Played;
  beforeAll(async () => {
    noisy = await play('noisy-tenant', 20);
    normal = await play('normal', 30);
  }, 300_000);

  it('names the noisy tenant as antagonist in /metrics within 10 minutes of the scenario start', () => {
    expect(noisy.noisyTenant).toBeDefined();
    const first = noisy.named.find((n) => n.antagonists.includes(noisy.noisyTenant as string));
    expect(first, JSON.stringify(noisy.named)).toBeDefined();
    const minutesAfterStart = (LIVE_START + (first?.minute ?? 0) * MIN - SCENARIO_START) / MIN;
    expect(minutesAfterStart).toBeLessThanOrEqual(10);
    // Nobody else was blamed, before or during; its neighbours were its victims, never itself.
    expect(noisy.named.flatMap((n) => n.antagonists).filter((t) => t !== noisy.noisyTenant)).toEqual([]);
    expect(first?.victims.length).toBeGreaterThan(0);
    expect(noisy.named.flatMap((n) => n.victims)).not.toContain(noisy.noisyTenant);
  });

  it('names nobody in the normal scenario over 30 minutes', () => {
    expect(normal.named).toHaveLength(31);
    expect(normal.named.flatMap((n) => n.antagonists)).toEqual([]);
  });
});
