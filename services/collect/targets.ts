import type { Fleet, Tenant } from '../config/fleet-types';

/** One thing a collector reads on a schedule: a log file, a tenant's host. */
export type CollectorTarget =
  | { collector: 'odoo-log'; target: string; intervalSeconds: number; cluster: string; file: string; zone: string }
  | {
      collector: 'odoo-probe';
      target: string;
      intervalSeconds: number;
      cluster: string;
      tenant: Tenant;
      url: string;
      path: string;
      timeoutSeconds: number;
    };

export type CollectorName = CollectorTarget['collector'];

/** Every target the fleet file declares, in a stable order. */
export function listTargets(fleet: Fleet): CollectorTarget[] {
  const targets: CollectorTarget[] = [];
  for (const cluster of Object.values(fleet.clusters)) {
    for (const file of cluster.odoo?.logFiles ?? []) {
      targets.push({ collector: 'odoo-log', target: file, intervalSeconds: cluster.odoo!.intervalSeconds, cluster: cluster.id, file, zone: cluster.odoo!.logTimezone });
    }
  }
  for (const tenant of fleet.tenants) {
    const probe = fleet.clusters[tenant.cluster]?.probe;
    if (!probe) continue;
    targets.push({
      collector: 'odoo-probe',
      // the first host is the tenant's primary address; probing one is enough to see the tenant
      target: tenant.hosts[0] as string,
      intervalSeconds: probe.intervalSeconds,
      cluster: tenant.cluster,
      tenant,
      url: probe.url,
      path: probe.path,
      timeoutSeconds: probe.timeoutSeconds,
    });
  }
  return targets;
}

export function targetKey(t: { collector: string; target: string }): string {
  return `${t.collector}|${t.target}`;
}
