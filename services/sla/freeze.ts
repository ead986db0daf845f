import { DateTime } from 'luxon';
import type { Clock } from '../core/clock';
import type { Fleet, Tenant } from '../config/fleet-types';
import { withTransaction, type Pool } from '../storage/db';
import { canonicalJson, sha256Hex } from './canonical';
import { monthRange } from '../core/month';
import { loadTenantMonth } from './store/evidence-loader';
import { computeReportFromMinutes } from './store/minutes-report';
import { reasonFor, reportChanges } from './store/report-diff';
import { hasRevision, insertRevision, readLatestRevision, signCanonical } from './store/report-store';
import { LOCK, lockKeyForTransaction } from '../storage/locks';
import { hasTenantMinutes } from '../../collectors/lib/tenant-minute-store';
import { hasIngressMinutes } from '../../collectors/traefik/store';

/**
 * Freezing (docs/sla.md): once a tenant's month has ended and the grace period for late evidence
 * has passed, its report is stored as revision 1 (canonical JSON, SHA-256, HMAC). Every later
 * run recomputes the frozen months still within `recheckDays` and stores a new revision only
 * when the canonical JSON differs, with the reason and the changed fields: nothing changes
 * silently, and an unchanged recompute stores nothing.
 */
export interface FreezeDeps {
  pool: Pool;
  fleet: Fleet;
  clock: Clock;
  signingKey: Buffer | null;
  graceHours: number;
}

export type FreezeOutcome = { tenant: string; month: string; revision: number; created: boolean; reason: string | null };

/** How long after freezing a month is still rechecked for late evidence and new exclusions. */
export const RECHECK_DAYS = 92;

/**
 * Freezes or re-checks one tenant's month, under an advisory lock per tenant-month so that
 * concurrent workers make one revision. `reason` overrides the computed one (an operator's note).
 */
export async function freezeTenantMonth(deps: FreezeDeps, tenant: string, month: string, reason?: string): Promise<FreezeOutcome> {
  const t = deps.fleet.tenants.find((x) => x.id === tenant);
  if (!t) throw new RangeError(`tenant ${JSON.stringify(tenant)} is not in the fleet`);
  const range = monthRange(month, t.timezone);
  const now = deps.clock.now();
  if (now < range.endMs + deps.graceHours * 3_600_000)
    throw new RangeError(`${tenant} ${month} is not closed yet: it freezes ${deps.graceHours} h after the month's end`);
  return withTransaction(deps.pool, async (client) => {
    await lockKeyForTransaction(client, LOCK.slaFreeze, `${tenant}/${month}`);
    const previous = await readLatestRevision(client, tenant, month);
    const loaded = await loadTenantMonth(client, deps.fleet, tenant, month);
    const report = computeReportFromMinutes(loaded!.input, loaded!.minutes);
    const canonical = canonicalJson(report);
    if (previous && previous.canonical === canonical) return { tenant, month, revision: previous.revision, created: false, reason: null };
    const changes = previous ? reportChanges(JSON.parse(previous.canonical), JSON.parse(canonical)) : [];
    const why = reason ?? (previous ? reasonFor(changes) : 'first freeze after the grace period');
    const revision = (previous?.revision ?? 0) + 1;
    const signature = signCanonical(canonical, deps.signingKey);
    await insertRevision(client, {
      tenant,
      month,
      revision,
      computedAt: new Date(now),
      reason: why,
      canonical,
      digest: sha256Hex(report),
      signature,
      changes,
    });
    return { tenant, month, revision, created: true, reason: why };
  });
}

/** The months (YYYY-MM) of a zone whose grace period has passed within the last RECHECK_DAYS. */
export function closedMonths(zone: string, nowMs: number, graceHours: number): string[] {
  const out: string[] = [];
  let m = DateTime.fromMillis(nowMs, { zone }).startOf('month');
  for (let i = 0; i < 5; i++, m = m.minus({ months: 1 })) {
    const month = m.toFormat('yyyy-MM');
    const closesAt = monthRange(month, zone).endMs + graceHours * 3_600_000;
    if (closesAt <= nowMs && closesAt > nowMs - RECHECK_DAYS * 86_400_000) out.push(month);
  }
  return out.reverse();
}

/**
 * One run of the `sla-freeze` job over `tenants` (all of the fleet's by default): their closed
 * months within the recheck period that have evidence, each in its own short transaction. A
 * failing tenant does not stop the others.
 */
export async function freezeDue(
  deps: FreezeDeps,
  onError: (tenant: string, month: string, err: Error) => void = () => undefined,
  tenants: readonly Tenant[] = deps.fleet.tenants,
): Promise<FreezeOutcome[]> {
  const out: FreezeOutcome[] = [];
  const now = deps.clock.now();
  for (const t of tenants) {
    for (const month of closedMonths(t.timezone, now, deps.graceHours)) {
      try {
        const range = monthRange(month, t.timezone);
        const [from, to] = [new Date(range.startMs), new Date(range.endMs)];
        // A month with no evidence at all and no revision is one before tenantscope measured the tenant
        // (installed later, tenant added later): freezing it would only store a "not measurable" report.
        const evidence =
          (await hasTenantMinutes(deps.pool, t.id, from, to)) ||
          (await hasIngressMinutes(deps.pool, t.id, from, to)) ||
          (await hasRevision(deps.pool, t.id, month));
        if (!evidence) continue;
        out.push(await freezeTenantMonth(deps, t.id, month));
      } catch (err) {
        onError(t.id, month, err as Error);
      }
    }
  }
  return out;
}

/**
 * The instant from which monthly evidence must be kept (retention never drops a partition that
 * ends after it): a tenant month is frozen and then re-checked until RECHECK_DAYS after its grace
 * period ends, so the oldest month still read is the one that closed RECHECK_DAYS + grace ago.
 * One day is taken off for tenant time zones (a local month ends up to 14 h after the UTC one),
 * then the UTC month start, then one month more for the evidence a month reads from before its
 * start (the recovery point in force when it began, the last restore test).
 */
export function evidenceKeptFromMs(nowMs: number, graceHours: number): number {
  const oldestRead = nowMs - graceHours * 3_600_000 - RECHECK_DAYS * 86_400_000 - 86_400_000;
  return DateTime.fromMillis(oldestRead, { zone: 'utc' }).startOf('month').minus({ months: 1 }).toMillis();
}
