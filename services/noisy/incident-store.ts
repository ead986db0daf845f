import type { Queryable } from '../storage/db';
import type { NoisyIncident, Resource } from './detector-types';

/**
 * Noisy-neighbour incidents in PostgreSQL (migrations/0011_noisy.sql). The detector reports an
 * incident again each minute it changes; the row is rewritten until its end is set, and the
 * detector's id (unique within a cluster) keeps it one row.
 */

export interface StoredIncident extends NoisyIncident {
  updatedAt: number;
}

const SAVE_INCIDENTS = `INSERT INTO noisy_incident AS n (cluster_id, id, resource, kind, start_at, confirmed_at, end_at, peak_share, score, antagonists, antagonist_ids, victims, evidence, updated_at)
     SELECT x.cluster, x.id, x.resource, x.kind, x.start, x.confirmed, x."end", x.peak, x.score, x.antagonists,
            ARRAY(SELECT jsonb_array_elements_text(x.antagonist_ids)), ARRAY(SELECT jsonb_array_elements_text(x.victims)), x.evidence, $2
     FROM jsonb_to_recordset($1) AS x (cluster text, id text, resource text, kind text, start timestamptz, confirmed timestamptz, "end" timestamptz,
       peak float8, score float8, antagonists jsonb, antagonist_ids jsonb, victims jsonb, evidence jsonb)
     ON CONFLICT (cluster_id, id) DO UPDATE SET resource = EXCLUDED.resource, kind = EXCLUDED.kind, start_at = EXCLUDED.start_at,
       confirmed_at = EXCLUDED.confirmed_at, end_at = EXCLUDED.end_at, peak_share = EXCLUDED.peak_share, score = EXCLUDED.score,
       antagonists = EXCLUDED.antagonists, antagonist_ids = EXCLUDED.antagonist_ids, victims = EXCLUDED.victims,
       evidence = EXCLUDED.evidence, updated_at = EXCLUDED.updated_at
     WHERE n.end_at IS NULL`;

export async function saveIncidents(db: Queryable, incidents: readonly NoisyIncident[], now: Date): Promise<void> {
  if (incidents.length === 0) return;
  const rows = incidents.map((i) => ({
    cluster: i.cluster,
    id: i.id,
    resource: i.resource,
    kind: i.kind,
    start: new Date(i.start).toISOString(),
    confirmed: i.confirmedAt === null ? null : new Date(i.confirmedAt).toISOString(),
    end: i.end === null ? null : new Date(i.end).toISOString(),
    peak: i.peakShare,
    score: i.score,
    antagonists: i.antagonists,
    antagonist_ids: i.antagonists.map((a) => a.tenant),
    victims: i.victims,
    evidence: i.evidence,
  }));
  await db.query(SAVE_INCIDENTS, [JSON.stringify(rows), now]);
}

export interface IncidentQuery {
  /** Incidents overlapping [from, to): started before `to`, not ended before `from`. */
  fromMs?: number;
  toMs?: number;
  /** Only incidents naming this tenant as antagonist or victim. */
  tenant?: string;
  /** Unconfirmed (suspected) incidents are left out unless asked for. */
  includeSuspected?: boolean;
  /** Only incidents still open. */
  openOnly?: boolean;
}

const INCIDENTS = `SELECT * FROM noisy_incident
     WHERE ($1::timestamptz IS NULL OR end_at IS NULL OR end_at >= $1)
       AND ($2::timestamptz IS NULL OR start_at < $2)
       AND ($3::text IS NULL OR $3 = ANY(antagonist_ids) OR $3 = ANY(victims))
       AND ($4 OR confirmed_at IS NOT NULL)
       AND (NOT $5 OR end_at IS NULL)
     ORDER BY start_at, cluster_id, id`;

export async function listIncidents(db: Queryable, q: IncidentQuery): Promise<StoredIncident[]> {
  const { rows } = await db.query(INCIDENTS, [
    q.fromMs === undefined ? null : new Date(q.fromMs),
    q.toMs === undefined ? null : new Date(q.toMs),
    q.tenant ?? null,
    q.includeSuspected ?? false,
    q.openOnly ?? false,
  ]);
  return rows.map((r) => ({
    id: r.id,
    cluster: r.cluster_id,
    resource: r.resource as Resource,
    kind: r.kind,
    start: r.start_at.getTime(),
    confirmedAt: r.confirmed_at === null ? null : r.confirmed_at.getTime(),
    end: r.end_at === null ? null : r.end_at.getTime(),
    antagonists: r.antagonists,
    victims: r.victims,
    peakShare: r.peak_share,
    score: r.score,
    evidence: r.evidence,
    updatedAt: r.updated_at.getTime(),
  }));
}
