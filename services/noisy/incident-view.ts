import type { Principal } from '../auth/principal';
import type { StoredIncident } from './incident-store';

/**
 * An incident as the API and the CLI show it. A tenant token sees only the incidents that name
 * its tenant (as antagonist or victim), with its own role; every other tenant's name is
 * withheld (`tenant: null` for an antagonist, a count for victims) and the evidence keeps only
 * its own series: a customer learns that a neighbour hurt it, never which customer that was.
 */
export interface IncidentView {
  id: string;
  cluster: string;
  resource: string;
  kind: 'neighbour' | 'capacity';
  state: 'suspected' | 'confirmed' | 'closed';
  start: string;
  confirmedAt: string | null;
  end: string | null;
  peakShare: number;
  score: number;
  antagonists: { tenant: string | null; blame: number; peakShare: number }[];
  victims: string[];
  /** Victims whose names are withheld from this token. */
  otherVictims: number;
  /** The token's tenant's part in the incident; absent for admin and read-only tokens. */
  role?: 'antagonist' | 'victim';
  evidence: { minute: string; shares: Record<string, number>; victimZ: Record<string, number> }[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function canSeeIncident(who: Principal, i: StoredIncident): boolean {
  return who.role !== 'tenant' || i.victims.includes(who.tenant) || i.antagonists.some((a) => a.tenant === who.tenant);
}

export function incidentView(who: Principal, i: StoredIncident): IncidentView {
  const own = (t: string) => who.role !== 'tenant' || t === who.tenant;
  const keep = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).filter(([t]) => own(t)));
  const victims = i.victims.filter(own);
  const view: IncidentView = {
    id: i.id,
    cluster: i.cluster,
    resource: i.resource,
    kind: i.kind,
    state: i.end !== null ? 'closed' : i.confirmedAt !== null ? 'confirmed' : 'suspected',
    start: iso(i.start)!,
    confirmedAt: iso(i.confirmedAt),
    end: iso(i.end),
    peakShare: i.peakShare,
    score: i.score,
    antagonists: i.antagonists.map((a) => ({ tenant: own(a.tenant) ? a.tenant : null, blame: a.blame, peakShare: a.peakShare })),
    victims,
    otherVictims: i.victims.length - victims.length,
    evidence: i.evidence.map((e) => ({ minute: new Date(e.minute).toISOString(), shares: keep(e.shares), victimZ: keep(e.victimZ) })),
  };
  if (who.role === 'tenant') view.role = i.antagonists.some((a) => a.tenant === who.tenant) ? 'antagonist' : 'victim';
  return view;
}

/** One line per incident for `tenantscope noisy list --format table`. */
export function incidentTable(views: readonly IncidentView[]): string {
  const head = ['start', 'end', 'cluster', 'resource', 'state', 'antagonists', 'victims', 'peak', 'score'];
  const rows = views.map((v) => [
    v.start,
    v.end ?? 'open',
    v.cluster,
    v.resource,
    v.state,
    v.antagonists.map((a) => `${a.tenant ?? '(other)'}:${a.blame.toFixed(2)}`).join(',') || '-',
    v.victims.join(',') || '-',
    v.peakShare.toFixed(2),
    v.score.toFixed(2),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  return (
    [head, ...rows]
      .map((r) =>
        r
          .map((cell, c) => cell.padEnd(widths[c]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
