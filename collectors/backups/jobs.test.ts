import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backupJobRecords, parseJobLine, parseJobLines } from './jobs';

describe('backup job result lines', () => {
  it.each([
    [
      'a dump',
      '{"tenant":"acme","kind":"backup","status":"ok","started":"2026-03-01T01:00:12Z","finished":"2026-03-01T01:02:40Z","bytes":734003200}',
      {
        tenant: 'acme',
        kind: 'backup',
        status: 'ok',
        startedMs: Date.UTC(2026, 2, 1, 1, 0, 12),
        finishedMs: Date.UTC(2026, 2, 1, 1, 2, 40),
        bytes: 734003200,
      },
    ],
    [
      'a failed dump with bytes 0',
      '{"tenant":"acme","kind":"backup","status":"failed","started":"2026-03-01T01:00:12Z","finished":"2026-03-01T01:00:20Z","bytes":0}',
      { status: 'failed', bytes: 0 },
    ],
    [
      'a restore test with an offset and fractions',
      '{"tenant":"t-2_b","kind":"restore-test","status":"ok","started":"2026-03-01T03:00:00.250+01:00","finished":"2026-03-01T03:20:00+01:00","bytes":5}',
      { kind: 'restore-test', startedMs: Date.UTC(2026, 2, 1, 2, 0, 0, 250), finishedMs: Date.UTC(2026, 2, 1, 2, 20) },
    ],
    [
      'without bytes',
      '{"tenant":"acme","kind":"restore-test","status":"failed","started":"2026-03-01T03:00:00Z","finished":"2026-03-01T03:00:01Z"}',
      { bytes: null },
    ],
    [
      'bytes null, keys in any order, extra keys',
      '{"bytes":null,"finished":"2026-03-01T03:00:01Z","job":"x","status":"ok","kind":"backup","started":"2026-03-01T03:00:00Z","tenant":"acme"}',
      { bytes: null, status: 'ok' },
    ],
  ])('reads %s', (_, line, want) => {
    const parsed = parseJobLine(line);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.result).toMatchObject(want);
  });

  it.each([
    ['not JSON', '{"tenant":"acme",', 'not JSON'],
    ['an array', '[1]', 'not a JSON object'],
    [
      'an unknown kind',
      '{"tenant":"acme","kind":"dump","status":"ok","started":"2026-03-01T03:00:00Z","finished":"2026-03-01T03:00:01Z"}',
      'kind',
    ],
    [
      'an unknown status',
      '{"tenant":"acme","kind":"backup","status":"success","started":"2026-03-01T03:00:00Z","finished":"2026-03-01T03:00:01Z"}',
      'status',
    ],
    [
      'a tenant id with capitals',
      '{"tenant":"ACME","kind":"backup","status":"ok","started":"2026-03-01T03:00:00Z","finished":"2026-03-01T03:00:01Z"}',
      'tenant',
    ],
    [
      'a time without a zone',
      '{"tenant":"acme","kind":"backup","status":"ok","started":"2026-03-01T03:00:00","finished":"2026-03-01T03:00:01Z"}',
      'started',
    ],
    [
      'an impossible date',
      '{"tenant":"acme","kind":"backup","status":"ok","started":"2026-03-01T03:00:00Z","finished":"2026-13-01T03:00:01Z"}',
      'finished',
    ],
    [
      'finished before started',
      '{"tenant":"acme","kind":"backup","status":"ok","started":"2026-03-01T03:00:00Z","finished":"2026-03-01T02:00:00Z"}',
      'before started',
    ],
    [
      'negative bytes',
      '{"tenant":"acme","kind":"backup","status":"ok","started":"2026-03-01T03:00:00Z","finished":"2026-03-01T03:00:01Z","bytes":-1}',
      'bytes',
    ],
    [
      'bytes as text',
      '{"tenant":"acme","kind":"backup","status":"ok","started":"2026-03-01T03:00:00Z","finished":"2026-03-01T03:00:01Z","bytes":"12"}',
      'bytes',
    ],
  ])('rejects %s with the reason', (_, line, reason) => {
    const parsed = parseJobLine(line);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });

  it('numbers rejected lines, skips blank ones and strips CR', () => {
    const good = '{"tenant":"acme","kind":"backup","status":"ok","started":"2026-03-01T03:00:00Z","finished":"2026-03-01T03:00:01Z"}';
    const out = parseJobLines([good + '\r', '', 'oops', good], 10);
    expect(out.results).toHaveLength(2);
    expect(out.rejected).toEqual([{ line: 12, reason: 'not JSON', kind: 'malformed' }]);
  });

  it('prints job records with line numbers and durations for `tenantscope parse`', () => {
    const text =
      'x\n{"tenant":"acme","kind":"restore-test","status":"ok","started":"2026-03-01T03:00:00Z","finished":"2026-03-01T03:20:30Z","bytes":1}\n';
    expect(backupJobRecords(text)).toEqual({
      records: [
        {
          type: 'job',
          line: 2,
          tenant: 'acme',
          kind: 'restore-test',
          status: 'ok',
          started: '2026-03-01T03:00:00.000Z',
          finished: '2026-03-01T03:20:30.000Z',
          durationSeconds: 1230,
          bytes: 1,
        },
      ],
      rejected: 1,
    });
  });

  it('never throws: any line is a result or a counted rejection', () => {
    const line = fc.record({
      tenant: fc.oneof(fc.string(), fc.constantFrom('acme', 't1')),
      kind: fc.oneof(fc.string(), fc.constantFrom('backup', 'restore-test')),
      status: fc.oneof(fc.string(), fc.constantFrom('ok', 'failed')),
      started: fc.oneof(
        fc.string(),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      ),
      finished: fc.oneof(
        fc.string(),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      ),
      bytes: fc.oneof(fc.integer(), fc.double(), fc.constant(null), fc.string()),
    });
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string(),
            fc.json(),
            line.map((l) => JSON.stringify(l)),
          ),
        ),
        (lines) => {
          const out = parseJobLines(lines);
          expect(out.results.length + out.rejected.length).toBeLessThanOrEqual(lines.length);
          for (const r of out.results) expect(r.finishedMs).toBeGreaterThanOrEqual(r.startedMs);
        },
      ),
      { numRuns: 500 },
    );
  });
});
