/** The shared resources of a cluster (docs/noisy-neighbours.md). */
export const RESOURCES = ['odoo_workers', 'odoo_cron', 'pg_cpu', 'pg_io', 'pg_conn', 'pg_locks', 'redis', 'ingress'] as const;
export type Resource = (typeof RESOURCES)[number];

/**
 * Every threshold of the noisy-neighbour detector, with its defaults (docs/configuration.md
 * lists them, docs/noisy-neighbours.md says what they mean). The detector evaluates once per
 * 1-minute input, so every window here is in minutes (the correlation window is 10 minutes).
 */
export interface GateThresholds {
  /** The gate opens when the 5-minute mean saturation reaches this ratio ... */
  open: number;
  /** ... and closes when it falls below this one (hysteresis). */
  close: number;
}

export interface DetectorConfig {
  gates: Partial<Record<Resource, GateThresholds>>;
  /** Minutes averaged by the saturation gate. */
  gateWindowMinutes: number;

  victim: {
    /** Trailing baseline length in 1-minute points (24 h). */
    baselineMinutes: number;
    /**
     * Points a baseline needs before the tenant can be judged. A first run has no history, so
     * nobody is a victim (and nobody's share can rise) during its first hour of active minutes.
     */
    minBaselinePoints: number;
    /** Baseline median/MAD are recomputed this often, not every minute (cost, and stability). */
    baselineRefreshMinutes: number;
    /**
     * A minute joins the baseline only this long after it happened, and only if no incident
     * covered it by then: onset minutes arrive before the incident that explains them.
     */
    baselineLagMinutes: number;
    z: number;
    /** x ≥ ratio × baseline median. */
    ratio: number;
    /** Absolute latency floor: x − median ≥ this many seconds (50 ms). */
    minExcessSeconds: number;
    /** Error-ratio outlier: at least this much above the tenant's own median (2 % absolute). */
    minErrorExcess: number;
    /** Fewer failed requests than this in a minute never make an error outlier, whatever their ratio. */
    minErrorCount: number;
    /** MAD floor as a fraction of the median (0.05), applied on the log scale as ln(1.05). */
    madFloorFraction: number;
    /** Activity floor: requests per minute below which a tenant is not judged. */
    minRequests: number;
    persistenceK: number;
    persistenceN: number;
    /** Self-inflicted: own demand z at least this ... */
    selfDemandZ: number;
    /** ... while latency per request stays below this multiple of its baseline. */
    selfSlowIndex: number;
  };

  antagonist: {
    windowMinutes: number;
    shareRise: number;
    shareFactor: number;
    shareZ: number;
    dominanceMin: number;
    /** Dominance also needs share ≥ dominanceTenants / N_active. */
    dominanceTenants: number;
    corr: number;
    /** The victim z above which a minute counts for the suspect in the correlation vote. */
    corrVictimZ: number;
    /**
     * Precedence: the suspect's rise starts no later than this after the victims' onset. At
     * 1-minute resolution 1 means "the same or the next minute".
     */
    precedenceMinutes: number;
    /** Others are reported when their blame is at least this fraction of the top one. */
    blameFraction: number;
  };

  lifecycle: {
    suspectAfter: number;
    confirmAfter: number;
    /** Close when every victim has z below this ... */
    closeZ: number;
    /** ... for this many consecutive minutes. */
    closeQuietMinutes: number;
    /** Or when the suspect's share stays below baseline + half its excess this long. */
    closeShareMinutes: number;
    cooldownMinutes: number;
    cooldownOverrideCorr: number;
  };

  capacity: {
    minVictims: number;
    minVictimFraction: number;
  };
}

/** The defaults (docs/noisy-neighbours.md). Gates without a default stay closed (pg_locks, ingress). */
export const DEFAULT_DETECTOR_CONFIG: DetectorConfig = Object.freeze({
  gates: {
    pg_cpu: { open: 0.7, close: 0.6 },
    pg_io: { open: 0.8, close: 0.7 },
    odoo_workers: { open: 0.8, close: 0.7 },
    odoo_cron: { open: 0.8, close: 0.7 },
    pg_conn: { open: 0.8, close: 0.7 },
    redis: { open: 0.7, close: 0.6 },
  },
  gateWindowMinutes: 5,
  victim: {
    baselineMinutes: 1440,
    minBaselinePoints: 60,
    baselineRefreshMinutes: 15,
    baselineLagMinutes: 10,
    z: 3.5,
    ratio: 1.5,
    minExcessSeconds: 0.05,
    minErrorExcess: 0.02,
    minErrorCount: 3,
    madFloorFraction: 0.05,
    minRequests: 20,
    persistenceK: 3,
    persistenceN: 5,
    selfDemandZ: 3.5,
    selfSlowIndex: 1.2,
  },
  antagonist: {
    windowMinutes: 10,
    shareRise: 0.15,
    shareFactor: 2,
    shareZ: 3.5,
    dominanceMin: 0.1,
    dominanceTenants: 3,
    corr: 0.35,
    corrVictimZ: 2.0,
    precedenceMinutes: 1,
    blameFraction: 0.5,
  },
  lifecycle: {
    suspectAfter: 3,
    confirmAfter: 5,
    closeZ: 2.0,
    closeQuietMinutes: 5,
    closeShareMinutes: 10,
    cooldownMinutes: 15,
    cooldownOverrideCorr: 0.5,
  },
  capacity: { minVictims: 3, minVictimFraction: 0.2 },
}) as DetectorConfig;

type DeepPartial<T> = { [K in keyof T]?: NonNullable<T[K]> extends object ? DeepPartial<NonNullable<T[K]>> : T[K] };
export type DetectorConfigOverrides = DeepPartial<DetectorConfig>;

/**
 * The defaults with some thresholds overridden, field by field: a gate given only `open` keeps
 * the default `close`. The result shares no object with DEFAULT_DETECTOR_CONFIG. A gate without
 * a default given one side only comes out incomplete (the fleet file refuses that).
 */
export function detectorConfig(overrides: DetectorConfigOverrides = {}): DetectorConfig {
  const base = DEFAULT_DETECTOR_CONFIG;
  const gates: DetectorConfig['gates'] = {};
  for (const r of new Set([...Object.keys(base.gates), ...Object.keys(overrides.gates ?? {})]) as Set<Resource>) {
    gates[r] = { ...base.gates[r], ...overrides.gates?.[r] } as GateThresholds;
  }
  return {
    gates,
    gateWindowMinutes: overrides.gateWindowMinutes ?? base.gateWindowMinutes,
    victim: { ...base.victim, ...overrides.victim },
    antagonist: { ...base.antagonist, ...overrides.antagonist },
    lifecycle: { ...base.lifecycle, ...overrides.lifecycle },
    capacity: { ...base.capacity, ...overrides.capacity },
  };
}
