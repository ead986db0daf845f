import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { Fleet } from '../config/fleet-types';
import { buildFleet } from '../../test/helpers/fleet-builder';
import { parseEvidenceLine, type Evidence } from './evidence';
import { EvidenceIndex } from './minute-evidence';
import { referenceReport, type RawLine } from '../../test/helpers/sla-reference';
import { computeFleetReports } from './report';

// Zones with DST both ways, half-hour and 45-minute offsets, a 30-minute DST shift, and none.
const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'America/Santiago',
  'Asia/Kolkata',
  'UTC',
  'Pacific/Chatham',
];
const MONTHS = ['2026-02', '2026-03', '2026-04', '2026-09', '2026-10', '2026-11'];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const weekly = fc.record({
  days: fc.uniqueArray(fc.constantFrom(...DAYS), { minLength: 1, maxLength: 3 }),
  // 02:00-02:59 falls in the spring-forward gap of most European and American zones.
  hour: fc.oneof(fc.constant(2), fc.integer({ min: 0, max: 23 })),
  minute: fc.constantFrom(0, 15, 30, 59),
  minutes: fc.integer({ min: 1, max: 3000 }),
});
const once = fc.record({
  dayOffset: fc.integer({ min: -2, max: 31 }),
  hour: fc.integer({ min: 0, max: 23 }),
  length: fc.integer({ min: 1, max: 2000 }),
});

const tier = fc.record({
  target: fc.constantFrom(50, 95, 99, 99.5, 99.9, 99.95, 99.999),
  credits: fc.uniqueArray(
    fc.record({ below: fc.constantFrom(50, 90, 95, 99, 99.5, 99.9, 99.95, 99.999), percent: fc.constantFrom(5, 10, 12.5, 25, 50, 100) }),
    {
      minLength: 1,
      maxLength: 4,
      selector: (c) => c.below,
    },
  ),
  cap: fc.constantFrom(10, 30, 100),
  minRequests: fc.integer({ min: 1, max: 20 }),
  errorRatio: fc.constantFrom(0, 0.05, 0.1, 1 / 3, 0.5),
  nodata: fc.constantFrom('exclude', 'good', 'bad'),
});

/** Evidence around the month: bursts of consecutive minutes so incidents form, plus stray lines. */
const burst = fc.record({
  minute: fc.integer({ min: -1500, max: 46_000 }),
  length: fc.integer({ min: 1, max: 90 }),
  second: fc.integer({ min: 0, max: 59 }),
  kind: fc.constantFrom('probe', 'requests', 'both'),
  probes: fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }),
  total: fc.integer({ min: 0, max: 40 }),
  errors: fc.integer({ min: 0, max: 40 }),
  source: fc.constantFrom('ingress', 'odoo', undefined),
});
const recorded = fc.record({
  clusterWide: fc.boolean(),
  minute: fc.integer({ min: -100, max: 45_000 }),
  seconds: fc.integer({ min: 1, max: 5000 * 60 }),
  offset: fc.integer({ min: 0, max: 59 }),
});

const scenario = fc.record({
  zone: fc.constantFrom(...ZONES),
  clusterZone: fc.constantFrom(...ZONES),
  month: fc.constantFrom(...MONTHS),
  tier,
  tenantWeekly: fc.array(weekly, { maxLength: 2 }),
  clusterWeekly: fc.array(weekly, { maxLength: 1 }),
  tenantOnce: fc.array(once, { maxLength: 2 }),
  bursts: fc.array(burst, { maxLength: 40 }),
  recorded: fc.array(recorded, { maxLength: 3 }),
  fee: fc.constantFrom(['999.99', 'EUR'], ['1000', 'JPY'], ['0.05', 'EUR'], ['12345.678', 'KWD']),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

function fleetOf(s: Scenario): Fleet {
  const t = s.tier;
  const hhmm = (h: number, m: number) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
  const week = (w: Scenario['tenantWeekly'][number]) => ({ weekly: { days: w.days, start: hhmm(w.hour, w.minute), minutes: w.minutes } });
  const first = DateTime.fromISO(`${s.month}-01T00:00`, { zone: s.zone });
  const once = (o: Scenario['tenantOnce'][number]) => {
    const start = first.plus({ days: o.dayOffset }).set({ hour: o.hour });
    const end = start.plus({ minutes: o.length });
    return { once: { start: start.toFormat("yyyy-MM-dd'T'HH:mm"), end: end.toFormat("yyyy-MM-dd'T'HH:mm") } };
  };
  const tenantWindows = [...s.tenantWeekly.map(week), ...s.tenantOnce.map(once)];
  return buildFleet(
    {
      tiers: {
        t: {
          target: t.target,
          credits: t.credits.map((c) => ({ below: c.below, percent: c.percent })),
          creditCapPercent: t.cap,
          rpo: '1h',
          rto: '4h',
          downtime: { minRequests: t.minRequests, errorRatio: t.errorRatio },
          nodata: t.nodata,
        },
      },
      clusters: { c1: { timezone: s.clusterZone, ...(s.clusterWeekly.length > 0 && { maintenance: s.clusterWeekly.map(week) }) } },
      tenants: [
        {
          id: 'x',
          name: 'X',
          cluster: 'c1',
          tier: 't',
          timezone: s.zone,
          hosts: ['x.example.test'],
          monthlyFee: { amount: s.fee[0], currency: s.fee[1] },
          ...(tenantWindows.length > 0 && { maintenance: tenantWindows }),
        },
      ],
    },
    { source: 'property.yaml' },
  );
}

function evidenceLines(s: Scenario): RawLine[] {
  const base = DateTime.fromISO(`${s.month}-01T00:00`, { zone: 'UTC' }).toMillis();
  const iso = (ms: number) => new Date(ms).toISOString();
  const lines: RawLine[] = [];
  for (const b of s.bursts) {
    for (let k = 0; k < b.length; k++) {
      const m = base + (b.minute + k) * 60_000;
      if (b.kind !== 'requests')
        b.probes.forEach((ok, p) => lines.push({ kind: 'probe', tenant: 'x', ts: iso(m + ((b.second + p * 7) % 60) * 1000), ok }));
      if (b.kind !== 'probe') {
        lines.push({
          kind: 'requests',
          tenant: 'x',
          minute: iso(m),
          total: b.total,
          serverErrors: Math.min(b.errors, b.total),
          ...(b.source && { source: b.source }),
        });
      }
    }
  }
  for (const r of s.recorded) {
    const start = base + r.minute * 60_000 + r.offset * 1000;
    lines.push({
      kind: 'exclusion',
      ...(r.clusterWide ? { cluster: 'c1' } : { tenant: 'x' }),
      start: iso(start),
      end: iso(start + r.seconds * 1000),
      reason: 'test',
      type: 'customer',
    });
  }
  // Another tenant's evidence must never leak into x's month.
  lines.push({ kind: 'probe', tenant: 'y', ts: iso(base + 600_000), ok: false });
  return lines;
}

describe('the SLA engine against a brute-force reference', () => {
  it('agrees on every minute count, target, credit and incident for random fleets and evidence', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const fleet = fleetOf(s);
        const lines = evidenceLines(s);
        const index = new EvidenceIndex(lines.map((l) => parseEvidenceLine(JSON.stringify(l)) as Evidence));
        const [report] = computeFleetReports(fleet, s.month, index, 'x');
        const expected = referenceReport(fleet, 'x', s.month, lines);
        expect({
          total: report!.minutes.total,
          excluded: report!.minutes.excluded,
          good: report!.minutes.good,
          bad: report!.minutes.bad,
          nodata: report!.minutes.nodata,
          countedGood: report!.counted.good,
          countedBad: report!.counted.bad,
          targetMet: report!.targetMet,
          creditPercent: report!.creditPercent,
          creditMinor: report!.creditMinor,
          incidents: report!.incidents.map(({ start, end, minutes }) => ({ start, end, minutes })),
        }).toEqual(expected);
      }),
      {
        numRuns: Number(process.env.SLA_PROPERTY_RUNS ?? 120),
        ...(process.env.SLA_PROPERTY_SEED && { seed: Number(process.env.SLA_PROPERTY_SEED) }),
      },
    );
    // A few seconds alone; the margin is for a machine busy with the integration tests.
  }, 90_000);
});
