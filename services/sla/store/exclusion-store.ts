import { RequestError } from '../../core/errors';
import { parseInstant } from '../../core/instant';
import type { Queryable } from '../../storage/db';
import { clusterExists, TENANTS, tenantExists } from '../../config/fleet-store';

/**
 * Exclusion windows approved through the API (docs/sla.md): kind, reason, who, when. Recording and
 * revoking are audit rows; nothing is deleted, so a frozen report that counted a window stays
 * explainable after the window is revoked (the next revision then says why it changed).
 */
export type ExclusionKind = 'maintenance' | 'customer' | 'force-majeure';

export interface RecordedExclusion {
  id: string;
  tenant: string | null;
  cluster: string | null;
  kind: ExclusionKind;
  start: string;
  end: string;
  reason: string;
  recordedBy: string;
  recordedAt: string;
  revokedBy: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
}

export interface ExclusionAuditEntry {
  action: 'recorded' | 'revoked';
  by: string;
  at: string;
  detail: unknown;
}

const KINDS: readonly string[] = ['maintenance', 'customer', 'force-majeure'];
const ID = /^[1-9]\d{0,17}$/;

const COLUMNS = `id::text, tenant_id, cluster_id, kind, start_at, end_at, reason, recorded_by, recorded_at, revoked_by, revoked_at, revoke_reason`;
const INSERT = `INSERT INTO sla_exclusion (tenant_id, cluster_id, kind, start_at, end_at, reason, recorded_by, recorded_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`;
const INSERT_AUDIT = `INSERT INTO sla_exclusion_audit (exclusion_id, action, actor, at, detail) VALUES ($1, $2, $3, $4, $5)`;
// Revoking twice keeps the first revocation: the WHERE makes the second a no-op.
const REVOKE = `UPDATE sla_exclusion SET revoked_by = $2, revoked_at = $3, revoke_reason = $4
  WHERE id = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`;
const SELECT_ONE = `SELECT ${COLUMNS} FROM sla_exclusion WHERE id = $1`;
const AUDIT = `SELECT action, actor, at, detail FROM sla_exclusion_audit WHERE exclusion_id = $1 ORDER BY id`;

interface Row {
  id: string;
  tenant_id: string | null;
  cluster_id: string | null;
  kind: ExclusionKind;
  start_at: Date;
  end_at: Date;
  reason: string;
  recorded_by: string;
  recorded_at: Date;
  revoked_by: string | null;
  revoked_at: Date | null;
  revoke_reason: string | null;
}

function fromRow(r: Row): RecordedExclusion {
  return {
    id: r.id,
    tenant: r.tenant_id,
    cluster: r.cluster_id,
    kind: r.kind,
    start: r.start_at.toISOString(),
    end: r.end_at.toISOString(),
    reason: r.reason,
    recordedBy: r.recorded_by,
    recordedAt: r.recorded_at.toISOString(),
    revokedBy: r.revoked_by,
    revokedAt: r.revoked_at?.toISOString() ?? null,
    revokeReason: r.revoke_reason,
  };
}

/** A real instant from 1970 to 9999: 2026-02-30 is refused, never stored as 2026-03-02. */
function instant(field: string, value: unknown): Date {
  const ms = typeof value === 'string' ? parseInstant(value) : undefined;
  if (ms === undefined) {
    throw new RequestError(
      400,
      `${field}: expected an ISO 8601 time with Z or an offset, such as 2026-03-10T22:00:00Z (a real date, 1970 to 9999)`,
    );
  }
  return new Date(ms);
}

// PostgreSQL text holds no NUL, and a lone UTF-16 surrogate would be stored as U+FFFD: both refused.
// eslint-disable-next-line no-control-regex -- NUL is the character refused
const UNSTORABLE = /[\u0000\uD800-\uDFFF]/u;

function text(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new RequestError(400, `${field}: expected a non-empty text`);
  if (UNSTORABLE.test(value)) throw new RequestError(400, `${field}: expected a text without NUL or a lone surrogate`);
  return value;
}

/**
 * Records an approved window for one tenant or one cluster. Runs two statements: pass a
 * transaction's client so the window and its audit row land together (a pool works, less atomically).
 */
export async function recordExclusion(
  db: Queryable,
  input: { tenant?: string; cluster?: string; kind: ExclusionKind; start: string; end: string; reason: string },
  by: string,
  at: Date,
): Promise<RecordedExclusion> {
  if ((input.tenant === undefined) === (input.cluster === undefined))
    throw new RequestError(400, 'tenant: expected exactly one of tenant or cluster');
  if (!KINDS.includes(input.kind)) throw new RequestError(400, `kind: expected one of ${KINDS.join(', ')}`);
  const start = instant('start', input.start);
  const end = instant('end', input.end);
  if (end <= start) throw new RequestError(400, 'end: expected a time after start');
  const reason = text('reason', input.reason);
  text('by', by);
  const owner =
    input.tenant !== undefined
      ? { exists: tenantExists, id: input.tenant, field: 'tenant' }
      : { exists: clusterExists, id: input.cluster!, field: 'cluster' };
  text(owner.field, owner.id);
  if (!(await owner.exists(db, owner.id)))
    throw new RequestError(400, `${owner.field}: unknown ${owner.field} ${JSON.stringify(owner.id)}`);
  const { rows } = await db.query<Row>(INSERT, [input.tenant ?? null, input.cluster ?? null, input.kind, start, end, reason, by, at]);
  const recorded = fromRow(rows[0]!);
  const detail = {
    tenant: recorded.tenant,
    cluster: recorded.cluster,
    kind: recorded.kind,
    start: recorded.start,
    end: recorded.end,
    reason,
  };
  await db.query(INSERT_AUDIT, [recorded.id, 'recorded', by, at, JSON.stringify(detail)]);
  return recorded;
}

/** Windows of a tenant (its own and its cluster's) or of a cluster, overlapping [from, to); revoked ones included. */
export async function listExclusions(
  db: Queryable,
  filter: { tenant?: string; cluster?: string; from?: string; to?: string },
): Promise<RecordedExclusion[]> {
  if (filter.tenant !== undefined) text('tenant', filter.tenant);
  if (filter.cluster !== undefined) text('cluster', filter.cluster);
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (v: unknown) => `$${params.push(v)}`;
  if (filter.tenant !== undefined) {
    const p = param(filter.tenant);
    where.push(`(tenant_id = ${p} OR cluster_id = (SELECT t.cluster_id FROM ${TENANTS} t WHERE t.id = ${p}))`);
  }
  if (filter.cluster !== undefined) where.push(`cluster_id = ${param(filter.cluster)}`);
  if (filter.from !== undefined) where.push(`end_at > ${param(instant('from', filter.from))}`);
  if (filter.to !== undefined) where.push(`start_at < ${param(instant('to', filter.to))}`);
  const sql = `SELECT ${COLUMNS} FROM sla_exclusion ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY start_at, id`;
  const { rows } = await db.query<Row>(sql, params);
  return rows.map(fromRow);
}

/** Revokes a window (kept, marked revoked). undefined for an unknown id; an already revoked window is returned unchanged. */
export async function revokeExclusion(
  db: Queryable,
  id: string,
  by: string,
  at: Date,
  reason: string,
): Promise<RecordedExclusion | undefined> {
  if (!ID.test(id)) return undefined;
  text('reason', reason);
  text('by', by);
  const { rows } = await db.query<Row>(REVOKE, [id, by, at, reason]);
  if (rows[0]) {
    await db.query(INSERT_AUDIT, [id, 'revoked', by, at, JSON.stringify({ reason })]);
    return fromRow(rows[0]);
  }
  const existing = await db.query<Row>(SELECT_ONE, [id]);
  return existing.rows[0] ? fromRow(existing.rows[0]) : undefined;
}

export async function exclusionAudit(db: Queryable, id: string): Promise<ExclusionAuditEntry[]> {
  if (!ID.test(id)) return [];
  const { rows } = await db.query<{ action: 'recorded' | 'revoked'; actor: string; at: Date; detail: unknown }>(AUDIT, [id]);
  return rows.map((r) => ({ action: r.action, by: r.actor, at: r.at.toISOString(), detail: r.detail }));
}

const ACTIVE_EXCLUSIONS = `SELECT ${COLUMNS} FROM sla_exclusion WHERE revoked_at IS NULL AND end_at > $1 AND start_at < $2
       AND ($3::text[] IS NULL OR tenant_id = ANY($3) OR cluster_id IN (SELECT t.cluster_id FROM ${TENANTS} t WHERE t.id = ANY($3)))
     ORDER BY id`;

/** Windows in force (not revoked) that overlap [startMs, endMs), for the engine. */
export async function activeExclusions(
  db: Queryable,
  startMs: number,
  endMs: number,
  tenants?: readonly string[],
): Promise<RecordedExclusion[]> {
  const { rows } = await db.query<Row>(ACTIVE_EXCLUSIONS, [new Date(startMs), new Date(endMs), tenants ?? null]);
  return rows.map(fromRow);
}
