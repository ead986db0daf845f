import { DateTime } from 'luxon';
import type { ExclusionType } from './windows';

/**
 * SLA evidence: what the collectors observed, one JSON object per line in a bundle. The engine
 * reads only these; the later PostgreSQL path fills the same per-minute arrays from rollups.
 * Times are UTC milliseconds. A line names its owner: a tenant, or a cluster for evidence that
 * concerns every tenant of the cluster (a shared window, a shared outage, a cluster backup).
 */
export interface Owner {
  readonly tenant?: string;
  readonly cluster?: string;
}

export type RequestSource = 'ingress' | 'odoo';

export type Evidence =
  | { readonly kind: 'probe'; readonly tenant: string; readonly tsMs: number; readonly ok: boolean }
  | {
      readonly kind: 'requests';
      readonly tenant: string;
      readonly minuteMs: number;
      readonly total: number;
      /** 5xx and timeouts; an aborted request (code 0) is not a server error. */
      readonly serverErrors: number;
      readonly source: RequestSource;
    }
  | (Owner & {
      readonly kind: 'exclusion';
      readonly startMs: number;
      readonly endMs: number;
      readonly type: ExclusionType;
      readonly reason: string;
      readonly recordedBy?: string;
      readonly recordedAt?: string;
    })
  /** Something seen that explains downtime (postgres-unreachable, worker-kill ...); it never decides a minute. */
  | (Owner & { readonly kind: 'signal'; readonly tsMs: number; readonly signal: string })
  /** At `tsMs` the newest point the tenant (or cluster) can be restored to was `pointMs`. */
  | (Owner & { readonly kind: 'recovery-point'; readonly tsMs: number; readonly pointMs: number })
  /** A restore test that finished at `tsMs`. */
  | (Owner & { readonly kind: 'restore-test'; readonly tsMs: number; readonly ok: boolean; readonly durationSeconds: number });

const INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:\d\d)$/;
const NAME = /^[a-z0-9][a-z0-9_-]*$/;
const EXCLUSION_TYPES: readonly string[] = ['maintenance', 'customer', 'force-majeure'];

/** Thrown by the field readers; the caller turns it into "line N: ...". */
class LineError extends Error {}

/** Parses one evidence line; returns the evidence or what is wrong with it. */
export function parseEvidenceLine(text: string): Evidence | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { error: 'not valid JSON' };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { error: 'expected a JSON object' };
  try {
    return readEvidence(raw as Record<string, unknown>);
  } catch (err) {
    if (err instanceof LineError) return { error: err.message };
    throw err;
  }
}

function readEvidence(o: Record<string, unknown>): Evidence {
  switch (o.kind) {
    case 'probe':
      return { kind: 'probe', tenant: name(o, 'tenant'), tsMs: instant(o, 'ts'), ok: bool(o, 'ok') };
    case 'requests': {
      const minuteMs = instant(o, 'minute');
      if (minuteMs % 60_000 !== 0) throw new LineError('minute: expected the start of a UTC minute');
      const total = count(o, 'total');
      const serverErrors = count(o, 'serverErrors');
      if (serverErrors > total) throw new LineError('serverErrors: expected at most total');
      const source = o.source ?? 'ingress';
      if (source !== 'ingress' && source !== 'odoo') throw new LineError('source: expected ingress or odoo');
      return { kind: 'requests', tenant: name(o, 'tenant'), minuteMs, total, serverErrors, source };
    }
    case 'exclusion': {
      const startMs = instant(o, 'start');
      const endMs = instant(o, 'end');
      if (endMs <= startMs) throw new LineError('end: expected a time after start');
      const type = o.type ?? 'maintenance';
      if (typeof type !== 'string' || !EXCLUSION_TYPES.includes(type))
        throw new LineError(`type: expected one of ${EXCLUSION_TYPES.join(', ')}`);
      return {
        kind: 'exclusion',
        ...owner(o),
        startMs,
        endMs,
        type: type as ExclusionType,
        reason: text(o, 'reason'),
        ...(o.recordedBy !== undefined && { recordedBy: text(o, 'recordedBy') }),
        ...(o.recordedAt !== undefined && { recordedAt: new Date(instant(o, 'recordedAt')).toISOString() }),
      };
    }
    case 'signal':
      return { kind: 'signal', ...owner(o), tsMs: instant(o, 'ts'), signal: name(o, 'signal') };
    case 'recovery-point': {
      const tsMs = instant(o, 'ts');
      const pointMs = instant(o, 'point');
      if (pointMs > tsMs) throw new LineError('point: expected a time at or before ts (a point cannot be known before it exists)');
      return { kind: 'recovery-point', ...owner(o), tsMs, pointMs };
    }
    case 'restore-test': {
      const durationSeconds = o.durationSeconds;
      if (typeof durationSeconds !== 'number' || !Number.isFinite(durationSeconds) || durationSeconds < 0) {
        throw new LineError('durationSeconds: expected a number of seconds ≥ 0');
      }
      return { kind: 'restore-test', ...owner(o), tsMs: instant(o, 'ts'), ok: bool(o, 'ok'), durationSeconds };
    }
    default:
      throw new LineError(
        `kind: expected one of probe, requests, exclusion, signal, recovery-point, restore-test, got ${JSON.stringify(o.kind)}`.slice(
          0,
          160,
        ),
      );
  }
}

function name(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== 'string' || !NAME.test(v)) throw new LineError(`${key}: expected an id matching [a-z0-9][a-z0-9_-]*`);
  return v;
}

function text(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.trim() === '') throw new LineError(`${key}: expected a non-empty string`);
  return v;
}

function bool(o: Record<string, unknown>, key: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new LineError(`${key}: expected true or false`);
  return v;
}

function count(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new LineError(`${key}: expected an integer ≥ 0`);
  return v;
}

/** An ISO 8601 instant with an explicit offset: a bare local time would be ambiguous evidence. */
function instant(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  if (typeof v === 'string' && INSTANT.test(v)) {
    const parsed = DateTime.fromISO(v, { setZone: true });
    if (parsed.isValid) return parsed.toMillis();
  }
  throw new LineError(`${key}: expected an ISO 8601 time with Z or an offset, such as 2026-03-01T00:00:15Z`);
}

function owner(o: Record<string, unknown>): Owner {
  if ((o.tenant === undefined) === (o.cluster === undefined)) throw new LineError('expected exactly one of tenant or cluster');
  return o.tenant !== undefined ? { tenant: name(o, 'tenant') } : { cluster: name(o, 'cluster') };
}
