import { ConfigError } from '../services/core/errors';
import type { Fleet, Tenant } from '../services/config/fleet-types';
import { hashString, mix } from './random';

export type ScenarioName = 'normal' | 'tenant-outage' | 'noisy-tenant' | 'connection-storm' | 'failed-backup';
export const SCENARIOS: readonly ScenarioName[] = Object.freeze([
  'normal',
  'tenant-outage',
  'noisy-tenant',
  'connection-storm',
  'failed-backup',
]);

export interface ScenarioOptions {
  scenario: ScenarioName;
  /** The tenant the scenario hits; default a choice fixed by the seed. */
  scenarioTenant?: string;
  seed?: number;
  /** Seconds after the simulation starts; default 120. */
  scenarioStartSeconds?: number;
  /** Default 15. */
  scenarioMinutes?: number;
}

export const DEFAULT_SEED = 1;
export const DEFAULT_SCENARIO_START_SECONDS = 120;
export const DEFAULT_SCENARIO_MINUTES = 15;
/** A connection storm never opens more than this many connections, so the simulator cannot exhaust a shared server. */
export const STORM_CONNECTIONS = 25;

/** A scenario resolved against a fleet and a start instant. */
export interface ScenarioPlan {
  readonly name: ScenarioName;
  readonly seed: number;
  /** Undefined for `normal`. */
  readonly tenant: Tenant | undefined;
  readonly startMs: number;
  readonly endMs: number;
}

/** What a scenario changes for one tenant at one instant; the identity for everyone else. */
export interface Effects {
  /** Multiplies the request rate. */
  readonly rateFactor: number;
  /** Multiplies queries per request. */
  readonly queryFactor: number;
  /** Multiplies seconds per query (heavy reports, missing index). */
  readonly perQueryFactor: number;
  /** Multiplies Python seconds per request. */
  readonly pythonFactor: number;
  /** Extra report requests per second (read_group over a year of journal items, PDF reports). */
  readonly heavyRate: number;
  /** Chance per request that it runs past limit_time_real and the master kills its worker. */
  readonly runawayProbability: number;
  /** The tenant's backend fails: probes get 502, requests fail. */
  readonly outage: boolean;
  /** Live mode runs CPU-heavy queries on the tenant's database. */
  readonly heavyQueries: boolean;
  /** Idle connections live mode holds open on the tenant's database. */
  readonly stormConnections: number;
  /** The tenant's dump jobs and its cluster's pgBackRest backups fail. */
  readonly backupsFailing: boolean;
}

export const NO_EFFECTS: Effects = Object.freeze({
  rateFactor: 1,
  queryFactor: 1,
  perQueryFactor: 1,
  pythonFactor: 1,
  heavyRate: 0,
  runawayProbability: 0,
  outage: false,
  heavyQueries: false,
  stormConnections: 0,
  backupsFailing: false,
});

/** Per scenario, what it does to its tenant while active. Sized so the signal is unmistakable. */
const ACTIVE_EFFECTS: Record<ScenarioName, Effects> = {
  normal: NO_EFFECTS,
  'tenant-outage': { ...NO_EFFECTS, outage: true },
  // Twice the interactive requests at 3x the SQL each, plus a stream of heavy reports: the
  // tenant's SQL seconds grow by well over 10x, enough to slow every neighbour on its cluster.
  'noisy-tenant': {
    ...NO_EFFECTS,
    rateFactor: 2,
    queryFactor: 1.5,
    perQueryFactor: 2,
    pythonFactor: 1.3,
    heavyRate: 1.5,
    runawayProbability: 0.002,
    heavyQueries: true,
  },
  'connection-storm': { ...NO_EFFECTS, stormConnections: STORM_CONNECTIONS },
  'failed-backup': { ...NO_EFFECTS, backupsFailing: true },
};

/** Validates the options and fixes tenant and window; throws ConfigError naming the bad option. */
export function planScenario(fleet: Fleet, options: ScenarioOptions, originMs: number): ScenarioPlan {
  const problems: string[] = [];
  if (!SCENARIOS.includes(options.scenario))
    problems.push(`scenario: expected one of ${SCENARIOS.join(', ')}, got ${JSON.stringify(options.scenario)}`);
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed)) problems.push(`seed: expected an integer, got ${seed}`);
  const startSeconds = options.scenarioStartSeconds ?? DEFAULT_SCENARIO_START_SECONDS;
  if (!(Number.isFinite(startSeconds) && startSeconds >= 0))
    problems.push(`scenarioStartSeconds: expected a number >= 0, got ${startSeconds}`);
  const minutes = options.scenarioMinutes ?? DEFAULT_SCENARIO_MINUTES;
  if (!(Number.isFinite(minutes) && minutes > 0)) problems.push(`scenarioMinutes: expected a number > 0, got ${minutes}`);
  let tenant: Tenant | undefined;
  if (options.scenarioTenant !== undefined) {
    tenant = fleet.tenants.find((t) => t.id === options.scenarioTenant);
    if (!tenant)
      problems.push(
        `scenarioTenant: expected a tenant of ${fleet.source} (${fleet.tenants.map((t) => t.id).join(', ')}), got ${JSON.stringify(options.scenarioTenant)}`,
      );
  }
  if (fleet.tenants.length === 0) problems.push(`fleet ${fleet.source}: expected at least one tenant to simulate`);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `simulator ${p}`));
  if (options.scenario === 'normal') tenant = undefined;
  else tenant ??= defaultTenant(fleet, options.scenario, seed);
  const startMs = originMs + Math.round(startSeconds * 1000);
  return { name: options.scenario, seed, tenant, startMs, endMs: startMs + Math.round(minutes * 60_000) };
}

/**
 * A choice fixed by the seed. A noisy tenant needs neighbours to hurt, so it is drawn from
 * tenants that share their cluster when any do.
 */
function defaultTenant(fleet: Fleet, scenario: ScenarioName, seed: number): Tenant {
  let candidates = fleet.tenants;
  if (scenario === 'noisy-tenant') {
    const shared = candidates.filter((t) => fleet.tenants.some((o) => o !== t && o.cluster === t.cluster));
    if (shared.length > 0) candidates = shared;
  }
  return candidates[mix(seed, hashString(scenario)) % candidates.length] as Tenant;
}

export function scenarioActive(plan: ScenarioPlan, ms: number): boolean {
  return plan.tenant !== undefined && ms >= plan.startMs && ms < plan.endMs;
}

/** The effects on `tenantId` at `ms`. */
export function effectsAt(plan: ScenarioPlan, tenantId: string, ms: number): Effects {
  if (plan.tenant?.id !== tenantId || !scenarioActive(plan, ms)) return NO_EFFECTS;
  return ACTIVE_EFFECTS[plan.name];
}
