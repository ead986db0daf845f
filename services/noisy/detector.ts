import { median } from './detector-baseline';
import { DEFAULT_DETECTOR_CONFIG, type DetectorConfig } from '../config/noisy-thresholds';
import { findSuspects, type Suspect } from './detector-antagonists';
import { gateStates, resourceOnset, validShares } from './detector-gates';
import { commitBaselines, emptyTenant, judgeMinute, persistent, remember, type TenantState } from './detector-tenant';
import { RESOURCES, type ClusterMinute, type DetectorStep, type NoisyIncident, type Resource } from './detector-types';

/**
 * The noisy-neighbour detector (docs/noisy-neighbours.md), in event time: one `step` per cluster-minute,
 * no clock of its own, and all memory in a plain-JSON state that `snapshot`/`restore` carry
 * between a worker's runs.
 */

interface OpenIncident extends NoisyIncident {
  /** Consecutive minutes every victim stayed below closeZ. */
  quietRun: number;
  /** Consecutive minutes the top antagonist's share stayed below baseline + half its excess. */
  lowShareRun: number;
  baseline: number;
}

interface Slot {
  streak: number;
  incident: OpenIncident | null;
}

export interface DetectorState {
  version: 1;
  cluster: string | null;
  seq: number;
  gates: Partial<Record<Resource, boolean>>;
  saturation: Partial<Record<Resource, number>>[];
  tenants: Record<string, TenantState>;
  slots: Record<string, Slot>;
  /** When (tenant or 'capacity', resource) last closed: the cooldown. */
  lastClosed: Record<string, number>;
  /** Minutes covered by incidents, kept out of every baseline. */
  exclusions: { start: number; end: number | null }[];
}

/** The step with what the incidents alone do not show: tags for per-tenant alerting. */
export interface DetectorStepDetail extends DetectorStep {
  victims: string[];
  selfInflicted: string[];
  gates: Resource[];
}

interface Candidate {
  kind: 'neighbour' | 'capacity';
  resource: Resource;
  suspects: Suspect[];
  victims: string[];
  /** Some victim it explains is confirmed (k of n): only then may it open or confirm. */
  firm: boolean;
}

const MINUTE = 60_000;

export class NoisyNeighbourDetector {
  private state: DetectorState;

  constructor(
    private readonly config: DetectorConfig = DEFAULT_DETECTOR_CONFIG,
    state?: unknown,
  ) {
    this.state = state ? (structuredClone(state) as DetectorState) : NoisyNeighbourDetector.emptyState();
  }

  static emptyState(): DetectorState {
    return { version: 1, cluster: null, seq: 0, gates: {}, saturation: [], tenants: {}, slots: {}, lastClosed: {}, exclusions: [] };
  }

  snapshot(): DetectorState {
    return structuredClone(this.state);
  }

  restore(state: unknown): void {
    this.state = structuredClone(state) as DetectorState;
  }

  step(input: ClusterMinute): DetectorStepDetail {
    const s = this.state;
    const m = input.minute;
    // A minute's data is complete at its end; decisions (confirm, close) are taken then.
    const decidedAt = m + MINUTE;
    s.cluster ??= input.cluster;
    const gates = gateStates(s, input, this.config);
    const shares = validShares(input);
    for (const id of Object.keys(input.tenants)) s.tenants[id] ??= emptyTenant();

    let active = 0;
    for (const [id, t] of Object.entries(s.tenants)) {
      const row = judgeMinute(t, input.tenants[id], shares[id] ?? {}, m, this.config);
      if (row.requests >= this.config.victim.minRequests) active++;
      remember(t, row, input.tenants[id], this.config);
    }
    const victims = Object.keys(s.tenants)
      .filter((id) => persistent(s.tenants[id] as TenantState, this.config, 'victim'))
      .sort();
    const selfInflicted = Object.keys(s.tenants)
      .filter((id) => persistent(s.tenants[id] as TenantState, this.config, 'self'))
      .sort();
    // The lifecycle counts the evaluations where B and C hold from the victims' first outlier minute:
    // "suspected at 3, confirmed at 5, 5–7 min after onset". So this minute's outliers are
    // judged with the confirmed victims, and a candidate may open only once a victim it
    // explains is confirmed (3 of 5), which the first outlier minutes make it at the third.
    const outliers = Object.keys(s.tenants).filter((id) => {
      const row = (s.tenants[id] as TenantState).recent.at(-1);
      return row !== undefined && row.minute === m && row.outlier && !row.selfInflicted;
    });
    const suffering = [...new Set([...victims, ...outliers])].sort();

    const candidates = suffering.length ? this.candidates(gates, suffering, new Set(victims), active, input) : [];
    const { open, closed } = this.lifecycle(candidates, decidedAt);

    const excluded = (minute: number): boolean => s.exclusions.some((e) => minute >= e.start && (e.end === null || minute <= e.end));
    for (const t of Object.values(s.tenants)) commitBaselines(t, m, excluded, this.config);
    s.exclusions = s.exclusions.filter((e) => e.end === null || e.end >= m - 3 * this.config.victim.baselineLagMinutes * MINUTE);
    return { minute: m, open, closed, victims, selfInflicted, gates };
  }

  /**
   * Neighbour candidates on every gated resource, then a capacity candidate for the victims
   * nobody nameable explains. The lifecycle counts the evaluations where B and C hold; the gate
   * decides when a name may be given. So a suspect is followed while the 5-minute gate mean is
   * still catching up, and becomes firm (may open or confirm) once its gate is open.
   */
  private candidates(gates: Resource[], victims: string[], confirmed: Set<string>, active: number, input: ClusterMinute): Candidate[] {
    const open = new Set(gates);
    // When an open incident already explains the victims' onset, precedence is timed otherwise:
    // against r's own saturation when another antagonist is named on another resource (a second
    // antagonist arrives during the first one's incident), and against the start of an open
    // capacity incident (a tenant whose share rises late in a long peak did not cause it; over a
    // long incident the victims' own runs of z ≥ 2 break and restart, and stop telling the onset).
    const incidents = Object.values(this.state.slots).flatMap((slot) => (slot.incident ? [slot.incident] : []));
    const capacityStart = Math.min(...incidents.filter((i) => i.kind === 'capacity').map((i) => i.start));
    const found: Gated[] = [];
    for (const r of RESOURCES) {
      if (!this.config.gates[r]) continue;
      let explained: { onset: number; seenRise: boolean } | null = null;
      if (incidents.some((i) => i.kind === 'neighbour' && i.resource !== r)) {
        const ago = resourceOnset(this.state, r, this.config);
        if (ago !== null) explained = { onset: input.minute - ago * MINUTE, seenRise: false };
      } else if (Number.isFinite(capacityStart)) explained = { onset: capacityStart, seenRise: true };
      const suspects = findSuspects(r, this.state.tenants, victims, active, this.config, explained);
      if (suspects.length) found.push({ kind: 'neighbour', resource: r, suspects, victims: [], firm: false, gated: open.has(r) });
    }
    const neighbours = rootResources(found);
    const explainedVictims = new Set<string>();
    for (const c of neighbours) {
      const explains = [...new Set(c.suspects.flatMap((x) => x.explains))];
      if (c.gated) explains.forEach((v) => explainedVictims.add(v));
      // The incident lists confirmed victims only (a single outlier minute names nobody), and
      // never its own antagonists: their requests slow down too, but they are not victims.
      const named = new Set(c.suspects.map((x) => x.tenant));
      c.victims = explains.filter((v) => confirmed.has(v) && !named.has(v)).sort();
      c.firm = c.gated && c.victims.length > 0;
    }
    const out: Candidate[] = neighbours.map(({ gated: _g, ...c }) => c);
    const cap = this.config.capacity;
    const many = (n: number): boolean => n >= cap.minVictims || n >= cap.minVictimFraction * Math.max(active, 1);
    const unexplained = victims.filter((v) => !explainedVictims.has(v));
    if (gates.length && many(unexplained.length)) {
      // One capacity incident per cluster, on the gate furthest past its threshold.
      const ratio = (r: Resource): number => (input.saturation[r] ?? 0) / (this.config.gates[r]?.open ?? 1);
      const r = [...gates].sort((x, y) => ratio(y) - ratio(x))[0] as Resource;
      const firmVictims = unexplained.filter((v) => confirmed.has(v));
      out.push({ kind: 'capacity', resource: r, suspects: [], victims: firmVictims, firm: many(firmVictims.length) });
    }
    return out;
  }

  private lifecycle(candidates: Candidate[], m: number): { open: NoisyIncident[]; closed: NoisyIncident[] } {
    const s = this.state;
    const lc = this.config.lifecycle;
    const closed: NoisyIncident[] = [];
    const seen = new Set<string>();
    for (const c of candidates) {
      const key = `${c.kind}:${c.resource}`;
      seen.add(key);
      const slot = (s.slots[key] ??= { streak: 0, incident: null });
      slot.streak++;
      if (!c.firm) continue;
      if (!slot.incident && slot.streak >= lc.suspectAfter && !this.coolingDown(c, m)) {
        slot.incident = this.openIncident(c, m);
        s.exclusions.push({ start: slot.incident.start, end: null });
      }
      if (slot.incident) {
        update(slot.incident, c, m - MINUTE, s.tenants);
        if (slot.incident.confirmedAt === null && slot.streak >= lc.confirmAfter) slot.incident.confirmedAt = m;
      }
    }
    for (const [key, slot] of Object.entries(s.slots)) {
      const inc = slot.incident;
      if (!seen.has(key)) {
        slot.streak = 0;
        // A suspicion that did not last is dropped, reported closed and never confirmed.
        if (inc && inc.confirmedAt === null) closed.push(this.close(slot, m));
      }
      if (slot.incident && slot.incident.confirmedAt !== null && this.quiet(slot.incident, m)) closed.push(this.close(slot, m));
    }
    const open = Object.values(s.slots)
      .map((slot) => slot.incident)
      .filter((inc): inc is OpenIncident => inc !== null)
      .map(publish);
    return { open, closed };
  }

  /** The close rules of the incident lifecycle; evaluated every minute of a confirmed incident. */
  private quiet(inc: OpenIncident, _minute: number): boolean {
    const lc = this.config.lifecycle;
    // A victim is calm when its median z over the quiet window is below closeZ: with dozens of
    // victims, demanding every one of them below 2.0 in the same minute rarely happens by chance.
    const calm = inc.victims.every((v) => {
      const zs = (this.state.tenants[v]?.recent ?? []).slice(-lc.closeQuietMinutes).map((row) => row.z ?? -Infinity);
      return zs.length === 0 || median(zs) < lc.closeZ;
    });
    inc.quietRun = calm ? inc.quietRun + 1 : 0;
    const top = inc.antagonists[0];
    if (top) {
      const share = this.state.tenants[top.tenant]?.recent.at(-1)?.share[inc.resource];
      const level = inc.baseline + (top.peakShare - inc.baseline) / 2;
      inc.lowShareRun = share === undefined || share < level ? inc.lowShareRun + 1 : 0;
    }
    return inc.quietRun >= lc.closeQuietMinutes || (top !== undefined && inc.lowShareRun >= lc.closeShareMinutes);
  }

  private coolingDown(c: Candidate, m: number): boolean {
    const lc = this.config.lifecycle;
    const top = c.suspects[0];
    const key = `${top ? top.tenant : 'capacity'}:${c.resource}`;
    const last = this.state.lastClosed[key];
    if (last === undefined || m - last >= lc.cooldownMinutes * MINUTE) return false;
    return !(top && top.corr >= lc.cooldownOverrideCorr);
  }

  private openIncident(c: Candidate, m: number): OpenIncident {
    const s = this.state;
    // The incident starts where its victims' trouble started, not where we became sure of it.
    const onsets = c.victims.flatMap((v) => s.tenants[v]?.recent.filter((row) => row.outlier).map((row) => row.minute) ?? []);
    const start = Math.min(m, ...onsets);
    s.seq++;
    const top = c.suspects[0];
    return {
      id: `${s.cluster}-${c.resource}-${start}-${s.seq}`,
      cluster: s.cluster ?? '',
      resource: c.resource,
      kind: c.kind,
      start,
      confirmedAt: null,
      end: null,
      antagonists: [],
      victims: [],
      peakShare: 0,
      score: 0,
      evidence: [],
      quietRun: 0,
      lowShareRun: 0,
      baseline: top ? top.baseline : 0,
    };
  }

  private close(slot: Slot, m: number): NoisyIncident {
    const inc = slot.incident as OpenIncident;
    inc.end = m;
    slot.incident = null;
    const keys = inc.antagonists.length ? inc.antagonists.map((a) => a.tenant) : ['capacity'];
    for (const k of keys) this.state.lastClosed[`${k}:${inc.resource}`] = m;
    for (const e of this.state.exclusions) if (e.start === inc.start && e.end === null) e.end = m;
    return publish(inc);
  }
}

type Gated = Candidate & { gated: boolean };

/**
 * One root resource per antagonist: a tenant hurting through CPU also holds workers longer, and
 * is kept only on the resource where its blame is highest. A resource whose gate is open wins
 * over one still waiting for its gate.
 */
function rootResources(found: Gated[]): Gated[] {
  type Rank = { gated: boolean; blame: number };
  const beats = (a: Rank, b: Rank | undefined): boolean => !b || (a.gated !== b.gated ? a.gated : a.blame > b.blame);
  const best = new Map<string, Rank>();
  for (const c of found) {
    for (const x of c.suspects) {
      const mine = { gated: c.gated, blame: x.blame };
      if (beats(mine, best.get(x.tenant))) best.set(x.tenant, mine);
    }
  }
  return found
    .map((c) => ({ ...c, suspects: c.suspects.filter((x) => !beats(best.get(x.tenant) as Rank, { gated: c.gated, blame: x.blame })) }))
    .filter((c) => c.suspects.length > 0);
}

/** Folds one minute's candidate into the incident: antagonists by their best blame, victims by union. */
function update(inc: OpenIncident, c: Candidate, m: number, tenants: Record<string, TenantState>): void {
  for (const x of c.suspects) {
    const known = inc.antagonists.find((a) => a.tenant === x.tenant);
    if (known) {
      known.blame = Math.max(known.blame, x.blame);
      known.peakShare = Math.max(known.peakShare, x.share);
    } else inc.antagonists.push({ tenant: x.tenant, blame: x.blame, peakShare: x.share });
  }
  inc.antagonists.sort((a, b) => b.blame - a.blame || a.tenant.localeCompare(b.tenant));
  const antagonists = new Set(inc.antagonists.map((a) => a.tenant));
  inc.victims = [...new Set([...inc.victims, ...c.victims])].filter((v) => !antagonists.has(v)).sort();
  inc.peakShare = Math.max(inc.peakShare, ...inc.antagonists.map((a) => a.peakShare));
  inc.score = inc.antagonists[0]?.blame ?? c.victims.length;
  const shares: Record<string, number> = {};
  for (const a of inc.antagonists) {
    const share = tenants[a.tenant]?.recent.at(-1)?.share[inc.resource];
    if (share !== undefined) shares[a.tenant] = share;
  }
  const victimZ: Record<string, number> = {};
  for (const v of inc.victims) {
    const z = tenants[v]?.recent.at(-1)?.z;
    if (z !== null && z !== undefined) victimZ[v] = z;
  }
  inc.evidence.push({ minute: m, shares, victimZ });
}

/** The incident as the contract has it, detached from the detector's state. */
function publish(inc: OpenIncident): NoisyIncident {
  const { quietRun: _q, lowShareRun: _l, baseline: _b, ...out } = inc;
  return structuredClone(out);
}
