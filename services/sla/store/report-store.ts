import { createHash, createHmac } from 'node:crypto';
import type { Clock } from '../../core/clock';
import type { Cluster, Fleet, Tenant, Tier } from '../../config/fleet-types';
import type { Queryable } from '../../storage/db';
import { canonicalJson } from '../canonical';
import { ALLOWED_LATENESS_MS } from './minute-counter';
import { RequestError } from '../../core/errors';
import type { MinuteEvidence } from '../minute-evidence';
import { isMonth, monthRange, type MonthRange } from '../../core/month';
import type { SlaReport, TenantMonth } from '../report';
import { computeReportFromMinutes } from './minutes-report';
import type { ReportChange } from './report-diff';
import { streamReportMinutes } from './report-minutes';
import { loadSparseEvidenceOf, type SparseEvidence } from './sparse-evidence';

/**
 * Reports as the API and the CLI read them: a frozen revision when the month has one, else
 * computed now from the evidence in PostgreSQL (revision 0, month-to-date or provisional).
 */
export interface StoredReport {
  tenant: string;
  month: string;
  /** 1, 2, ... for frozen revisions; 0 for a live computation. */
  revision: number;
  /** provisional: the month is over, the grace period for late data is running. */
  status: 'month-to-date' | 'provisional' | 'frozen';
  computedAt: string;
  reason: string | null;
  canonical: string;
  digest: string;
  /** HMAC-SHA-256 hex; null when no key is configured (the report is then unsigned and says so). */
  signature: string | null;
  report: SlaReport;
  /** Differences from the previous revision (frozen revisions after the first); [] otherwise. */
  changes?: ReportChange[];
}

export interface ReportDeps {
  db: Queryable;
  fleet: Fleet;
  clock: Clock;
  signingKey: Buffer | null;
  graceHours: number;
}

interface ReportRow {
  tenant_id: string;
  month: string;
  revision: number;
  computed_at: Date;
  reason: string;
  canonical: string;
  digest: string;
  signature: string | null;
  changes: ReportChange[];
}

const REVISIONS = `SELECT tenant_id, month, revision, computed_at, reason, canonical, digest, signature, changes
  FROM sla_report WHERE tenant_id = $1 AND month = $2 ORDER BY revision`;
const LATEST_OF_MONTH = `SELECT DISTINCT ON (tenant_id) tenant_id, month, revision, computed_at, reason, canonical, digest, signature, changes
  FROM sla_report WHERE month = $1 ORDER BY tenant_id, revision DESC`;

const LATEST_REVISION = 'SELECT revision, canonical FROM sla_report WHERE tenant_id = $1 AND month = $2 ORDER BY revision DESC LIMIT 1';
const HAS_REVISION = `SELECT EXISTS (SELECT 1 FROM sla_report WHERE tenant_id = $1 AND month = $2) AS any`;
const INSERT_REVISION = `INSERT INTO sla_report (tenant_id, month, revision, computed_at, reason, canonical, digest, signature, signed, changes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;

/** The newest frozen revision of a tenant's month (number and canonical JSON), undefined before the first. */
export async function readLatestRevision(
  db: Queryable,
  tenant: string,
  month: string,
): Promise<{ revision: number; canonical: string } | undefined> {
  return (await db.query<{ revision: number; canonical: string }>(LATEST_REVISION, [tenant, month])).rows[0];
}

/** Whether a tenant's month has a frozen revision. */
export async function hasRevision(db: Queryable, tenant: string, month: string): Promise<boolean> {
  return (await db.query<{ any: boolean }>(HAS_REVISION, [tenant, month])).rows[0]?.any === true;
}

/** Stores a new frozen revision (services/sla/freeze.ts, under its tenant-month lock). */
export async function insertRevision(
  db: Queryable,
  r: {
    tenant: string;
    month: string;
    revision: number;
    computedAt: Date;
    reason: string;
    canonical: string;
    digest: string;
    signature: string | null;
    changes: ReportChange[];
  },
): Promise<void> {
  await db.query(INSERT_REVISION, [
    r.tenant,
    r.month,
    r.revision,
    r.computedAt,
    r.reason,
    r.canonical,
    r.digest,
    r.signature,
    r.signature !== null,
    JSON.stringify(r.changes),
  ]);
}

/** HMAC-SHA-256 of the canonical JSON, as services/sla/signature.ts seals it; null without a key. */
export function signCanonical(canonical: string, key: Buffer | null): string | null {
  return key === null || key.length === 0 ? null : createHmac('sha256', key).update(canonical, 'utf8').digest('hex');
}

export function fromRow(row: ReportRow): StoredReport {
  return {
    tenant: row.tenant_id,
    month: row.month,
    revision: row.revision,
    status: 'frozen',
    computedAt: row.computed_at.toISOString(),
    reason: row.reason,
    canonical: row.canonical,
    digest: row.digest,
    signature: row.signature,
    report: JSON.parse(row.canonical) as SlaReport,
    changes: row.changes,
  };
}

/** Computes a tenant's month now; undefined for a tenant not in the fleet or a month not begun. */
export async function liveReport(deps: ReportDeps, tenant: string, month: string): Promise<StoredReport | undefined> {
  const t = deps.fleet.tenants.find((x) => x.id === tenant);
  if (!t) return undefined;
  return (await liveReports(deps, [t], month, deps.clock.now())).get(tenant);
}

// Tenants per batch of the month's one scan (and per ingress read): what JavaScript holds at once.
const BATCH = 50;

/**
 * Computes the months of `tenants` now, by tenant id; tenants whose month has not begun at `now`
 * are left out. Tenants sharing a time zone share a month range and are read together.
 */
async function liveReports(deps: ReportDeps, tenants: readonly Tenant[], month: string, now: number): Promise<Map<string, StoredReport>> {
  const groups = new Map<string, { range: MonthRange; tenants: Tenant[] }>();
  for (const t of tenants) {
    const range = monthRange(month, t.timezone);
    if (now < range.startMs) continue;
    const key = `${range.startMs}/${range.endMs}`;
    const group = groups.get(key);
    if (group) group.tenants.push(t);
    else groups.set(key, { range, tenants: [t] });
  }
  const out = new Map<string, StoredReport>();
  for (const { range, tenants: members } of groups.values()) {
    const byId = new Map(members.map((t) => [t.id, t]));
    const sparse = loadSparseEvidenceOf(deps.db, members, range);
    // Awaited only after the first batch: an unobserved rejection would otherwise end the process.
    sparse.catch(() => undefined);
    const batches = streamReportMinutes(
      deps.db,
      members.map((t) => t.id),
      range,
      BATCH,
    );
    // The next batch is read while this one is computed.
    let next = batches.next();
    for (;;) {
      const [item, lines] = await Promise.all([next, sparse]);
      if (item.done) break;
      next = batches.next();
      next.catch(() => undefined);
      for (const id of item.value.tenants) {
        const t = byId.get(id)!;
        out.set(id, stored(deps, month, range, now, inputOf(deps.fleet, t, month, lines.get(id)!), item.value.minutesOf(id)));
      }
    }
  }
  return out;
}

function inputOf(fleet: Fleet, tenant: Tenant, month: string, lines: SparseEvidence): TenantMonth {
  return {
    tenant,
    tier: fleet.tiers[tenant.tier] as Tier,
    cluster: fleet.clusters[tenant.cluster] as Cluster,
    month,
    tenantEvidence: lines.tenant,
    clusterEvidence: lines.cluster,
  };
}

function stored(
  deps: ReportDeps,
  month: string,
  range: MonthRange,
  now: number,
  input: TenantMonth,
  minutes: MinuteEvidence,
): StoredReport {
  const status = now < range.endMs ? 'month-to-date' : 'provisional';
  // A month in progress stops where the SLI counter stops: a minute counts once it has closed
  // (ALLOWED_LATENESS after its end), so late probes and log lines are not taken for missing
  // ones, and the report and /metrics count the same minutes (docs/sla.md#month-to-date).
  const report = computeReportFromMinutes(status === 'month-to-date' ? { ...input, asOfMs: now - ALLOWED_LATENESS_MS } : input, minutes);
  const canonical = canonicalJson(report);
  return {
    tenant: input.tenant.id,
    month,
    revision: 0,
    status,
    computedAt: new Date(now).toISOString(),
    reason:
      status === 'month-to-date'
        ? `month to date as of ${report.monthToDate?.asOf}: ${report.monthToDate?.minutesElapsed} minutes elapsed, ${report.monthToDate?.minutesRemaining} to come; figures and credit provisional`
        : `month over, not frozen yet (grace ${deps.graceHours} h for late evidence)`,
    canonical,
    // sha256Hex(report) of the canonical JSON already made: the same bytes, serialized once
    digest: createHash('sha256').update(canonical, 'utf8').digest('hex'),
    signature: signCanonical(canonical, deps.signingKey),
    report,
    changes: [],
  };
}

/**
 * One tenant's month: the given frozen revision, else the newest frozen one, else computed
 * live. undefined: unknown tenant, month not started, or no such revision.
 */
export async function tenantReport(deps: ReportDeps, tenant: string, month: string, revision?: number): Promise<StoredReport | undefined> {
  const t = deps.fleet.tenants.find((x) => x.id === tenant);
  checkMonth(month, t ? [t] : []);
  if (!t) return undefined;
  const frozen = await reportRevisions(deps, tenant, month);
  if (revision !== undefined) return revision === 0 ? liveReport(deps, tenant, month) : frozen.find((r) => r.revision === revision);
  return frozen.at(-1) ?? liveReport(deps, tenant, month);
}

/** Every tenant of the fleet for a month, in fleet order (tenants whose month has not begun are left out). */
export async function monthReports(deps: ReportDeps, month: string): Promise<StoredReport[]> {
  checkMonth(month, deps.fleet.tenants);
  const { rows } = await deps.db.query<ReportRow>(LATEST_OF_MONTH, [month]);
  const frozen = new Map(rows.map((r) => [r.tenant_id, fromRow(r)]));
  const live = await liveReports(
    deps,
    deps.fleet.tenants.filter((t) => !frozen.has(t.id)),
    month,
    deps.clock.now(),
  );
  return deps.fleet.tenants.flatMap((t) => {
    const report = frozen.get(t.id) ?? live.get(t.id);
    return report ? [report] : [];
  });
}

/** Frozen revisions of a tenant's month, oldest first, each with its reason. */
export async function reportRevisions(deps: ReportDeps, tenant: string, month: string): Promise<StoredReport[]> {
  checkMonth(
    month,
    deps.fleet.tenants.filter((t) => t.id === tenant),
  );
  const { rows } = await deps.db.query<ReportRow>(REVISIONS, [tenant, month]);
  return rows.map(fromRow);
}

/** A month the engine can compute for these tenants: 1970-01 to 9999-12, and whole-minute offsets in each zone. */
function checkMonth(month: string, tenants: readonly Tenant[]): void {
  if (!isMonth(month))
    throw new RequestError(400, `month: expected YYYY-MM from 1970-01 to 9999-12, got ${JSON.stringify(month).slice(0, 40)}`);
  for (const zone of new Set(tenants.map((t) => t.timezone))) {
    try {
      monthRange(month, zone);
    } catch (err) {
      throw new RequestError(400, `month: ${(err as Error).message}`);
    }
  }
}
