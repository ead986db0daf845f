import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../services/core/clock';
import { closedMonths, freezeDue, freezeTenantMonth, type FreezeDeps } from '../services/sla/freeze';
import { verifySeal } from '../services/sla/signature';
import { recordExclusion } from '../services/sla/store/exclusion-store';
import { reportRevisions, tenantReport, type ReportDeps } from '../services/sla/store/report-store';
import { testFleet } from './helpers/fleets';
import { insertProbes, slaDatabase, type SlaDb } from './sla-fixture';

const fleet = testFleet();
const key = Buffer.from('0123456789abcdef0123456789abcdef');
// March 2026 in Berlin ends 2026-03-31T22:00Z; with 72 h of grace it freezes at 2026-04-03T22:00Z.
const CLOSES = Date.parse('2026-04-03T22:00:00Z');
const clock = new ManualClock(Date.parse('2026-03-31T23:00:00Z'));
let s: SlaDb;
let freeze: FreezeDeps;
let reports: ReportDeps;

beforeAll(async () => {
  s = await slaDatabase(fleet, ['2026-03', '2026-04']);
  freeze = { pool: s.pool, fleet, clock, signingKey: key, graceHours: 72 };
  reports = { db: s.pool, fleet, clock, signingKey: key, graceHours: 72 };
  await insertProbes(s.pool, 't1', '2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z', 2, 0);
}, 60_000);
afterAll(() => s?.close());

describe('freezing', () => {
  it('waits for the grace period, then stores revision 1 signed', async () => {
    expect(closedMonths('Europe/Berlin', clock.now(), 72)).not.toContain('2026-03');
    expect(closedMonths('Europe/Berlin', CLOSES, 72)).toContain('2026-03');
    expect(await freezeDue(freeze)).toEqual([]);
    expect((await tenantReport(reports, 't1', '2026-03'))!.status).toBe('provisional');
    await expect(freezeTenantMonth(freeze, 't1', '2026-03')).rejects.toThrow(/not closed yet/);

    clock.set(CLOSES - 1);
    expect(await freezeDue(freeze)).toEqual([]);
    clock.set(CLOSES);
    const outcomes = await freezeDue(freeze);
    // Only t1 has evidence in March; months without any are not frozen.
    expect(outcomes).toEqual([
      { tenant: 't1', month: '2026-03', revision: 1, created: true, reason: 'first freeze after the grace period' },
    ]);

    const frozen = await tenantReport(reports, 't1', '2026-03');
    expect(frozen).toMatchObject({
      revision: 1,
      status: 'frozen',
      reason: 'first freeze after the grace period',
      computedAt: '2026-04-03T22:00:00.000Z',
    });
    expect(frozen!.report.minutes.good).toBe(1440);
    const sealed = { algorithm: 'hmac-sha256' as const, digest: frozen!.digest, signature: frozen!.signature! };
    expect(verifySeal(JSON.parse(frozen!.canonical), sealed, key)).toBe(true);
    expect(verifySeal(JSON.parse(frozen!.canonical), sealed, Buffer.from('another key'))).toBe(false);
    // One changed byte of the stored JSON no longer verifies.
    const tampered = frozen!.canonical.replace('"good":1440', '"good":1441');
    expect(tampered).not.toBe(frozen!.canonical);
    expect(verifySeal(JSON.parse(tampered), sealed, key)).toBe(false);
  });

  it('makes no revision when a recompute gives the same canonical JSON', async () => {
    clock.set(CLOSES + 3_600_000);
    expect(await freezeDue(freeze)).toEqual([{ tenant: 't1', month: '2026-03', revision: 1, created: false, reason: null }]);
    expect(await reportRevisions(reports, 't1', '2026-03')).toHaveLength(1);
  });

  it('makes a new revision on late evidence, with its reason and differences; the old one stays readable', async () => {
    await insertProbes(s.pool, 't1', '2026-03-01T10:00:00Z', '2026-03-01T10:03:00Z', 0, 2);
    clock.set(CLOSES + 2 * 3_600_000);
    const outcome = await freezeTenantMonth(freeze, 't1', '2026-03');
    expect(outcome).toMatchObject({ revision: 2, created: true, reason: expect.stringMatching(/^late evidence/) });
    const [first, second] = await reportRevisions(reports, 't1', '2026-03');
    expect(first!.report.minutes.bad).toBe(0);
    expect(second!.report.minutes.bad).toBe(3);
    expect(second!.changes).toEqual(
      expect.arrayContaining([
        { field: 'minutes.bad', old: 0, new: 3 },
        { field: 'minutes.good', old: 1440, new: 1437 },
        { field: 'incidents', old: [], new: null },
        expect.objectContaining({ field: 'incidents[0].minutes', old: null, new: 3 }),
      ]),
    );
    expect((await tenantReport(reports, 't1', '2026-03', 1))!.digest).toBe(first!.digest);
    expect((await tenantReport(reports, 't1', '2026-03'))!.revision).toBe(2);
    expect(await tenantReport(reports, 't1', '2026-03', 9)).toBeUndefined();
  });

  it('makes a new revision for a newly approved exclusion', async () => {
    await recordExclusion(
      s.pool,
      { tenant: 't1', kind: 'customer', start: '2026-03-01T10:00:00Z', end: '2026-03-01T10:03:00Z', reason: 'customer load test' },
      'alice',
      new Date(clock.now()),
    );
    const outcome = await freezeTenantMonth(freeze, 't1', '2026-03');
    expect(outcome).toMatchObject({ revision: 3, created: true, reason: expect.stringMatching(/^exclusion windows changed/) });
    expect((await tenantReport(reports, 't1', '2026-03'))!.report.minutes).toMatchObject({ bad: 0, excluded: 3 });
  });

  it('makes exactly one revision when workers freeze the same month at once', async () => {
    await insertProbes(s.pool, 't2', '2026-03-05T00:00:00Z', '2026-03-05T00:10:00Z', 0, 1);
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => freezeTenantMonth(freeze, 't2', '2026-03')));
    expect(outcomes.filter((o) => o.created)).toHaveLength(1);
    expect(new Set(outcomes.map((o) => o.revision))).toEqual(new Set([1]));
    expect(await reportRevisions(reports, 't2', '2026-03')).toHaveLength(1);
  });

  it('stores reports unsigned without a key, and says so', async () => {
    const unsigned = { ...freeze, signingKey: null };
    await insertProbes(s.pool, 't3', '2026-03-07T00:00:00Z', '2026-03-07T00:01:00Z', 0, 1);
    const outcome = await freezeTenantMonth(unsigned, 't3', '2026-03');
    expect(outcome.created).toBe(true);
    const { rows } = await s.pool.query('SELECT signature, signed FROM sla_report WHERE tenant_id = $1 AND revision = $2', [
      't3',
      outcome.revision,
    ]);
    expect(rows[0]).toEqual({ signature: null, signed: false });
    expect((await tenantReport(reports, 't3', '2026-03'))!.signature).toBeNull();
  });
});
