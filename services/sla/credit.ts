import type { Tier } from '../config/fleet-types';
import { ratioAtLeastPercent } from './exact';

/**
 * The credit percentage for `good` of `measured` minutes: the largest percentage of the schedule
 * whose threshold the availability is below (compared exactly), capped by the tier's cap.
 * A month without a measured minute earns none here: there is no availability to compare, and
 * the report says "not measurable" so a person decides (see docs/sla.md).
 */
export function creditPercentFor(good: number, measured: number, tier: Tier): number {
  if (measured === 0) return 0;
  let percent = 0;
  for (const step of tier.credits) {
    if (!ratioAtLeastPercent(good, measured, step.belowPercent)) percent = Math.max(percent, step.percent);
  }
  return Math.min(percent, tier.creditCapPercent);
}
