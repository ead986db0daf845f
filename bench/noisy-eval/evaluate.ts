import { DEFAULT_DETECTOR_CONFIG, type DetectorConfig } from '../../services/config/noisy-thresholds';
import { NoisyNeighbourDetector } from '../../services/noisy/detector';
import type { ClusterMinute, NoisyIncident, TenantMinute } from '../../services/noisy/detector-types';
import type { Gap, Scenario, Setup, Truth } from './scenarios';
import { simulate, START, type SimRun } from './simulate';

/**
 * One evaluation run: simulate a scenario for a seed, feed the minutes to the detector, and judge
 * its confirmed incidents against the ground truth. The detector sees only `ClusterMinute`s.
 */

export const RUN_MINUTES = 360;
const MINUTE = 60_000;

export interface TruthResult {
  resource: string;
  antagonists: string[];
  victims: string[];
  matched: boolean;
  top1: boolean;
  top3: boolean;
  victimF1: number | null;
  delayMinutes: number | null;
  clearMinutes: number | null;
  reopened: boolean;
}

export interface RunResult {
  scenario: number;
  seed: number;
  tenants: number;
  minutes: number;
  truths: TruthResult[];
  incidents: {
    kind: string;
    resource: string;
    antagonists: string[];
    start: number;
    confirmedAt: number;
    end: number | null;
    matched: boolean;
    allowed: boolean;
  }[];
}

/** Applies resets and gaps the way attribution reports them: the values are missing or NaN. */
export function applyGaps(minutes: ClusterMinute[], gaps: Gap[]): ClusterMinute[] {
  for (const gap of gaps) {
    const cm = minutes[gap.minute];
    if (!cm) continue;
    const ids = gap.tenants === 'all' ? Object.keys(cm.tenants) : gap.tenants.map((i) => `t${String(i).padStart(2, '0')}`);
    if (gap.what === 'everything' && gap.tenants === 'all') cm.saturation = {};
    for (const id of ids) {
      const t = cm.tenants[id];
      if (!t) continue;
      if (gap.what === 'pg_usage') for (const r of ['pg_cpu', 'pg_io', 'pg_conn', 'pg_locks'] as const) delete t.usage[r];
      else if (gap.what === 'latency_nan') t.latencySeconds = NaN;
      else if (gap.what === 'everything') cm.tenants[id] = { usage: {} };
      else {
        const nan: TenantMinute = { usage: {}, requests: NaN, latencySeconds: NaN, errorRatio: NaN };
        for (const r of Object.keys(t.usage) as (keyof TenantMinute['usage'])[]) nan.usage[r] = NaN;
        cm.tenants[id] = nan;
      }
    }
  }
  return minutes;
}

/** Request-weighted mean of a per-minute series over [from, to). */
function windowMean(values: number[], weights: number[], from: number, to: number): number {
  let sum = 0;
  let w = 0;
  for (let m = Math.floor(from); m < Math.ceil(to) && m < values.length; m++) {
    const v = values[m] as number;
    const k = weights[m] as number;
    if (Number.isFinite(v) && k > 0) {
      sum += v * k;
      w += k;
    }
  }
  return w > 0 ? sum / w : NaN;
}

/**
 * Ground-truth victims: tenants whose latency over the injection window is ≥ 1.5× what the same
 * seed gives without the injection, or whose error ratio rose by ≥ 2 points (connection storms
 * hurt through errors). The antagonists themselves are not victims.
 */
export function truthVictims(seed: number, setup: Setup, truth: Truth, clean: SimRun): string[] {
  const hit = simulate(seed, setup.tenants, truth.injections, RUN_MINUTES, setup.spec);
  const out: string[] = [];
  setup.tenants.forEach((t, i) => {
    if (truth.antagonists.includes(t.id)) return;
    const req = clean.requests[i] as number[];
    const base = windowMean(clean.latency[i] as number[], req, truth.onset, truth.end);
    const now = windowMean(hit.latency[i] as number[], req, truth.onset, truth.end);
    const errBase = windowMean(clean.errors[i] as number[], req, truth.onset, truth.end);
    const errNow = windowMean(hit.errors[i] as number[], req, truth.onset, truth.end);
    if (now >= 1.5 * base || errNow - errBase >= 0.02) out.push(t.id);
  });
  return out;
}

function f1(found: string[], truth: string[]): number {
  if (found.length === 0 && truth.length === 0) return 1;
  const tp = found.filter((v) => truth.includes(v)).length;
  if (tp === 0) return 0;
  const p = tp / found.length;
  const r = tp / truth.length;
  return (2 * p * r) / (p + r);
}

const overlaps = (inc: NoisyIncident, from: number, to: number, runEnd: number): boolean => inc.start <= to && (inc.end ?? runEnd) >= from;

export function runScenario(scenario: Scenario, seed: number, config: DetectorConfig = DEFAULT_DETECTOR_CONFIG): RunResult {
  const setup = scenario.build(seed);
  const sim = simulate(seed, setup.tenants, setup.injections, RUN_MINUTES, setup.spec);
  const minutes = applyGaps(sim.minutes, setup.gaps);
  const detector = new NoisyNeighbourDetector(config);
  const byId = new Map<string, NoisyIncident>();
  for (const cm of minutes) {
    const step = detector.step(cm);
    for (const inc of [...step.open, ...step.closed]) byId.set(inc.id, inc);
  }
  const runEnd = START + RUN_MINUTES * MINUTE;
  const confirmed = [...byId.values()].filter((inc) => inc.confirmedAt !== null).sort((a, b) => a.start - b.start);
  const clean = setup.truths.length ? simulate(seed, setup.tenants, [], RUN_MINUTES, setup.spec) : null;
  const matchedIds = new Set<string>();

  const truths = setup.truths.map((truth): TruthResult => {
    const from = START + truth.onset * MINUTE;
    const to = START + truth.end * MINUTE;
    const victims = clean ? truthVictims(seed, setup, truth, clean) : [];
    const hits = confirmed.filter((inc) => inc.resource === truth.resource && overlaps(inc, from, to, runEnd));
    hits.forEach((inc) => matchedIds.add(inc.id));
    const first = hits[0];
    if (!first)
      return {
        resource: truth.resource,
        antagonists: truth.antagonists,
        victims,
        matched: false,
        top1: false,
        top3: false,
        victimF1: null,
        delayMinutes: null,
        clearMinutes: null,
        reopened: false,
      };
    const named = first.antagonists.map((a) => a.tenant);
    const last = hits[hits.length - 1] as NoisyIncident;
    const reopened = confirmed.some(
      (inc) =>
        inc !== first &&
        inc.resource === truth.resource &&
        first.end !== null &&
        inc.start >= first.end &&
        inc.start - first.end <= 30 * MINUTE,
    );
    return {
      resource: truth.resource,
      antagonists: truth.antagonists,
      victims,
      matched: true,
      top1: truth.antagonists.includes(named[0] ?? ''),
      top3: named.slice(0, 3).some((a) => truth.antagonists.includes(a)),
      victimF1: f1([...new Set(hits.flatMap((inc) => inc.victims))], victims),
      delayMinutes: ((first.confirmedAt as number) - from) / MINUTE,
      clearMinutes: ((last.end ?? runEnd) - to) / MINUTE,
      reopened,
    };
  });

  const allowed = (inc: NoisyIncident): boolean =>
    inc.kind === 'capacity' && setup.capacityAllowed.some((w) => overlaps(inc, START + w.onset * MINUTE, START + w.end * MINUTE, runEnd));
  return {
    scenario: scenario.id,
    seed,
    tenants: setup.tenants.length,
    minutes: RUN_MINUTES,
    truths,
    incidents: confirmed.map((inc) => ({
      kind: inc.kind,
      resource: inc.resource,
      antagonists: inc.antagonists.map((a) => a.tenant),
      start: (inc.start - START) / MINUTE,
      confirmedAt: ((inc.confirmedAt as number) - START) / MINUTE,
      end: inc.end === null ? null : (inc.end - START) / MINUTE,
      matched: matchedIds.has(inc.id),
      allowed: allowed(inc),
    })),
  };
}
