import { NoisyNeighbourDetector } from './detector';
import { DEFAULT_DETECTOR_CONFIG, type DetectorConfig } from '../config/noisy-thresholds';
import type { ClusterMinute, DetectorStep } from './detector-types';

/**
 * What the live job needs of the detector (services/noisy/detector.ts, written beside this):
 * step in event time, and a snapshot as plain JSON that a new instance restores. The job takes
 * a factory, so tests and the evaluation can pass any implementation of the same contract.
 */
export interface Detector {
  step(input: ClusterMinute): DetectorStep;
  snapshot(): unknown;
}

/** Makes a detector for a cluster, restored from a stored snapshot when there is one. */
export type DetectorFactory = (cluster: string, state: unknown | null) => Detector;

/** The real detector (docs/noisy-neighbours.md) with these thresholds (the fleet's `noisy:`), restored from its snapshot. */
export function detectorFactory(config: DetectorConfig): DetectorFactory {
  return (_cluster, state) => new NoisyNeighbourDetector(config, state ?? undefined);
}

/** The real detector with the default thresholds (services/config/noisy-thresholds.ts). */
export const defaultDetectorFactory: DetectorFactory = detectorFactory(DEFAULT_DETECTOR_CONFIG);
