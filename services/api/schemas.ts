import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { INSTANT_PATTERN } from '../core/instant';
import { MONTH_PATTERN } from '../core/month';

/**
 * TypeBox schemas of the /api/v1 routes: fastify validates with them and /openapi.json is built
 * from the same objects, so the document cannot drift from what the routes accept.
 */
export const Month = Type.String({
  pattern: MONTH_PATTERN,
  description: "a calendar month YYYY-MM in the tenant's time zone, from 1970-01 to 9999-12",
  examples: ['2026-03'],
});
export const TenantId = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]*$', maxLength: 100, description: 'tenant id' });
export const ClusterId = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]*$', maxLength: 100, description: 'cluster id' });
export const ExclusionId = Type.String({ pattern: '^[0-9]{1,20}$', description: 'exclusion window id' });
/** The shape only; services/core/instant.ts refuses dates that do not exist and years outside 1970–9999. */
export const Instant = Type.String({
  pattern: INSTANT_PATTERN,
  maxLength: 40,
  description: 'RFC 3339 instant with Z or an offset, 1970 to 9999',
});
/** Free text as PostgreSQL stores it: no NUL, no lone UTF-16 surrogate (JSON's \ud800 escapes can make one). */
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '^[^\\u0000\\uD800-\\uDFFF]*$' });

/** What a refused request gets (every 4xx and 5xx). */
export const ErrorBody = Type.Object({ error: Type.String() });

/**
 * "field: expected ..." texts for validation failures, so a 400 names the field in product words
 * instead of Ajv's "must match pattern".
 */
export const EXPECTED: Readonly<Record<string, string>> = {
  month: 'expected YYYY-MM from 1970-01 to 9999-12',
  tenant: 'expected a tenant id ([a-z0-9][a-z0-9_-]*)',
  cluster: 'expected a cluster id ([a-z0-9][a-z0-9_-]*)',
  id: 'expected an exclusion window id (digits)',
  format: 'expected one of the listed formats',
  revision: 'expected a revision number (1, 2, ...)',
  kind: 'expected one of maintenance, customer, force-majeure',
  start: 'expected an ISO 8601 time with Z or an offset, such as 2026-03-10T22:00:00Z',
  end: 'expected an ISO 8601 time with Z or an offset, such as 2026-03-10T22:00:00Z',
  from: 'expected an ISO 8601 time with Z or an offset, such as 2026-03-10T22:00:00Z',
  to: 'expected an ISO 8601 time with Z or an offset, such as 2026-03-10T22:00:00Z',
  reason: 'expected a non-empty text (up to 1000 characters, no NUL or lone surrogate)',
};

export const TenantParams = Type.Object({ id: TenantId });
export const TenantView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  cluster: Type.String(),
  tier: Type.String(),
  timezone: Type.String(),
  monthlyFee: Type.Object({ amount: Type.String(), currency: Type.String() }),
});

export const ExclusionKind = Type.Union([Type.Literal('maintenance'), Type.Literal('customer'), Type.Literal('force-majeure')]);
export const ExclusionQuery = Type.Object(
  {
    tenant: Type.Optional(TenantId),
    cluster: Type.Optional(ClusterId),
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
  },
  { additionalProperties: false },
);
export const ExclusionBody = Type.Object(
  {
    tenant: Type.Optional(TenantId),
    cluster: Type.Optional(ClusterId),
    kind: ExclusionKind,
    start: Instant,
    end: Instant,
    reason: Text(1000),
  },
  { additionalProperties: false, description: 'exactly one of tenant or cluster' },
);
export const ExclusionParams = Type.Object({ id: ExclusionId });
export const RevokeBody = Type.Object({ reason: Text(1000) }, { additionalProperties: false });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const ExclusionView = Type.Object({
  id: Type.String(),
  tenant: Nullable(Type.String()),
  cluster: Nullable(Type.String()),
  kind: ExclusionKind,
  start: Type.String(),
  end: Type.String(),
  reason: Type.String(),
  recordedBy: Type.String(),
  recordedAt: Type.String(),
  revokedBy: Nullable(Type.String()),
  revokedAt: Nullable(Type.String()),
  revokeReason: Nullable(Type.String()),
});
export const AuditEntry = Type.Object({
  action: Type.Union([Type.Literal('recorded'), Type.Literal('revoked')]),
  by: Type.String(),
  at: Type.String(),
  detail: Type.Unknown(),
});

export const MonthParams = Type.Object({ month: Month });
export const TenantMonthParams = Type.Object({ month: Month, tenant: TenantId });
export const MonthReportQuery = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) },
  { additionalProperties: false },
);
export const TenantReportQuery = Type.Object(
  {
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('html')])),
    // a query string is text: no coercion (app.ts), the route reads the number
    revision: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,8}$', description: 'a frozen revision number (1, 2, ...)' })),
  },
  { additionalProperties: false },
);
/** A stored report as the API gives it: the seal and revision around the report (its shape: services/sla/report.ts). */
export const ReportView = Type.Object({
  tenant: Type.String(),
  month: Type.String(),
  revision: Type.Integer({ description: '0 for a live month-to-date computation' }),
  status: Type.Union([Type.Literal('month-to-date'), Type.Literal('provisional'), Type.Literal('frozen')]),
  computedAt: Type.String(),
  reason: Nullable(Type.String()),
  digest: Type.String({ description: 'SHA-256 hex of the canonical JSON of report' }),
  signature: Nullable(Type.String({ description: 'HMAC-SHA-256 hex; null: unsigned (no key configured)' })),
  signed: Type.Boolean(),
  changes: Type.Optional(Type.Array(Type.Unknown(), { description: 'differences from the previous revision' })),
  report: Type.Object({}, { additionalProperties: true }),
});
export const RevisionView = Type.Omit(ReportView, ['report']);

export type ExclusionBodyT = Static<typeof ExclusionBody>;
export type ExclusionQueryT = Static<typeof ExclusionQuery>;
