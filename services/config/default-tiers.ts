import type { TierInput } from './fleet-schema';

/** The example tiers (docs/sla.md), used when a fleet file declares no `tiers`. */
export const DEFAULT_TIERS: Readonly<Record<string, TierInput>> = {
  standard: {
    target: 99.5,
    credits: [
      { below: 99.5, percent: 10 },
      { below: 99.0, percent: 25 },
      { below: 95.0, percent: 50 },
    ],
    rpo: '24h',
    rto: '8h',
  },
  business: {
    target: 99.9,
    credits: [
      { below: 99.9, percent: 10 },
      { below: 99.0, percent: 25 },
      { below: 95.0, percent: 100 },
    ],
    rpo: '1h',
    rto: '4h',
  },
  mission: {
    target: 99.95,
    credits: [
      { below: 99.95, percent: 10 },
      { below: 99.5, percent: 25 },
      { below: 99.0, percent: 50 },
      { below: 95.0, percent: 100 },
    ],
    rpo: '15m',
    rto: '1h',
  },
};
