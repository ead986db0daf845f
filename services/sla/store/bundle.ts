import type { Cluster, Tenant, Tier } from '../../config/fleet-types';
import { canonicalJson, sha256Hex } from '../canonical';
import { parseEvidenceLine, type Evidence } from '../evidence';
import { EvidenceIndex } from '../minute-evidence';
import { computeFleetReports, REPORT_VERSION } from '../report';
import type { LoadedMonth } from './evidence-loader';
import type { StoredReport } from './report-store';

/**
 * The audit bundle of one tenant's month (`tenantscope sla export`): a header line with what
 * the engine needs besides evidence (tier, the tenant's and cluster's fleet entries, month,
 * engine version), a line with the stored report (revision, digest, signature, canonical JSON),
 * then the evidence in the engine's evidence-line format (docs/sla.md). `sla recompute`
 * rebuilds the report from the bundle alone through the engine's own path (computeReport over
 * evidence lines), which is independent of the PostgreSQL path that made the stored report.
 */
export const BUNDLE_FORMAT = 1;

export interface BundleHeader {
  kind: 'bundle';
  format: number;
  month: string;
  engineVersion: number;
  tier: Tier;
  /** The tenant's fleet entry; monthlyFee.minor as a string of digits. */
  tenant: Omit<Tenant, 'monthlyFee'> & { monthlyFee: Omit<Tenant['monthlyFee'], 'minor'> & { minor: string } };
  cluster: Pick<Cluster, 'id' | 'timezone' | 'maintenance'>;
}

export interface BundleReport {
  kind: 'stored-report';
  revision: number;
  status: StoredReport['status'];
  digest: string;
  signature: string | null;
  canonical: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** One evidence item as its NDJSON line (the inverse of parseEvidenceLine). */
export function evidenceLine(e: Evidence): string {
  const owner = 'tenant' in e && e.tenant !== undefined ? { tenant: e.tenant } : { cluster: (e as { cluster: string }).cluster };
  switch (e.kind) {
    case 'probe':
      return JSON.stringify({ kind: 'probe', tenant: e.tenant, ts: iso(e.tsMs), ok: e.ok });
    case 'requests':
      return JSON.stringify({
        kind: 'requests',
        tenant: e.tenant,
        minute: iso(e.minuteMs),
        total: e.total,
        serverErrors: e.serverErrors,
        source: e.source,
      });
    case 'exclusion':
      return JSON.stringify({
        kind: 'exclusion',
        ...owner,
        start: iso(e.startMs),
        end: iso(e.endMs),
        type: e.type,
        reason: e.reason,
        recordedBy: e.recordedBy,
        recordedAt: e.recordedAt,
      });
    case 'signal':
      return JSON.stringify({ kind: 'signal', ...owner, ts: iso(e.tsMs), signal: e.signal });
    case 'recovery-point':
      return JSON.stringify({ kind: 'recovery-point', ...owner, ts: iso(e.tsMs), point: iso(e.pointMs) });
    case 'restore-test':
      return JSON.stringify({ kind: 'restore-test', ...owner, ts: iso(e.tsMs), ok: e.ok, durationSeconds: e.durationSeconds });
  }
}

/** Writes the bundle line by line through `write` (stdout in the CLI): a month is ~100k lines. */
export function writeBundle(loaded: LoadedMonth, stored: StoredReport, write: (line: string) => void): void {
  const { input, range, minutes: ev } = loaded;
  const { monthlyFee, ...tenant } = input.tenant;
  const header: BundleHeader = {
    kind: 'bundle',
    format: BUNDLE_FORMAT,
    month: input.month,
    engineVersion: REPORT_VERSION,
    tier: input.tier,
    tenant: { ...tenant, monthlyFee: { ...monthlyFee, minor: monthlyFee.minor.toString() } },
    cluster: { id: input.cluster.id, timezone: input.cluster.timezone, maintenance: input.cluster.maintenance },
  };
  write(JSON.stringify(header));
  const report: BundleReport = {
    kind: 'stored-report',
    revision: stored.revision,
    status: stored.status,
    digest: stored.digest,
    signature: stored.signature,
    canonical: stored.canonical,
  };
  write(JSON.stringify(report));
  const id = input.tenant.id;
  for (let i = 0; i < range.minutes; i++) {
    const ts = iso(range.startMs + i * 60_000);
    for (let k = 0; k < ev.probesOk[i]!; k++) write(`{"kind":"probe","tenant":${JSON.stringify(id)},"ts":"${ts}","ok":true}`);
    for (let k = 0; k < ev.probesFailed[i]!; k++) write(`{"kind":"probe","tenant":${JSON.stringify(id)},"ts":"${ts}","ok":false}`);
    if (ev.hasIngress[i] === 1)
      write(
        JSON.stringify({
          kind: 'requests',
          tenant: id,
          minute: ts,
          total: ev.ingressTotal[i],
          serverErrors: ev.ingressErrors[i],
          source: 'ingress',
        }),
      );
    if (ev.hasOdoo[i] === 1)
      write(
        JSON.stringify({
          kind: 'requests',
          tenant: id,
          minute: ts,
          total: ev.odooTotal[i],
          serverErrors: ev.odooErrors[i],
          source: 'odoo',
        }),
      );
  }
  for (const e of [...input.tenantEvidence, ...input.clusterEvidence]) write(evidenceLine(e));
}

export type RecomputeResult =
  { ok: true; tenant: string; month: string; revision: number; digest: string } | { ok: false; message: string };

/** Rebuilds the report from bundle lines and compares it byte for byte with the stored one. */
export function recomputeBundle(lines: Iterable<string>): RecomputeResult {
  let header: BundleHeader | undefined;
  let stored: BundleReport | undefined;
  const index = new EvidenceIndex();
  let n = 0;
  for (const text of lines) {
    n++;
    if (text.trim() === '') continue;
    const kind = /^\{"kind":"(bundle|stored-report)"/.exec(text)?.[1];
    if (kind === 'bundle') header = JSON.parse(text) as BundleHeader;
    else if (kind === 'stored-report') stored = JSON.parse(text) as BundleReport;
    else {
      const e = parseEvidenceLine(text);
      if ('error' in e) return { ok: false, message: `line ${n}: ${e.error}` };
      index.add(e);
    }
  }
  if (!header || header.format !== BUNDLE_FORMAT)
    return { ok: false, message: `not an SLA bundle of format ${BUNDLE_FORMAT} (no "bundle" header line)` };
  if (!stored) return { ok: false, message: 'no "stored-report" line: nothing to compare with' };
  if (header.engineVersion !== REPORT_VERSION)
    return { ok: false, message: `bundle made by engine version ${header.engineVersion}, this is version ${REPORT_VERSION}` };
  if (sha256Hex(JSON.parse(stored.canonical)) !== stored.digest)
    return { ok: false, message: 'the stored canonical JSON does not match its digest' };
  const tenant: Tenant = { ...header.tenant, monthlyFee: { ...header.tenant.monthlyFee, minor: BigInt(header.tenant.monthlyFee.minor) } };
  const fleet = {
    tiers: { [header.tier.id]: header.tier },
    clusters: { [header.cluster.id]: header.cluster as Cluster },
    tenants: [tenant],
  };
  const [report] = computeFleetReports(fleet, header.month, index, tenant.id);
  const canonical = canonicalJson(report);
  if (canonical === stored.canonical)
    return { ok: true, tenant: tenant.id, month: header.month, revision: stored.revision, digest: stored.digest };
  return { ok: false, message: firstDifference(stored.canonical, canonical) };
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const around = (s: string) => JSON.stringify(s.slice(Math.max(0, i - 40), i + 40));
  return `first difference at character ${i}: stored …${around(a)}…, recomputed …${around(b)}…`;
}
