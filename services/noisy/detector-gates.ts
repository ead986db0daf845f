import type { DetectorConfig } from './detector-config';
import { RESOURCES, type ClusterMinute, type Resource } from './detector-types';

/** Reference §3.A: the saturation gate per resource, and the shares it blames with (§3.C). */

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
  if (state.saturation.length > config.gateWindowMinutes) state.saturation.splice(0, state.saturation.length - config.gateWindowMinutes);
  const open: Resource[] = [];
  for (const r of RESOURCES) {
    const thresholds = config.gates[r];
    if (!thresholds) continue;
    const values = state.saturation.map((s) => s[r]).filter((x): x is number => x !== undefined && Number.isFinite(x));
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
