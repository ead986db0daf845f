import { describe, expect, it } from 'vitest';
import { parseEvidenceLine } from './evidence';

describe('evidence lines', () => {
  it.each([
    [
      '{"kind":"probe","tenant":"acme","ts":"2026-03-01T00:00:15Z","ok":true}',
      { kind: 'probe', tenant: 'acme', tsMs: Date.UTC(2026, 2, 1, 0, 0, 15), ok: true },
    ],
    [
      '{"kind":"probe","tenant":"acme","ts":"2026-03-01T01:00:15+01:00","ok":false}',
      { kind: 'probe', tenant: 'acme', tsMs: Date.UTC(2026, 2, 1, 0, 0, 15), ok: false },
    ],
    [
      '{"kind":"requests","tenant":"acme","minute":"2026-03-01T00:00:00Z","total":120,"serverErrors":3}',
      { kind: 'requests', tenant: 'acme', minuteMs: Date.UTC(2026, 2, 1), total: 120, serverErrors: 3, source: 'ingress' },
    ],
    [
      '{"kind":"signal","cluster":"eu1","ts":"2026-03-01T00:00:00Z","signal":"postgres-unreachable"}',
      { kind: 'signal', cluster: 'eu1', tsMs: Date.UTC(2026, 2, 1), signal: 'postgres-unreachable' },
    ],
    [
      '{"kind":"recovery-point","cluster":"eu1","ts":"2026-03-01T00:05:00Z","point":"2026-03-01T00:04:00Z"}',
      { kind: 'recovery-point', cluster: 'eu1', tsMs: Date.UTC(2026, 2, 1, 0, 5), pointMs: Date.UTC(2026, 2, 1, 0, 4) },
    ],
  ])('%s', (line, expected) => {
    expect(parseEvidenceLine(line)).toEqual(expected);
  });

  it.each([
    ['nope', 'not valid JSON'],
    ['[1]', 'expected a JSON object'],
    ['{"kind":"probe","tenant":"acme","ts":"2026-03-01T00:00:15","ok":true}', 'ts: expected an ISO 8601 time with Z or an offset'],
    ['{"kind":"probe","tenant":"acme","ts":"2026-02-30T00:00:15Z","ok":true}', 'ts: expected an ISO 8601 time'],
    ['{"kind":"probe","tenant":"Acme!","ts":"2026-03-01T00:00:15Z","ok":true}', 'tenant: expected an id'],
    [
      '{"kind":"requests","tenant":"acme","minute":"2026-03-01T00:00:30Z","total":1,"serverErrors":0}',
      'minute: expected the start of a UTC minute',
    ],
    [
      '{"kind":"requests","tenant":"acme","minute":"2026-03-01T00:00:00Z","total":1,"serverErrors":2}',
      'serverErrors: expected at most total',
    ],
    ['{"kind":"requests","tenant":"acme","minute":"2026-03-01T00:00:00Z","total":1.5,"serverErrors":0}', 'total: expected an integer'],
    [
      '{"kind":"requests","tenant":"acme","minute":"2026-03-01T00:00:00Z","total":1,"serverErrors":0,"source":"nginx"}',
      'source: expected ingress or odoo',
    ],
    [
      '{"kind":"exclusion","tenant":"acme","cluster":"eu1","start":"2026-03-01T00:00:00Z","end":"2026-03-01T01:00:00Z","reason":"x"}',
      'exactly one of tenant or cluster',
    ],
    [
      '{"kind":"exclusion","tenant":"acme","start":"2026-03-01T01:00:00Z","end":"2026-03-01T01:00:00Z","reason":"x"}',
      'end: expected a time after start',
    ],
    [
      '{"kind":"exclusion","tenant":"acme","start":"2026-03-01T00:00:00Z","end":"2026-03-01T01:00:00Z","reason":"x","type":"holiday"}',
      'type: expected one of',
    ],
    [
      '{"kind":"recovery-point","tenant":"acme","ts":"2026-03-01T00:00:00Z","point":"2026-03-01T00:01:00Z"}',
      'point: expected a time at or before ts',
    ],
    ['{"kind":"restore-test","tenant":"acme","ts":"2026-03-01T00:00:00Z","ok":true}', 'durationSeconds: expected'],
    ['{"kind":"heartbeat","tenant":"acme"}', 'kind: expected one of'],
  ])('refuses %s', (line, message) => {
    const parsed = parseEvidenceLine(line);
    expect('error' in parsed && parsed.error).toContain(message);
  });
});
