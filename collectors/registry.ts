import { backupsCollector } from './backups/collector';
import { odooLogCollector } from './odoo-log/collector';
import { odooProbeCollector } from './odoo-probe/collector';
import { odooJobsCollector } from './odoo-jobs/collector';
import { postgresCollector } from './postgres/collector';
import { redisCollector } from './redis/collector';
import { traefikCollector } from './traefik/collector';
import { traefikAccessCollector } from './traefik/access-collector';
import type { CollectorDefinition, CollectorTarget } from './lib/collector';

/**
 * Every collector tenantscope runs, in one explicit list, so a reader finds them all in one place.
 * Adding a collector is one import and one entry here (docs/development.md).
 */
export const COLLECTORS: readonly CollectorDefinition<CollectorTarget>[] = [
  odooLogCollector as CollectorDefinition<CollectorTarget>,
  odooProbeCollector as CollectorDefinition<CollectorTarget>,
  postgresCollector as CollectorDefinition<CollectorTarget>,
  odooJobsCollector as CollectorDefinition<CollectorTarget>,
  traefikCollector as CollectorDefinition<CollectorTarget>,
  traefikAccessCollector as CollectorDefinition<CollectorTarget>,
  redisCollector as CollectorDefinition<CollectorTarget>,
  backupsCollector as CollectorDefinition<CollectorTarget>,
];

export function findCollector(name: string): CollectorDefinition<CollectorTarget> | undefined {
  return COLLECTORS.find((c) => c.name === name);
}
