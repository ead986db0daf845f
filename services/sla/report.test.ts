import { describe, expect, it } from 'vitest';
import { minutesFrom, probe, reportsFor, requests, slaFleet } from '../../test/helpers/sla-fleet';
import { monthRange } from '../core/month';

describe('the month in the tenant time zone', () => {
  it.each([
    ['2026-03', 'Europe/Berlin', 44_580, '2026-02-28T23:00:00.000Z'],
    ['2026-10', 'Europe/Berlin', 44_700, '2026-09-30T22:00:00.000Z'],
    // New York springs forward on 8 March 2026: 31 days less one hour, like Berlin.
    ['2026-03', 'America/New_York', 31 * 1440 - 60, '2026-03-01T05:00:00.000Z'],
    ['2026-04', 'Europe/Berlin', 43_200, '2026-03-31T22:00:00.000Z'],
  ])('%s in %s has %i minutes', (month, zone, minutes, start) => {
    const range = monthRange(month, zone);
    expect(range.minutes).toBe(minutes);
    expect(new Date(range.startMs).toISOString()).toBe(start);
    expect(reportsFor(slaFleet({ zone }), month, []).a!.minutes.total).toBe(minutes);
  });

  it('evidence at 2026-02-28T23:30Z belongs to March in Berlin, not February', () => {
    const fleet = slaFleet();
    const lines = [probe('2026-02-28T23:30:10Z', false)];
    const march = reportsFor(fleet, '2026-03', lines).a!;
    expect(march.minutes.bad).toBe(1);
    expect(march.incidents).toEqual([
      {
        start: '2026-02-28T23:30:00.000Z',
        end: '2026-02-28T23:31:00.000Z',
        minutes: 1,
        signals: [{ signal: 'probe-failure', minutes: 1 }],
      },
    ]);
    expect(reportsFor(fleet, '2026-02', lines).a!.minutes.bad).toBe(0);
  });
});

describe('each minute is excluded, bad, good or nodata', () => {
  const fleet = slaFleet();
  const at = (lines: object[]) => reportsFor(fleet, '2026-03', lines).a!.minutes;

  it('one failed probe of two is not bad; two of two are', () => {
    expect(at([probe('2026-03-02T10:00:05Z', false), probe('2026-03-02T10:00:35Z', true)])).toMatchObject({ good: 1, bad: 0 });
    expect(at([probe('2026-03-02T10:00:05Z', false), probe('2026-03-02T10:00:35Z', false)])).toMatchObject({ good: 0, bad: 1 });
  });

  it('an error ratio of exactly 5 % is not bad; just above is', () => {
    expect(at([requests('2026-03-02T10:00:00Z', 20, 1)])).toMatchObject({ good: 1, bad: 0 });
    expect(at([requests('2026-03-02T10:00:00Z', 100, 5)])).toMatchObject({ good: 1, bad: 0 });
    expect(at([requests('2026-03-02T10:00:00Z', 100, 6)])).toMatchObject({ good: 0, bad: 1 });
  });

  it('fewer requests than minRequests are no request evidence: nodata alone, probes decide with them', () => {
    expect(at([requests('2026-03-02T10:00:00Z', 9, 9)])).toMatchObject({ good: 0, bad: 0, nodata: 44_580 });
    expect(at([requests('2026-03-02T10:00:00Z', 9, 9), probe('2026-03-02T10:00:30Z', true)])).toMatchObject({ good: 1, bad: 0 });
    expect(at([requests('2026-03-02T10:00:00Z', 10, 1)])).toMatchObject({ good: 0, bad: 1 });
  });

  it('probe and request evidence decide alone: a failing side makes the minute bad', () => {
    expect(at([probe('2026-03-02T10:00:05Z', true), requests('2026-03-02T10:00:00Z', 50, 40)])).toMatchObject({ bad: 1 });
    expect(at([probe('2026-03-02T10:00:05Z', false), requests('2026-03-02T10:00:00Z', 50, 0)])).toMatchObject({ bad: 1 });
  });

  it('requests come from the ingress where it reported the minute, else from Odoo logs', () => {
    expect(at([requests('2026-03-02T10:00:00Z', 100, 0, 'ingress'), requests('2026-03-02T10:00:00Z', 100, 90, 'odoo')])).toMatchObject({
      good: 1,
      bad: 0,
    });
    expect(at([requests('2026-03-02T10:00:00Z', 100, 90, 'odoo')])).toMatchObject({ good: 0, bad: 1 });
  });
});

describe('exclusion windows', () => {
  it('a weekly window on the spring-forward Sunday starts after the gap and lasts its real minutes', () => {
    // 02:30 does not exist in Berlin on 2026-03-29: luxon moves it to 03:30 CEST = 01:30Z.
    const fleet = slaFleet({ tenantMaintenance: ['weekly: {days: [sun], start: "02:30", minutes: 60}'] });
    const r = reportsFor(fleet, '2026-03', [
      probe('2026-03-29T01:29:00Z', false),
      probe('2026-03-29T01:30:00Z', false),
      probe('2026-03-29T02:30:00Z', false),
    ]).a!;
    expect(r.exclusions.find((e) => e.start.startsWith('2026-03-29'))).toMatchObject({
      start: '2026-03-29T01:30:00.000Z',
      end: '2026-03-29T02:30:00.000Z',
      minutes: 60,
    });
    expect(r.minutes.excluded).toBe(5 * 60);
    expect(r.incidents.map((i) => i.start)).toEqual(['2026-03-29T01:29:00.000Z', '2026-03-29T02:30:00.000Z']);
  });

  it("a weekly window on the month's last day after a midnight DST change is counted (America/Santiago)", () => {
    // Santiago springs forward at 00:00 on 2026-09-06, so that day starts at 01:00; the walk over
    // the days once kept 01:00 from then on and stopped before Wednesday 30 September.
    const fleet = slaFleet({
      clusterZone: 'America/Santiago',
      clusterMaintenance: ['weekly: {days: [mon, wed], start: "02:00", minutes: 1}'],
    });
    const r = reportsFor(fleet, '2026-09', []).a!;
    // Mondays and Wednesdays of Berlin's September at 02:00 Santiago: 2, 7, 9, 14, 16, 21, 23, 28, 30.
    expect(r.minutes.excluded).toBe(9);
    expect(r.exclusions.at(-1)).toMatchObject({ start: '2026-09-30T05:00:00.000Z', minutes: 1 });
  });

  it('a cluster window applies to every tenant of the cluster, in the cluster zone', () => {
    const fleet = slaFleet({
      zone: 'America/New_York',
      clusterZone: 'Europe/Berlin',
      clusterMaintenance: ['weekly: {days: [wed], start: "12:00", minutes: 30}'],
    });
    const lines = [
      {
        kind: 'exclusion',
        cluster: 'c1',
        start: '2026-04-10T10:00:00Z',
        end: '2026-04-10T11:00:00Z',
        reason: 'provider outage',
        type: 'force-majeure',
      },
    ];
    const reports = reportsFor(fleet, '2026-04', lines);
    for (const r of [reports.a!, reports.b!]) {
      // Five Wednesdays in April 2026 (1, 8, 15, 22, 29) at 12:00 Berlin = 10:00Z, plus the recorded hour.
      expect(r.minutes.excluded).toBe(5 * 30 + 60);
      expect(r.exclusions[0]).toMatchObject({ start: '2026-04-01T10:00:00.000Z', scope: 'cluster', origin: 'fleet' });
      expect(r.exclusions).toContainEqual({
        start: '2026-04-10T10:00:00.000Z',
        end: '2026-04-10T11:00:00.000Z',
        type: 'force-majeure',
        reason: 'provider outage',
        scope: 'cluster',
        origin: 'recorded',
        minutes: 60,
      });
    }
  });

  it('a window excludes only the minutes it covers whole, and overlapping windows count once', () => {
    const fleet = slaFleet();
    const lines = [
      {
        kind: 'exclusion',
        tenant: 'a',
        start: '2026-03-05T10:00:30Z',
        end: '2026-03-05T10:05:30Z',
        reason: 'customer import',
        type: 'customer',
        recordedBy: 'sm@example.com',
        recordedAt: '2026-03-04T09:00:00Z',
      },
      {
        kind: 'exclusion',
        tenant: 'a',
        start: '2026-03-05T10:03:00Z',
        end: '2026-03-05T10:08:00Z',
        reason: 'overlap',
        type: 'maintenance',
      },
    ];
    const r = reportsFor(fleet, '2026-03', lines).a!;
    expect(r.minutes.excluded).toBe(7); // 10:01 ... 10:07
    expect(r.exclusions[0]).toMatchObject({ minutes: 4, recordedBy: 'sm@example.com', recordedAt: '2026-03-04T09:00:00.000Z' });
  });
});

describe('the nodata policy', () => {
  // April 2026 in Berlin starts at 2026-03-31T22:00Z: 100 good minutes, then one failed probe in a month of gaps.
  const lines = [...minutesFrom('2026-03-31T22:00:00Z', 100).map((m) => requests(m, 20, 0)), probe('2026-04-02T00:00:00Z', false)];
  it.each([
    ['exclude', { good: 100, bad: 1 }, 1],
    ['good', { good: 43_200 - 1, bad: 1 }, 1],
    ['bad', { good: 100, bad: 43_200 - 100 }, 1],
  ] as const)('%s', (nodata, counted, incidents) => {
    const r = reportsFor(slaFleet({ nodata }), '2026-04', lines).a!;
    expect(r.minutes).toEqual({ total: 43_200, excluded: 0, good: 100, bad: 1, nodata: 43_099 });
    expect(r.counted).toEqual(counted);
    expect(r.coveragePercent).toBeCloseTo((101 / 43_200) * 100, 10);
    expect(r.coverageLow).toBe(true);
    expect(r.incidents).toHaveLength(incidents);
    expect(r.incidents.reduce((sum, i) => sum + i.minutes, 0)).toBe(counted.bad);
    if (nodata === 'bad')
      expect(r.incidents[0]!.signals).toEqual([
        { signal: 'no-data', minutes: 43_200 - 101 },
        { signal: 'probe-failure', minutes: 1 },
      ]);
  });
});

describe('incidents', () => {
  it('carry the signals seen, a cluster signal naming the cluster in every tenant it hit', () => {
    const fleet = slaFleet();
    const outage = minutesFrom('2026-03-10T08:00:00Z', 3);
    const lines = [
      ...outage.flatMap((m) => [
        probe(m, false, 'a'),
        probe(m, false, 'b'),
        { kind: 'signal', cluster: 'c1', ts: m, signal: 'postgres-unreachable' },
      ]),
      requests(outage[1]!, 30, 30, 'ingress', 'a'),
      { kind: 'signal', tenant: 'b', ts: outage[2], signal: 'worker-kill' },
    ];
    const reports = reportsFor(fleet, '2026-03', lines);
    expect(reports.a!.incidents).toEqual([
      {
        start: '2026-03-10T08:00:00.000Z',
        end: '2026-03-10T08:03:00.000Z',
        minutes: 3,
        signals: [
          { signal: 'ingress-errors', minutes: 1 },
          { signal: 'postgres-unreachable', cluster: 'c1', minutes: 3 },
          { signal: 'probe-failure', minutes: 3 },
        ],
      },
    ]);
    expect(reports.b!.incidents[0]!.signals).toContainEqual({ signal: 'postgres-unreachable', cluster: 'c1', minutes: 3 });
    expect(reports.b!.incidents[0]!.signals).toContainEqual({ signal: 'worker-kill', minutes: 1 });
  });
});
