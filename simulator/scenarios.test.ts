import { describe, expect, it } from 'vitest';
import { ConfigError } from '../services/core/errors';
import { Rng, mulberry32 } from './random';
import { NO_EFFECTS, SCENARIOS, effectsAt, planScenario } from './scenarios';
import { testFleet } from '../test/helpers/test-fleet';

const fleet = testFleet('/tmp/tssim-scenarios');
const T0 = Date.UTC(2026, 2, 1);

describe('scenario plans', () => {
  it('defaults to 120 s after start for 15 minutes, on a tenant fixed by the seed', () => {
    const plan = planScenario(fleet, { scenario: 'tenant-outage', seed: 5 }, T0);
    expect([plan.startMs - T0, plan.endMs - plan.startMs]).toEqual([120_000, 900_000]);
    expect(planScenario(fleet, { scenario: 'tenant-outage', seed: 5 }, T0 + 1).tenant).toBe(plan.tenant);
    expect(planScenario(fleet, { scenario: 'normal', scenarioTenant: 'alpha' }, T0).tenant).toBeUndefined();
    expect(SCENARIOS).toEqual(['normal', 'tenant-outage', 'noisy-tenant', 'connection-storm', 'failed-backup']);
  });

  it('picks a noisy tenant that has neighbours to hurt', () => {
    // Without echo, delta is alone on c2.
    const lonely = { ...fleet, tenants: fleet.tenants.filter((t) => t.id !== 'echo') };
    const picked = new Set(
      Array.from({ length: 30 }, (_, seed) => planScenario(lonely, { scenario: 'noisy-tenant', seed }, T0).tenant!.id),
    );
    expect(picked.has('delta')).toBe(false);
    expect(picked.size).toBeGreaterThan(1);
  });

  it('applies effects to the scenario tenant inside the window only', () => {
    const plan = planScenario(
      fleet,
      { scenario: 'noisy-tenant', scenarioTenant: 'bravo', scenarioStartSeconds: 60, scenarioMinutes: 1 },
      T0,
    );
    expect(effectsAt(plan, 'bravo', T0 + 59_999)).toBe(NO_EFFECTS);
    expect(effectsAt(plan, 'bravo', T0 + 60_000).heavyRate).toBeGreaterThan(0);
    expect(effectsAt(plan, 'alpha', T0 + 60_000)).toBe(NO_EFFECTS);
    expect(effectsAt(plan, 'bravo', T0 + 120_000)).toBe(NO_EFFECTS);
  });

  it('refuses unknown tenants and nonsense windows, naming the option', () => {
    expect(() => planScenario(fleet, { scenario: 'tenant-outage', scenarioTenant: 'zulu' }, T0)).toThrow(ConfigError);
    expect(() => planScenario(fleet, { scenario: 'tenant-outage', scenarioMinutes: 0 }, T0)).toThrow(
      /scenarioMinutes: expected a number > 0/,
    );
    expect(() => planScenario(fleet, { scenario: 'meteor' as never }, T0)).toThrow(/scenario: expected one of normal, /);
  });
});

describe('seeded randomness', () => {
  it('repeats exactly for a seed and has the right means', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
    const rng = new Rng(7);
    const n = 20_000;
    const mean = Array.from({ length: n }, () => rng.poisson(2.5)).reduce((s, x) => s + x, 0) / n;
    expect(mean).toBeGreaterThan(2.4);
    expect(mean).toBeLessThan(2.6);
  });
});
