import type { Fleet } from '../services/config/fleet-types';
import { COLLECTORS } from './registry';
import type { CollectorTarget } from './lib/collector';

export type { CollectorTarget };

/** Every target the fleet file declares, collector by collector, in a stable order. */
export function listTargets(fleet: Fleet): CollectorTarget[] {
  return COLLECTORS.flatMap((c) => c.targets(fleet));
}

export function targetKey(t: { collector: string; target: string }): string {
  return `${t.collector}|${t.target}`;
}
