import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_CONFIG } from './noisy-thresholds';
import { fleetProblems } from '../../test/helpers/fleets';
import { parseFleet } from './fleet';

const fleetWith = (noisy = '') => `clusters:
  eu1:
    timezone: Europe/Berlin
tenants: []
${noisy}
`;

const problems = fleetProblems;

describe('the noisy: key', () => {
  it('is optional: without it the fleet carries exactly the default thresholds', () => {
    const fleet = parseFleet(fleetWith(), 'fleet.yaml');
    expect(fleet.noisy).toEqual(DEFAULT_DETECTOR_CONFIG);
    expect(parseFleet(fleetWith('noisy: {}'), 'fleet.yaml').noisy).toEqual(DEFAULT_DETECTOR_CONFIG);
  });

  it('merges a partial override field by field over the defaults', () => {
    const fleet = parseFleet(fleetWith('noisy: {victim: {z: 4}, gates: {pg_cpu: {open: 0.75}}}'), 'fleet.yaml');
    expect(fleet.noisy).toEqual({
      ...DEFAULT_DETECTOR_CONFIG,
      gates: { ...DEFAULT_DETECTOR_CONFIG.gates, pg_cpu: { open: 0.75, close: 0.6 } },
      victim: { ...DEFAULT_DETECTOR_CONFIG.victim, z: 4 },
    });
    expect(Object.isFrozen(fleet.noisy.gates.pg_cpu)).toBe(true);
    // the defaults themselves are neither changed nor frozen deeper by the merge
    expect(DEFAULT_DETECTOR_CONFIG.gates.pg_cpu).toEqual({ open: 0.7, close: 0.6 });
    expect(DEFAULT_DETECTOR_CONFIG.victim.z).toBe(3.5);
  });

  it('accepts a gate for a resource without a default when both sides are given', () => {
    const fleet = parseFleet(
      fleetWith('noisy:\n  gates:\n    pg_locks: {open: 0.5, close: 0.4}\n  lifecycle: {suspectAfter: 2, confirmAfter: 2}'),
      'fleet.yaml',
    );
    expect(fleet.noisy.gates.pg_locks).toEqual({ open: 0.5, close: 0.4 });
    expect(fleet.noisy.lifecycle).toEqual({ ...DEFAULT_DETECTOR_CONFIG.lifecycle, suspectAfter: 2, confirmAfter: 2 });
  });

  it.each([
    ['an unknown key', 'noisy: {victim: {zz: 1}}', 'noisy.victim.zz: unknown key (check its spelling)'],
    ['an unknown resource', 'noisy: {gates: {pg_disk: {open: 0.8, close: 0.7}}}', 'noisy.gates.pg_disk: unknown key (check its spelling)'],
    ['an unknown group', 'noisy: {victims: {z: 4}}', 'noisy.victims: unknown key (check its spelling)'],
    ['a negative value', 'noisy: {victim: {z: -1}}', 'noisy.victim.z: expected a number above 0, at most 20, got -1'],
    ['a non-numeric value', 'noisy: {antagonist: {corr: high}}', 'noisy.antagonist.corr: expected a number from 0 to 1, got "high"'],
    [
      'a fractional count of minutes',
      'noisy: {lifecycle: {cooldownMinutes: 7.5}}',
      'noisy.lifecycle.cooldownMinutes: expected an integer from 0 to 1440, got 7.5',
    ],
    ['a ratio above 1', 'noisy: {gates: {redis: {open: 1.2}}}', 'noisy.gates.redis.open: expected a number from 0 to 1, got 1.2'],
    [
      'close at or above open',
      'noisy: {gates: {pg_io: {open: 0.8, close: 0.8}}}',
      'noisy.gates.pg_io.close: expected a value below open (0.8) for hysteresis, got 0.8',
    ],
    [
      'a close above the default open',
      'noisy: {gates: {pg_cpu: {close: 0.75}}}',
      'noisy.gates.pg_cpu.close: expected a value below open (0.7, the default) for hysteresis, got 0.75',
    ],
    [
      'an open below the default close',
      'noisy: {gates: {pg_io: {open: 0.5}}}',
      'noisy.gates.pg_io.open: expected a value above close (0.7, the default) for hysteresis, got 0.5',
    ],
    [
      'a one-sided gate without a default',
      'noisy: {gates: {ingress: {open: 0.9}}}',
      'noisy.gates.ingress: expected both open and close (ingress has no default gate), close missing',
    ],
    [
      'K above N',
      'noisy: {victim: {persistenceK: 4, persistenceN: 3}}',
      'noisy.victim.persistenceK: expected a value at most persistenceN (3), got 4',
    ],
    [
      'K above the default N',
      'noisy: {victim: {persistenceK: 6}}',
      'noisy.victim.persistenceK: expected a value at most persistenceN (5, the default), got 6',
    ],
    [
      'N below the default K',
      'noisy: {victim: {persistenceN: 2}}',
      'noisy.victim.persistenceN: expected a value at least persistenceK (3, the default), got 2',
    ],
    [
      'confirmAfter below suspectAfter',
      'noisy: {lifecycle: {confirmAfter: 2}}',
      'noisy.lifecycle.confirmAfter: expected a value at least suspectAfter (3, the default), got 2',
    ],
    [
      'more baseline points than minutes',
      'noisy: {victim: {baselineMinutes: 120, minBaselinePoints: 180}}',
      'noisy.victim.minBaselinePoints: expected a value at most baselineMinutes (120), got 180',
    ],
  ])('refuses %s, naming the key path', (_case, noisy, expected) => {
    expect(problems(fleetWith(noisy))).toContain(`fleet file fleet.yaml: ${expected}`);
  });

  it('lists every structural problem, not only the first', () => {
    expect(problems(fleetWith('noisy: {victim: {z: -1, zz: 1}, gateWindowMinutes: two, capacity: {minVictims: 0}}'))).toEqual([
      'fleet file fleet.yaml: noisy.gateWindowMinutes: expected an integer from 1 to 60, got "two"',
      'fleet file fleet.yaml: noisy.victim.zz: unknown key (check its spelling)',
      'fleet file fleet.yaml: noisy.victim.z: expected a number above 0, at most 20, got -1',
      'fleet file fleet.yaml: noisy.capacity.minVictims: expected an integer from 1 to 1000, got 0',
    ]);
  });

  it('lists every broken ordering, not only the first', () => {
    expect(
      problems(
        fleetWith('noisy: {gates: {pg_cpu: {close: 0.75}, redis: {open: 0.5}}, victim: {persistenceK: 6}, lifecycle: {suspectAfter: 9}}'),
      ),
    ).toEqual([
      'fleet file fleet.yaml: noisy.gates.pg_cpu.close: expected a value below open (0.7, the default) for hysteresis, got 0.75',
      'fleet file fleet.yaml: noisy.gates.redis.open: expected a value above close (0.6, the default) for hysteresis, got 0.5',
      'fleet file fleet.yaml: noisy.victim.persistenceK: expected a value at most persistenceN (5, the default), got 6',
      'fleet file fleet.yaml: noisy.lifecycle.suspectAfter: expected a value at most confirmAfter (5, the default), got 9',
    ]);
  });
});
