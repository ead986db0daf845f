import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../canonical';
import { minutesFrom, probe, reportsFor, slaFleet } from '../../../test/helpers/sla-fleet';
import type { SlaReport } from '../report';
import type { StoredReport } from '../store/report-store';
import { csvField, reportsCsv } from './csv';
import { dailySeries, localDays } from './daily';
import { majorUnits } from './figures';
import { reportHtml, revisionText } from './html';

/** A report as an older engine wrote it, without per-day counts: the chart's fallback path. */
function withoutDays(report: SlaReport): SlaReport {
  const { days: _days, ...rest } = report;
  return rest as unknown as SlaReport;
}

function stored(report: SlaReport, over: Partial<StoredReport> = {}): StoredReport {
  const canonical = canonicalJson(report);
  return {
    tenant: report.tenant,
    month: report.month,
    revision: 1,
    status: 'frozen',
    computedAt: '2026-04-04T00:00:00.000Z',
    reason: 'first freeze',
    canonical,
    digest: sha256Hex(report),
    signature: null,
    report,
    ...over,
  };
}

/** March 2026 in Berlin with tenant a probed OK every minute of 5 March (local), 30 of them failed. */
function march(options: Parameters<typeof slaFleet>[0] = {}): SlaReport {
  const lines = minutesFrom('2026-03-04T23:00:00Z', 1440).map((m, i) => probe(m, i < 100 || i >= 130));
  lines.push({
    kind: 'exclusion',
    tenant: 'a',
    start: '2026-03-05T12:00:00Z',
    end: '2026-03-05T13:00:00Z',
    reason: 'a <b>bold</b> "reason", with comma',
    type: 'customer',
  } as never);
  return reportsFor(slaFleet(options), '2026-03', lines).a as SlaReport;
}

describe('majorUnits', () => {
  it.each([
    ['10000', 2, '100.00'],
    ['5', 2, '0.05'],
    ['0', 2, '0.00'],
    ['100', 0, '100'],
    ['1234567', 3, '1234.567'],
    ['9007199254740993', 2, '90071992547409.93'], // beyond 2^53: exact because it is text
  ])('%s minor units with %d digits is %s', (minor, digits, major) => expect(majorUnits(minor, digits)).toBe(major));
});

describe('CSV', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ['', ''],
  ])('quotes %j as %j (RFC 4180, formulas defused)', (value, field) => expect(csvField(value)).toBe(field));

  it('writes one CRLF-ended row per report with exact amounts', () => {
    const r = march({ fee: ['999.99', 'EUR'] });
    const csv = reportsCsv([stored(r)], () => 'ACME, "Clinics"');
    const [header, row, end] = csv.split('\r\n');
    expect(header?.split(',')).toHaveLength(19);
    expect(row).toBe(`a,"ACME, ""Clinics""",2026-03,t,99.9,97.82,false,1350,30,60,43140,3.09,25,250.00,EUR,1,frozen,false,${sha256Hex(r)}`);
    expect(end).toBe('');
  });

  it.each([
    ['month-to-date', 'true'],
    ['provisional', 'true'],
    ['frozen', 'false'],
  ] as const)('flags a %s month provisional=%s', (status, provisional) => {
    const csv = reportsCsv([stored(march(), { status, revision: status === 'frozen' ? 1 : 0 })], () => 'A');
    const [header, row] = csv.split('\r\n').map((line) => line.split(','));
    expect(row![header!.indexOf('provisional')]).toBe(provisional);
    expect(row![header!.indexOf('status')]).toBe(status);
  });
});

describe('daily series', () => {
  it('has one day per local day, 23 hours on the spring-forward Sunday', () => {
    const days = localDays(march());
    expect(days).toHaveLength(31);
    expect(days[28]).toMatchObject({ date: '2026-03-29' });
    expect(days[28]!.end - days[28]!.first).toBe(1380);
    expect(days.at(-1)!.end).toBe(44580);
  });

  it('derives bad and excluded minutes per day from incidents and windows when the report has no days', () => {
    const series = dailySeries(withoutDays(march()));
    expect(series.source).toBe('incidents');
    expect(series.days[4]).toMatchObject({ date: '2026-03-05', total: 1440, bad: 30, excluded: 60, nodata: null });
    expect(series.days[4]!.availabilityPercent).toBeCloseTo((1350 / 1380) * 100, 10);
    expect(series.days[5]).toMatchObject({ bad: 0, excluded: 0, availabilityPercent: 100 });
  });

  it("leaves days after a month-to-date report's time empty", () => {
    const series = dailySeries(withoutDays(march()), Date.parse('2026-03-06T23:00:00Z'));
    expect(series.days[5]!.availabilityPercent).toBe(100);
    expect(series.days[6]!.availabilityPercent).toBeNull();
  });

  it('uses the per-day counts the engine puts in every report', () => {
    const series = dailySeries(march());
    expect(series.source).toBe('report');
    expect(series.days).toHaveLength(31);
    expect(series.days[4]).toMatchObject({ date: '2026-03-05', total: 1440, bad: 30, excluded: 60 });
    expect(series.days[28]!.total).toBe(1380); // the spring-forward Sunday
  });

  it('uses per-day counts the report carries', () => {
    const withDays = { ...march(), days: [{ date: '2026-03-01', total: 1440, excluded: 0, good: 1000, bad: 0, nodata: 440 }] } as SlaReport;
    expect(dailySeries(withDays)).toEqual({
      source: 'report',
      days: [{ date: '2026-03-01', total: 1440, excluded: 0, bad: 0, nodata: 440, availabilityPercent: 100 }],
    });
  });
});

describe('HTML page', () => {
  it('escapes every interpolated value', () => {
    const page = reportHtml(stored(march()), '<script>alert("x")</script> & Co');
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(page).toContain('a &lt;b&gt;bold&lt;/b&gt; &quot;reason&quot;, with comma');
  });

  it('shows the verdict, the credit, the chart, and an unsigned notice or the signature', () => {
    const r = march({ fee: ['999.99', 'EUR'] });
    const unsigned = reportHtml(stored(r), 'A');
    expect(unsigned).toContain('97.82 %');
    expect(unsigned).toContain('target missed');
    expect(unsigned).toContain('<strong>250.00 EUR</strong> (fee 999.99 EUR)');
    expect((unsigned.match(/<rect class="bar /g) ?? []).length).toBe(31);
    expect(unsigned).toContain('UNSIGNED');
    expect(unsigned).not.toContain('this report carries no per-day counts');
    expect(unsigned).toContain('share without data');
    const signed = reportHtml(stored(r, { signature: 'ab'.repeat(32), revision: 2, reason: 'late evidence' }), 'A');
    expect(signed).not.toContain('UNSIGNED');
    expect(signed).toContain('ab'.repeat(32));
    expect(signed).toContain('late evidence');
    const revised = reportHtml(
      stored(r, {
        revision: 2,
        changes: [
          { field: 'minutes.bad', old: 30, new: 31 },
          { field: 'exclusions[0].reason', old: null, new: '<i>x</i>' },
        ],
      }),
      'A',
    );
    expect(revised).toContain('minutes.bad: 30 → 31');
    expect(revised).toContain('exclusions[0].reason: null → &quot;&lt;i&gt;x&lt;/i&gt;&quot;');
  });

  it('warns when coverage is below 90 %', () => {
    const thin = reportsFor(slaFleet(), '2026-03', [probe('2026-03-02T10:00:00Z', true)]).a as SlaReport;
    expect(reportHtml(stored(thin), 'A')).toContain('Coverage warning');
    const full = reportsFor(
      slaFleet(),
      '2026-03',
      minutesFrom('2026-02-28T23:00:00Z', 44580).map((m) => probe(m, true)),
    ).a as SlaReport;
    expect(reportHtml(stored(full), 'A')).not.toContain('Coverage warning');
  });
});

describe('revisionText', () => {
  it('says one thing per status: never "month-to-date" next to "provisional"', () => {
    const mtd = revisionText({ revision: 0, status: 'month-to-date' });
    const provisional = revisionText({ revision: 0, status: 'provisional' });
    expect(mtd).toBe('0 (month to date: computed live, not frozen)');
    expect(mtd).not.toMatch(/provisional/);
    expect(provisional).toBe('0 (provisional: computed live, month over, not frozen yet)');
    expect(provisional).not.toMatch(/month to date|month-to-date/);
    expect(revisionText({ revision: 3, status: 'frozen' })).toBe('3 (frozen)');
  });
});
