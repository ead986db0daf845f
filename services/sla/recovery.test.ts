import { describe, expect, it } from 'vitest';
import { reportsFor, slaFleet } from '../../test/helpers/sla-fleet';

// Tier t: RPO 1 h, RTO 4 h. April 2026 in UTC has 43,200 minutes.
const fleet = slaFleet({ zone: 'UTC' });

describe('RPO evidence', () => {
  it('is absent, never 0, without recovery points', () => {
    expect(reportsFor(fleet, '2026-04', []).a!.rpo).toEqual({
      targetSeconds: 3600,
      minutesWithEvidence: 0,
      minutesWithoutEvidence: 43_200,
      minutesWithinTarget: 0,
      withinPercent: null,
      worstExposureSeconds: null,
      worstAt: null,
    });
  });

  it('measures each minute from the newest point known at its start, cluster lines included', () => {
    const lines = [
      // Known before the month: point 23:30 the day before.
      { kind: 'recovery-point', cluster: 'c1', ts: '2026-03-31T23:45:00Z', point: '2026-03-31T23:30:00Z' },
      // Learned at 00:30:30, so first used by the 00:31 minute.
      { kind: 'recovery-point', tenant: 'a', ts: '2026-04-01T00:30:30Z', point: '2026-04-01T00:30:00Z' },
      // An older point learned later never makes the exposure worse.
      { kind: 'recovery-point', tenant: 'a', ts: '2026-04-01T00:40:00Z', point: '2026-03-01T00:00:00Z' },
    ];
    const rpo = reportsFor(fleet, '2026-04', lines).a!.rpo;
    expect(rpo.minutesWithEvidence).toBe(43_200);
    // Minutes 00:00 ... 00:30 have exposure 30 ... 60 min (within: ≤ 1 h); from 00:31 the point is 00:30.
    // Minute 00:31 + k has exposure (1 + k) min, within while k ≤ 59; afterwards never again.
    expect(rpo.minutesWithinTarget).toBe(31 + 60);
    expect(rpo.worstExposureSeconds).toBe((43_200 - 1) * 60 - 30 * 60);
    expect(rpo.worstAt).toBe('2026-04-30T23:59:00.000Z');
  });
});

describe('RTO evidence', () => {
  it('is the last restore test before the month ended, against the RTO', () => {
    const lines = [
      { kind: 'restore-test', tenant: 'a', ts: '2026-04-03T00:00:00Z', ok: true, durationSeconds: 100 },
      { kind: 'restore-test', tenant: 'a', ts: '2026-04-20T00:00:00Z', ok: true, durationSeconds: 20_000 },
      { kind: 'restore-test', tenant: 'a', ts: '2026-05-02T00:00:00Z', ok: false, durationSeconds: 1 },
    ];
    expect(reportsFor(fleet, '2026-04', lines).a!.rto).toEqual({
      targetSeconds: 14_400,
      lastTest: { at: '2026-04-20T00:00:00.000Z', ok: true, durationSeconds: 20_000, withinTarget: false },
    });
    expect(reportsFor(fleet, '2026-04', []).a!.rto.lastTest).toBeNull();
  });

  it('a failed test at the same instant as a passed one wins, whatever the line order', () => {
    const ok = { kind: 'restore-test', tenant: 'a', ts: '2026-04-03T00:00:00Z', ok: true, durationSeconds: 100 };
    const failed = { ...ok, ok: false };
    expect(reportsFor(fleet, '2026-04', [ok, failed]).a!.rto.lastTest!.ok).toBe(false);
    expect(reportsFor(fleet, '2026-04', [failed, ok]).a!.rto.lastTest!.ok).toBe(false);
  });
});
