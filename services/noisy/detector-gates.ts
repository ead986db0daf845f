import type { DetectorConfig } from '../config/noisy-thresholds';
import { RESOURCES, type ClusterMinute, type Resource } from './detector-types';

/** The saturation gate per resource, and the shares it blames with. */

interface GateState {
  gates: Partial<Record<Resource, boolean>>;
  saturation: Partial<Record<Resource, number>>[];
}

/**
 * Updates each gate from the mean saturation of the last `gateWindowMinutes` inputs, with
 * open/close hysteresis, and returns the open ones. A resource with no reading in the window is
 * unknown, and an unknown gate is closed.
 */
export function gateStates(state: GateState, input: ClusterMinute, config: DetectorConfig): Resource[] {
  state.saturation.push({ ...input.saturation });
  // Kept as long as the correlation window, for resourceOnset; the gate averages the tail.
  const keep = Math.max(config.gateWindowMinutes, config.antagonist.windowMinutes);
  if (state.saturation.length > keep) state.saturation.splice(0, state.saturation.length - keep);
  const recent = state.saturation.slice(-config.gateWindowMinutes);
  const open: Resource[] = [];
  for (const r of RESOURCES) {
    const thresholds = config.gates[r];
    if (!thresholds) continue;
    const values = recent.map((s) => s[r]).filter((x): x is number => x !== undefined && Number.isFinite(x));
    if (values.length === 0) {
      state.gates[r] = false;
      continue;
    }
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const was = state.gates[r] ?? false;
    const now = was ? mean >= thresholds.close : mean >= thresholds.open;
    state.gates[r] = now;
    if (now) open.push(r);
  }
  return open;
}

/**
 * How many minutes ago the resource's current run of minutes at or above its gate's open level
 * began (0 = this minute); null when this minute is below it. Over all remembered minutes: the
 * run began at least that long ago. The open level, not the close one: a busy cluster sits
 * between the two for hours.
 */
export function resourceOnset(state: GateState, r: Resource, config: DetectorConfig): number | null {
  const level = config.gates[r]?.open;
  if (level === undefined) return null;
  let ago: number | null = null;
  for (let i = state.saturation.length - 1, k = 0; i >= 0; i--, k++) {
    const x = state.saturation[i]?.[r];
    if (x === undefined || !(x >= level)) break;
    ago = k;
  }
  return ago;
}

/**
 * Each tenant's share of each resource this minute. Shares are computed only where every tenant
 * of the minute gave a valid reading (a reset or a gap leaves the whole resource out, so nobody's
 * share is inflated by someone else's missing interval).
 */
export function validShares(input: ClusterMinute): Record<string, Partial<Record<Resource, number>>> {
  const out: Record<string, Partial<Record<Resource, number>>> = {};
  const ids = Object.keys(input.tenants);
  for (const id of ids) out[id] = {};
  // Tenants that reported anything this minute; each must report r for r's shares to be valid.
  const reporters = ids.filter((id) => Object.keys(input.tenants[id]?.usage ?? {}).length > 0);
  for (const r of RESOURCES) {
    const values = reporters.map((id) => input.tenants[id]?.usage[r]);
    if (values.every((u) => u === undefined)) continue;
    // Omitting one resource while reporting others is a gap (a reset), not zero use.
    if (values.some((u) => u === undefined || !Number.isFinite(u) || u < 0)) continue;
    const total = (values as number[]).reduce((a, b) => a + b, 0);
    if (total <= 0) continue;
    reporters.forEach((id, i) => ((out[id] as Partial<Record<Resource, number>>)[r] = (values[i] as number) / total));
  }
  return out;
}
