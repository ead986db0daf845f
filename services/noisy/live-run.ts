import type { Clock } from '../core/clock';
import type { Cluster, Fleet } from '../config/fleet-types';
import { withTransaction, type Pool } from '../storage/db';
import type { PartitionKeeper } from '../storage/partitions';
import { attributeMinute, serverSaturation, toClusterMinute } from './attribution';
import { loadClusterWindow, recordStorage, writeAttribution, type ClusterWindow } from './attribution-store';
import { capacityOf, emptyObserved, observe } from './capacity';
import { loadDetectorState, readWatermark, saveDetectorState } from './detector-state-store';
import type { DetectorFactory } from './detector-port';
import type { NoisyIncident } from './detector-types';
import { saveIncidents } from './incident-store';
import { backlogLimit } from '../../collectors/lib/log-backlog';
import { LOCK, lockKeyForTransaction } from '../storage/locks';

/**
 * The live noisy-neighbour run (docs/noisy-neighbours.md), in event time: per cluster, the minutes closed
 * since the last run are attributed, stepped through the detector, and stored with the
 * detector's snapshot, the incidents and the new watermark in one transaction under an advisory
 * lock per cluster. A second worker running at the same time waits for the lock, then finds the
 * watermark moved and does nothing twice.
 */

/** A minute is closed this long after its end: rollups of late log lines and scrapes land first. */
export const ALLOWED_LATENESS_MS = 2 * 60_000;
/** A cluster seen for the first time starts this far back, so baselines have something to learn from. */
export const FIRST_RUN_LOOKBACK_MS = 6 * 3_600_000;
/** At most this many minutes per cluster and run: a long outage of the job catches up in steps. */
export const MAX_MINUTES_PER_RUN = 360;
const MINUTE = 60_000;

export interface LiveDeps {
  pool: Pool;
  fleet: Fleet;
  clock: Clock;
  partitions: PartitionKeeper;
  detector: DetectorFactory;
}

export interface ClusterRun {
  cluster: string;
  minutes: number;
  incidents: NoisyIncident[];
}

/** Runs `clusters` (all of the fleet's by default) one after the other; each has its own lock and watermark. */
export async function runNoisyDetection(
  deps: LiveDeps,
  clusters: readonly Cluster[] = Object.values(deps.fleet.clusters),
): Promise<ClusterRun[]> {
  const out: ClusterRun[] = [];
  for (const cluster of clusters) out.push(await runCluster(deps, cluster));
  return out;
}

async function runCluster(deps: LiveDeps, cluster: Cluster): Promise<ClusterRun> {
  const closedUntil = Math.floor((deps.clock.now() - ALLOWED_LATENESS_MS) / MINUTE) * MINUTE;
  // Partitions are made in their own short transaction (PartitionKeeper), before the locked one;
  // the unlocked read of the watermark only decides which months to make sure of.
  const start = (await readWatermark(deps.pool, cluster.id)) ?? closedUntil - FIRST_RUN_LOOKBACK_MS;
  const months = [start, Math.min(closedUntil, start + MAX_MINUTES_PER_RUN * MINUTE), closedUntil];
  await deps.partitions.ensure('tenant_resource_minute', months);
  await deps.partitions.ensure('cluster_resource_minute', months);
  return withTransaction(deps.pool, async (client) => {
    await lockKeyForTransaction(client, LOCK.noisy, cluster.id);
    const state = await loadDetectorState(client, cluster.id);
    const from = state?.watermark ?? closedUntil - FIRST_RUN_LOOKBACK_MS;
    const until = await backlogLimit(client, cluster, from, Math.min(closedUntil, from + MAX_MINUTES_PER_RUN * MINUTE), deps.clock.now());
    if (until <= from) return { cluster: cluster.id, minutes: 0, incidents: [] };
    const window = await loadClusterWindow(client, cluster.id, from, until);
    // A first run waits for the Odoo log's first read: its backlog is the history the baselines
    // learn from, and a watermark moved past it would never look back (the collectors of a
    // starting service race each other, and the log is the slowest to arrive).
    if (!state && cluster.odoo?.logFiles.length && !hasOdooRows(window)) return { cluster: cluster.id, minutes: 0, incidents: [] };
    const detector = deps.detector(cluster.id, state?.detector ?? null);
    let observed = state?.observed ?? emptyObserved();
    const changed = new Map<string, NoisyIncident>();
    for (let m = from; m < until; m += MINUTE) {
      const tenants = window.tenants.get(m) ?? new Map();
      const sources = window.cluster.get(m) ?? {};
      const attribution = attributeMinute(m, tenants, capacityOf(cluster, sources, observed));
      observed = observe(observed, attribution.totals.odoo_workers?.usage);
      await writeAttribution(client, cluster.id, attribution);
      const step = detector.step(toClusterMinute(cluster.id, attribution, tenants, serverSaturation(sources, attribution)));
      for (const i of [...step.open, ...step.closed]) changed.set(i.id, i);
    }
    const incidents = [...changed.values()];
    await saveIncidents(client, incidents, new Date(deps.clock.now()));
    await recordStorage(client, cluster.id);
    await saveDetectorState(client, cluster.id, { watermark: until, detector: detector.snapshot(), observed }, new Date(deps.clock.now()));
    return { cluster: cluster.id, minutes: (until - from) / MINUTE, incidents };
  });
}

function hasOdooRows(window: ClusterWindow): boolean {
  for (const tenants of window.tenants.values()) for (const t of tenants.values()) if (t.odoo) return true;
  return false;
}
