import { jobsFinishedIn } from './backup-jobs';
import type { TrafficModel } from './model';
import type { ScenarioPlan } from './scenarios';
import { isoSeconds } from './time-format';

/**
 * The ground truth of a batch run: which scenario hit whom and when, and what a correct
 * tenantscope should detect from the exported data. Evaluation compares detections with it.
 */

export type Expectation =
  | { kind: 'tenant-down'; tenant: string; badMinutes: string[]; partialMinutes: string[] }
  | { kind: 'noisy-neighbour'; antagonist: string; cluster: string; resources: string[]; victims: string[] }
  | { kind: 'connection-storm'; tenant: string; resource: 'pg_conn'; connections: number; observableIn: 'live' }
  | { kind: 'backup-failed'; tenant: string; failedJobs: number; stanza: string | null; note: string };

export interface Truth {
  scenario: string;
  seed: number;
  from: string;
  to: string;
  tenant: string | null;
  cluster: string | null;
  start: string | null;
  end: string | null;
  expect: Expectation[];
  /** Tenants on which nothing should be detected. */
  quiet: string[];
}

const MINUTE = 60_000;

export function buildTruth(model: TrafficModel, plan: ScenarioPlan, fromMs: number, toMs: number, connections: number): Truth {
  const tenant = plan.tenant;
  const all = model.tenants.map((t) => t.tenant.id);
  const base = { scenario: plan.name, seed: plan.seed, from: isoSeconds(fromMs), to: isoSeconds(toMs) };
  if (!tenant) return { ...base, tenant: null, cluster: null, start: null, end: null, expect: [], quiet: all };
  const window = { tenant: tenant.id, cluster: tenant.cluster, start: isoSeconds(plan.startMs), end: isoSeconds(plan.endMs) };
  const neighbours = model.tenants.filter((t) => t.tenant.cluster === tenant.cluster && t.tenant.id !== tenant.id).map((t) => t.tenant.id);
  const expect = expectation(model, plan, fromMs, toMs, neighbours, connections);
  const affected = new Set([tenant.id, ...(plan.name === 'noisy-tenant' ? neighbours : [])]);
  return { ...base, ...window, expect: expect ? [expect] : [], quiet: all.filter((id) => !affected.has(id)) };
}

function expectation(
  model: TrafficModel,
  plan: ScenarioPlan,
  fromMs: number,
  toMs: number,
  neighbours: string[],
  connections: number,
): Expectation | undefined {
  const tenant = plan.tenant;
  if (!tenant) return undefined;
  switch (plan.name) {
    case 'normal':
      return undefined;
    case 'tenant-outage': {
      // A minute wholly inside the outage is bad; one the outage only touches may go either way.
      const bad: string[] = [];
      const partial: string[] = [];
      for (let m = Math.floor(Math.max(fromMs, plan.startMs) / MINUTE) * MINUTE; m < Math.min(toMs, plan.endMs); m += MINUTE) {
        (m >= plan.startMs && m + MINUTE <= plan.endMs ? bad : partial).push(isoSeconds(m));
      }
      return { kind: 'tenant-down', tenant: tenant.id, badMinutes: bad, partialMinutes: partial };
    }
    case 'noisy-tenant':
      return { kind: 'noisy-neighbour', antagonist: tenant.id, cluster: tenant.cluster, resources: ['odoo_workers'], victims: neighbours };
    case 'connection-storm':
      return { kind: 'connection-storm', tenant: tenant.id, resource: 'pg_conn', connections, observableIn: 'live' };
    case 'failed-backup': {
      const t = model.tenant(tenant.id);
      const jobs = t ? jobsFinishedIn([t], plan, Math.max(fromMs, plan.startMs), toMs) : [];
      const cluster = model.clusters.get(tenant.cluster)?.cluster;
      return {
        kind: 'backup-failed',
        tenant: tenant.id,
        failedJobs: jobs.filter((j) => j.status === 'failed').length,
        stanza: cluster?.backups?.pgbackrestInfoFile ? cluster.id : null,
        note: 'dump jobs and restore tests of the tenant fail; pgBackRest backups of its cluster that start in the window never complete (stanza status stays 0); WAL archiving continues',
      };
    }
  }
}
