import type { StoredReport } from '../store/report-store';

/**
 * A stored report as the API and `tenantscope report --format json` give it: the seal, revision
 * and status around the report. The canonical text is left out: `report` is its parse, and the
 * digest is over the canonical JSON of `report` (services/sla/canonical.ts reproduces it).
 */
export function reportJson(s: StoredReport) {
  return { ...revisionJson(s), report: s.report };
}

/** A revision without its report, for revision lists. */
export function revisionJson(s: Omit<StoredReport, 'report'>) {
  return {
    tenant: s.tenant,
    month: s.month,
    revision: s.revision,
    status: s.status,
    computedAt: s.computedAt,
    reason: s.reason,
    digest: s.digest,
    signature: s.signature,
    signed: s.signature !== null,
    ...(s.changes !== undefined && { changes: s.changes }),
  };
}
