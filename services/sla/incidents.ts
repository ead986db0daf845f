import type { NodataPolicy } from '../config/fleet-types';
import { countsAsBad, NODATA } from './classify';
import type { Evidence } from './evidence';
import { minuteIndex, type MinuteEvidence } from './minute-evidence';
import type { MonthRange } from '../core/month';

/** A signal seen during an incident, with the number of its minutes in which it was seen. */
export interface IncidentSignal {
  /** probe-failure, ingress-errors, odoo-errors, no-data, or a collector's signal (postgres-unreachable, worker-kill ...). */
  readonly signal: string;
  /** Set when the signal was recorded for the whole cluster: the same cause across its tenants. */
  readonly cluster?: string;
  readonly minutes: number;
}

export interface Incident {
  /** ISO UTC, start inclusive, end exclusive. */
  readonly start: string;
  readonly end: string;
  readonly minutes: number;
  readonly signals: readonly IncidentSignal[];
}

/**
 * Incidents are maximal runs of minutes that count as downtime (bad, or nodata under the `bad`
 * policy, so the incident minutes add up to the downtime the credit is computed from), each with
 * what was seen in it. `signals` are the tenant's and its cluster's signal lines.
 */
export function findIncidents(
  range: MonthRange,
  states: Uint8Array,
  policy: NodataPolicy,
  ev: MinuteEvidence,
  signals: readonly Evidence[],
  clusterId: string,
): Incident[] {
  const incidentOf = new Int32Array(states.length).fill(-1);
  const runs: [number, number][] = [];
  for (let i = 0; i < states.length;) {
    if (!countsAsBad(states[i]!, policy)) {
      i++;
      continue;
    }
    const first = i;
    while (i < states.length && countsAsBad(states[i]!, policy)) incidentOf[i++] = runs.length;
    runs.push([first, i]);
  }
  // Per incident, signal key → minutes seen (a Set of minute indexes keeps repeated lines from counting twice).
  const seen = runs.map(() => new Map<string, Set<number>>());
  const note = (incident: number, key: string, minute: number) => {
    const map = seen[incident]!;
    const minutes = map.get(key);
    if (minutes) minutes.add(minute);
    else map.set(key, new Set([minute]));
  };
  runs.forEach(([first, end], r) => {
    for (let i = first; i < end; i++) {
      if (ev.probesFailed[i]! > 0) note(r, 'probe-failure', i);
      if (ev.hasIngress[i] === 1 && ev.ingressErrors[i]! > 0) note(r, 'ingress-errors', i);
      if (ev.hasOdoo[i] === 1 && ev.odooErrors[i]! > 0) note(r, 'odoo-errors', i);
      if (states[i] === NODATA) note(r, 'no-data', i);
    }
  });
  for (const s of signals) {
    if (s.kind !== 'signal') continue;
    const i = minuteIndex(range, s.tsMs);
    if (i < 0 || incidentOf[i]! < 0) continue;
    note(incidentOf[i]!, s.cluster !== undefined ? `${s.signal}\u0000${clusterId}` : s.signal, i);
  }
  return runs.map(([first, end], r) => ({
    start: new Date(range.startMs + first * 60_000).toISOString(),
    end: new Date(range.startMs + end * 60_000).toISOString(),
    minutes: end - first,
    signals: [...seen[r]!.entries()]
      .map(([key, minutes]) => {
        const [signal, cluster] = key.split('\u0000') as [string, string | undefined];
        return cluster === undefined ? { signal, minutes: minutes.size } : { signal, cluster, minutes: minutes.size };
      })
      .sort((a, b) => (a.signal === b.signal ? (a.cluster ?? '').localeCompare(b.cluster ?? '') : a.signal < b.signal ? -1 : 1)),
  }));
}
