/**
 * The contract between attribution (what each tenant used of each shared resource, per minute)
 * and the noisy-neighbour detector (docs/noisy-neighbours.md). The detector is pure and
 * runs in event time: the same code serves live data and the evaluation's replays.
 */

// The shared resources are named by the fleet file's thresholds (config), so they live there.
import type { Resource } from '../config/noisy-thresholds';
export { RESOURCES, type Resource } from '../config/noisy-thresholds';

/** What one tenant showed in one minute. A missing field means the source said nothing. */
export interface TenantMinute {
  /** Usage per resource in base units over the minute (seconds, blocks, connections, requests ...). */
  usage: Partial<Record<Resource, number>>;
  /** Victim SLIs: requests served, mean (or p95) wall seconds per request, server error ratio. */
  requests?: number;
  latencySeconds?: number;
  errorRatio?: number;
}

/** One cluster-minute of input. `minute` is the UTC minute start in ms. */
export interface ClusterMinute {
  cluster: string;
  minute: number;
  /**
   * Saturation of each resource this minute, as a utilisation ratio 0..1 (busy workers / workers,
   * CPU-active sessions / vCPU, connections / max_connections, ...). Absent: unknown, gate closed.
   */
  saturation: Partial<Record<Resource, number>>;
  tenants: Record<string, TenantMinute>;
}

export type Role = 'antagonist' | 'victim';

/** An incident as the detector reports it. Times are UTC ms. */
export interface NoisyIncident {
  id: string;
  cluster: string;
  resource: Resource;
  /** 'neighbour' names antagonists; 'capacity' has victims and no antagonist. */
  kind: 'neighbour' | 'capacity';
  start: number;
  /** When it reached the confirmed state. */
  confirmedAt: number | null;
  /** Null while open. */
  end: number | null;
  antagonists: { tenant: string; blame: number; peakShare: number }[];
  victims: string[];
  peakShare: number;
  score: number;
  /** Per minute: the antagonists' shares and the victims' z-scores, for the evidence view. */
  evidence: { minute: number; shares: Record<string, number>; victimZ: Record<string, number> }[];
}

/** What one step of the detector tells: incidents opened, changed or closed this minute. */
export interface DetectorStep {
  minute: number;
  open: NoisyIncident[];
  closed: NoisyIncident[];
}
