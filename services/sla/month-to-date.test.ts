import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { minutesFrom, probe, slaFleet } from '../../test/helpers/sla-fleet';
import { canonicalJson } from './canonical';
import { parseEvidenceLine, type Evidence } from './evidence';
import { EvidenceIndex } from './minute-evidence';
import { affordableOutages, computeFleetReports, type SlaReport } from './report';

// Tenant a of the SLA test fleet (Berlin, target 99.9 %, credits below 99.9 / 99 / 95 %) in March
// 2026: 44,580 minutes from 2026-02-28T23:00Z. Its evidence is a fixture shared with the golden
// report the engine made of it before month-to-date reports existed.
const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures');
const fixture = JSON.parse(readFileSync(join(FIXTURES, 'sla-month-evidence.json'), 'utf8')) as {
  tenantMaintenance: string[];
  lines: object[];
  goodProbes: [string, number];
  badProbes: [string, number];
};
const fleet = slaFleet({ tenantMaintenance: fixture.tenantMaintenance });
const lines = [
  ...fixture.lines,
  ...minutesFrom(...fixture.goodProbes).map((m) => probe(m, true)),
  ...minutesFrom(...fixture.badProbes).flatMap((m) => [probe(m, false), probe(m.replace(':00.000Z', ':30.000Z'), false)]),
];
const index = new EvidenceIndex(
  lines.map((l) => {
    const parsed = parseEvidenceLine(JSON.stringify(l));
    if ('error' in parsed) throw new Error(parsed.error);
    return parsed as Evidence;
  }),
);
const reportAt = (asOf?: string): SlaReport =>
  computeFleetReports(fleet, '2026-03', index, 'a', asOf === undefined ? undefined : Date.parse(asOf))[0]!;
const MONTH_MINUTES = 44_580;
const START = Date.parse('2026-02-28T23:00:00Z');

describe('a month in progress', () => {
  it.each([
    ['2026-02-28T23:00:00Z', 0],
    ['2026-03-03T00:00:00Z', 2 * 1440 + 60],
    ['2026-03-10T09:15:30Z', 9 * 1440 + 10 * 60 + 15],
    ['2026-03-20T12:00:00Z', 19 * 1440 + 13 * 60],
    ['2026-03-31T21:59:00Z', MONTH_MINUTES - 1],
  ])('as of %s counts the %i elapsed whole minutes only, in every figure', (asOf, elapsed) => {
    const r = reportAt(asOf);
    const asOfMinute = START + elapsed * 60_000;
    expect(r.monthToDate).toMatchObject({
      asOf: new Date(asOfMinute).toISOString(),
      minutesElapsed: elapsed,
      minutesRemaining: MONTH_MINUTES - elapsed,
      creditProvisional: true,
    });
    expect(r.minutes.total).toBe(elapsed);
    expect(r.days.reduce((sum, d) => sum + d.total, 0)).toBe(elapsed);
    expect(r.days).toHaveLength(31);
    // nothing ends, is found or is measured after asOf
    for (const i of r.incidents) expect(Date.parse(i.end)).toBeLessThanOrEqual(asOfMinute);
    expect(r.rpo.minutesWithEvidence + r.rpo.minutesWithoutEvidence).toBe(elapsed);
    if (r.rpo.worstAt !== null) expect(Date.parse(r.rpo.worstAt)).toBeLessThan(asOfMinute);
    if (r.rto.lastTest !== null) expect(Date.parse(r.rto.lastTest.at)).toBeLessThan(asOfMinute);
    // the eligible minutes are the elapsed ones: coverage is over them
    const eligible = r.minutes.total - r.minutes.excluded;
    expect(r.coveragePercent).toBe(eligible === 0 ? null : ((r.minutes.good + r.minutes.bad) / eligible) * 100);
  });

  it('lists windows that have not begun as scheduled, counting none of their minutes, and the part of a window that has elapsed', () => {
    const early = reportAt('2026-03-05T01:30:00Z'); // 02:30 Berlin: half of the patch-day window has passed
    expect(early.exclusions.map((x) => [x.reason, x.minutes, x.scheduled])).toEqual([
      ['patch day', 30, undefined],
      ['upgrade', 0, true],
    ]);
    expect(early.minutes.excluded).toBe(30);
    expect(early.monthToDate!.scheduledExcludedMinutes).toBe(30 + 120);
    const late = reportAt('2026-03-26T00:00:00Z');
    expect(late.exclusions.map((x) => [x.reason, x.minutes, x.scheduled])).toEqual([
      ['patch day', 60, undefined],
      ['upgrade', 120, undefined],
    ]);
    expect(late.monthToDate!.scheduledExcludedMinutes).toBe(0);
  });

  it('never extrapolates the RPO to minutes to come', () => {
    const r = reportAt('2026-03-11T00:00:00Z');
    // the newest point known is 2026-03-01T00:00Z: the worst minute is the last elapsed one, not the month's end
    expect(r.rpo.worstAt).toBe('2026-03-10T23:59:00.000Z');
    expect(r.rpo.worstExposureSeconds).toBe((Date.parse('2026-03-10T23:59:00Z') - Date.parse('2026-03-01T00:00:00Z')) / 1000);
  });

  it('gives the error budget and, per credit step, the outage minutes the rest of the month can take', () => {
    const r = reportAt('2026-03-20T12:00:00Z');
    // 120 good and 30 bad minutes measured (policy exclude: minutes without data count nowhere)
    expect(r.counted).toEqual({ good: 120, bad: 30 });
    const toCome = MONTH_MINUTES - r.monthToDate!.minutesElapsed - r.monthToDate!.scheduledExcludedMinutes;
    const atEnd = 150 + toCome;
    const budget = Math.floor(atEnd / 1000); // 0.1 % of the measured minutes, whole
    expect(r.monthToDate!.errorBudget).toEqual({ totalMinutes: budget, usedMinutes: 30, leftMinutes: budget - 30 });
    expect(r.monthToDate!.creditSteps).toEqual(affordableOutages(r.counted, toCome, fleet.tiers.t!));
  });
});

describe('affordable outage before each credit step', () => {
  const tier = slaFleet().tiers.t!;
  it.each([
    // [good, bad, to come] → affordable minutes before 10 %, 25 %, 100 %
    // nothing to come: nothing to afford, but whether a step is already certain still shows
    [9990, 10, 0, [0, 0, 0], [false, false, false]],
    [9989, 11, 0, [0, 0, 0], [true, false, false]],
    [9990, 10, 5000, [5, 140, 740], [false, false, false]],
    [0, 0, 44_580, [44, 445, 2229], [false, false, false]],
    [100, 0, 10, [0, 1, 5], [false, false, false]],
    [0, 100, 10, [0, 0, 0], [true, true, true]],
  ])('%i good, %i bad, %i to come', (good, bad, toCome, affordable, unavoidable) => {
    const steps = affordableOutages({ good, bad }, toCome, tier);
    expect(steps.map((s) => s.belowPercent)).toEqual([99.9, 99, 95]);
    expect(steps.map((s) => s.affordableMinutes)).toEqual(affordable);
    expect(steps.map((s) => s.unavoidable)).toEqual(unavoidable);
  });

  it('the whole rest of the month when even that stays above the step', () => {
    expect(affordableOutages({ good: 1_000_000, bad: 0 }, 100, tier).map((s) => s.affordableMinutes)).toEqual([100, 100, 100]);
  });
});

describe('a whole month', () => {
  it('is the report it was before month-to-date reports: byte for byte, with no monthToDate block', () => {
    const golden = readFileSync(join(FIXTURES, 'sla-frozen-2026-03.json'), 'utf8').trimEnd();
    expect(canonicalJson(reportAt())).toBe(golden);
    // asOf at or after the month's end is the whole month
    expect(canonicalJson(reportAt('2026-03-31T22:00:00Z'))).toBe(golden);
    expect(canonicalJson(reportAt('2026-05-01T00:00:00Z'))).toBe(golden);
    expect(reportAt().monthToDate).toBeUndefined();
    expect(reportAt().exclusions.some((x) => 'scheduled' in x)).toBe(false);
  });
});
