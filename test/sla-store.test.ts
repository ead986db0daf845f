import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../services/core/clock';
import { ALLOWED_LATENESS_MS } from '../services/sla/store/minute-counter';
import { RequestError } from '../services/core/errors';
import { canonicalJson } from '../services/sla/canonical';
import { parseEvidenceLine, type Evidence } from '../services/sla/evidence';
import { EvidenceIndex } from '../services/sla/minute-evidence';
import { computeFleetReports } from '../services/sla/report';
import { exclusionAudit, listExclusions, recordExclusion, revokeExclusion } from '../services/sla/store/exclusion-store';
import { monthReports, reportRevisions, tenantReport, type ReportDeps } from '../services/sla/store/report-store';
import { testFleet } from './helpers/fleets';
import { insertIngress, insertProbes, slaDatabase, type SlaDb } from './sla-fixture';

// t1 business, t2 mission, t3 standard; cluster c1 in Europe/Berlin (March 2026 = 44,580 minutes).
const fleet = testFleet();
let s: SlaDb;
let deps: ReportDeps;
const clock = new ManualClock(Date.parse('2026-03-20T12:00:00Z'));

beforeAll(async () => {
  s = await slaDatabase(fleet, ['2026-03']);
  deps = { db: s.pool, fleet, clock, signingKey: Buffer.from('test key'), graceHours: 72 };
  await insertProbes(s.pool, 't1', '2026-03-01T00:00:00Z', '2026-03-01T02:00:00Z', 2, 0);
  await insertProbes(s.pool, 't1', '2026-03-01T02:00:00Z', '2026-03-01T02:05:00Z', 0, 2);
  await insertProbes(s.pool, 't1', '2026-03-01T02:05:00Z', '2026-03-01T02:06:00Z', 1, 1);
  await insertIngress(s.pool, 't1', '2026-03-01T03:00:00Z', 100, 6);
  await insertIngress(s.pool, 't1', '2026-03-01T03:01:00Z', 100, 5);
  await s.pool
    .query(`INSERT INTO tenant_minute (tenant_id, minute, odoo_requests_2xx, odoo_requests_3xx, odoo_requests_4xx, odoo_requests_5xx, odoo_requests_other)
    VALUES ('t1', '2026-03-01T03:02:00Z', 5, 0, 0, 5, 0), ('t1', '2026-03-01T03:00:00Z', 100, 0, 0, 0, 0)`);
}, 60_000);
afterAll(() => s?.close());

function line(o: object): Evidence {
  const e = parseEvidenceLine(JSON.stringify(o));
  if ('error' in e) throw new Error(e.error);
  return e;
}

describe('reports from PostgreSQL', () => {
  it('computes the same report as the engine does from the equivalent evidence lines', async () => {
    const live = await tenantReport(deps, 't1', '2026-03');
    expect(live).toMatchObject({ tenant: 't1', month: '2026-03', revision: 0, status: 'month-to-date' });
    const lines: Evidence[] = [];
    for (let m = Date.parse('2026-03-01T00:00:00Z'); m < Date.parse('2026-03-01T02:06:00Z'); m += 60_000) {
      const at = new Date(m).toISOString();
      const [ok, failed] = m < Date.parse('2026-03-01T02:00:00Z') ? [2, 0] : m < Date.parse('2026-03-01T02:05:00Z') ? [0, 2] : [1, 1];
      for (let i = 0; i < ok; i++) lines.push(line({ kind: 'probe', tenant: 't1', ts: at, ok: true }));
      for (let i = 0; i < failed; i++) lines.push(line({ kind: 'probe', tenant: 't1', ts: at, ok: false }));
    }
    lines.push(line({ kind: 'requests', tenant: 't1', minute: '2026-03-01T03:00:00Z', total: 100, serverErrors: 6 }));
    lines.push(line({ kind: 'requests', tenant: 't1', minute: '2026-03-01T03:01:00Z', total: 100, serverErrors: 5 }));
    lines.push(line({ kind: 'requests', tenant: 't1', minute: '2026-03-01T03:00:00Z', total: 100, serverErrors: 0, source: 'odoo' }));
    lines.push(line({ kind: 'requests', tenant: 't1', minute: '2026-03-01T03:02:00Z', total: 10, serverErrors: 5, source: 'odoo' }));
    // a month in progress: minutes up to 5 minutes before the clock (they have closed), as the SLI counter counts them
    const [expected] = computeFleetReports(fleet, '2026-03', new EvidenceIndex(lines), 't1', clock.now() - ALLOWED_LATENESS_MS);
    expect(live!.canonical).toBe(canonicalJson(expected));
    // 5 minutes of failed probes, one ingress minute above 5 %, one Odoo minute at 50 %; Berlin's March began 2026-02-28T23:00Z
    expect(live!.report.minutes).toMatchObject({
      total: (Date.parse('2026-03-20T11:55:00Z') - Date.parse('2026-02-28T23:00:00Z')) / 60_000,
      bad: 7,
      good: 122,
    });
    expect(live!.report.monthToDate).toMatchObject({
      asOf: '2026-03-20T11:55:00.000Z',
      minutesRemaining: 44_580 - live!.report.minutes.total,
    });
    expect(live!.signature).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers undefined for an unknown tenant and a month not begun, and 400 for a bad month', async () => {
    expect(await tenantReport(deps, 'nobody', '2026-03')).toBeUndefined();
    expect(await tenantReport(deps, 't1', '2026-05')).toBeUndefined();
    await expect(tenantReport(deps, 't1', '2026-13')).rejects.toBeInstanceOf(RequestError);
    expect(await reportRevisions(deps, 't1', '2026-03')).toEqual([]);
  });

  it('gives every tenant of the month, in fleet order', async () => {
    const all = await monthReports(deps, '2026-03');
    expect(all.map((r) => r.tenant)).toEqual(['t1', 't2', 't3']);
  });
});

describe('recorded exclusion windows', () => {
  it('records, lists, revokes with an audit trail, and the report counts only windows in force', async () => {
    const at = new Date('2026-03-20T10:00:00Z');
    const w = await recordExclusion(
      s.pool,
      { tenant: 't2', kind: 'customer', start: '2026-03-02T10:00:00Z', end: '2026-03-02T11:00:00Z', reason: 'customer import' },
      'alice',
      at,
    );
    expect(w).toMatchObject({ tenant: 't2', cluster: null, kind: 'customer', recordedBy: 'alice', revokedAt: null });
    const shared = await recordExclusion(
      s.pool,
      { cluster: 'c1', kind: 'force-majeure', start: '2026-03-02T10:30:00Z', end: '2026-03-02T11:30:00Z', reason: 'flood' },
      'bob',
      at,
    );
    const before = await tenantReport(deps, 't2', '2026-03');
    // Overlapping windows count once: 10:00-11:30 is 90 minutes.
    expect(before!.report.minutes.excluded).toBe(90);
    expect((await listExclusions(s.pool, { tenant: 't2' })).map((x) => x.id)).toEqual([w.id, shared.id]);
    expect((await listExclusions(s.pool, { cluster: 'c1' })).map((x) => x.id)).toEqual([shared.id]);
    expect(await listExclusions(s.pool, { tenant: 't2', from: '2026-03-03T00:00:00Z' })).toEqual([]);

    const revoked = await revokeExclusion(s.pool, w.id, 'carol', new Date('2026-03-20T11:00:00Z'), 'not approved');
    expect(revoked).toMatchObject({ revokedBy: 'carol', revokeReason: 'not approved' });
    expect((await tenantReport(deps, 't2', '2026-03'))!.report.minutes.excluded).toBe(60);
    expect(await exclusionAudit(s.pool, w.id)).toEqual([
      {
        action: 'recorded',
        by: 'alice',
        at: '2026-03-20T10:00:00.000Z',
        detail: expect.objectContaining({ reason: 'customer import', kind: 'customer' }),
      },
      { action: 'revoked', by: 'carol', at: '2026-03-20T11:00:00.000Z', detail: { reason: 'not approved' } },
    ]);
    // Still listed (nothing is deleted); a second revoke changes nothing.
    expect((await listExclusions(s.pool, { tenant: 't2' })).length).toBe(2);
    expect((await revokeExclusion(s.pool, w.id, 'dave', new Date(), 'again'))!.revokedBy).toBe('carol');
    expect(await exclusionAudit(s.pool, w.id)).toHaveLength(2);
    expect(await revokeExclusion(s.pool, '999999', 'dave', new Date(), 'x')).toBeUndefined();
    expect(await revokeExclusion(s.pool, 'abc', 'dave', new Date(), 'x')).toBeUndefined();
  });

  it('refuses bad input with 400 naming the field', async () => {
    const bad = (input: object) =>
      recordExclusion(
        s.pool,
        { kind: 'customer', start: '2026-03-02T10:00:00Z', end: '2026-03-02T11:00:00Z', reason: 'r', ...input } as never,
        'alice',
        new Date(),
      );
    await expect(bad({})).rejects.toThrow(/tenant: expected exactly one/);
    await expect(bad({ tenant: 't1', cluster: 'c1' })).rejects.toThrow(/tenant: expected exactly one/);
    await expect(bad({ tenant: 'zz' })).rejects.toThrow(/tenant: unknown/);
    await expect(bad({ tenant: 't1', kind: 'holiday' })).rejects.toThrow(/kind:/);
    await expect(bad({ tenant: 't1', start: '2026-03-02 10:00' })).rejects.toThrow(/start:/);
    await expect(bad({ tenant: 't1', end: '2026-03-02T09:00:00Z' })).rejects.toThrow(/end: expected a time after start/);
    await expect(bad({ tenant: 't1', reason: ' ' })).rejects.toThrow(/reason:/);
    await expect(bad({ tenant: 't1', kind: 'holiday' })).rejects.toMatchObject({ statusCode: 400 });
  });
});
