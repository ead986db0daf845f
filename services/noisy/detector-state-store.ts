import type { Client, Queryable } from '../storage/db';
import { emptyObserved, type Observed } from './capacity';

/**
 * A cluster's noisy-neighbour run state (noisy_detector_state): the watermark up to which its
 * minutes were attributed, the detector's snapshot and the observed capacities.
 */
export interface DetectorState {
  watermark: number;
  detector: unknown;
  observed: Observed;
}

const WATERMARK = 'SELECT watermark FROM noisy_detector_state WHERE cluster_id = $1';
const STATE = 'SELECT watermark, detector, observed FROM noisy_detector_state WHERE cluster_id = $1';
const SAVE_STATE = `INSERT INTO noisy_detector_state (cluster_id, watermark, detector, observed, updated_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (cluster_id) DO UPDATE SET watermark = EXCLUDED.watermark, detector = EXCLUDED.detector, observed = EXCLUDED.observed, updated_at = EXCLUDED.updated_at`;

/** The cluster's watermark (ms), undefined before its first run. */
export async function readWatermark(db: Queryable, cluster: string): Promise<number | undefined> {
  const { rows } = await db.query(WATERMARK, [cluster]);
  return (rows[0]?.watermark as Date | undefined)?.getTime();
}

/** The cluster's stored state, undefined before its first run. */
export async function loadDetectorState(client: Client, cluster: string): Promise<DetectorState | undefined> {
  const { rows } = await client.query(STATE, [cluster]);
  const r = rows[0];
  if (!r) return undefined;
  return { watermark: r.watermark.getTime(), detector: r.detector, observed: { ...emptyObserved(), ...r.observed } };
}

/** Stores the cluster's state after a run, inside the run's transaction. */
export async function saveDetectorState(client: Client, cluster: string, state: DetectorState, now: Date): Promise<void> {
  await client.query(SAVE_STATE, [cluster, new Date(state.watermark), JSON.stringify(state.detector), JSON.stringify(state.observed), now]);
}
