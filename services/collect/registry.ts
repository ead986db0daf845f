import { backupsCollector } from '../ingest/backups-ingest';
import { odooLogCollector } from '../ingest/odoo-log-ingest';
import { odooProbeCollector } from '../ingest/probe-ingest';
import { postgresCollector } from '../ingest/postgres-ingest';
import { redisCollector } from '../ingest/redis-ingest';
import { traefikCollector } from '../ingest/traefik-ingest';
import type { CollectorDefinition, CollectorTarget } from './run-types';

/**
 * Every collector tenantscope runs (STYLE: one explicit registry). Adding a collector is one
 * import and one entry here.
 */
export const COLLECTORS: readonly CollectorDefinition<CollectorTarget>[] = [
  odooLogCollector as CollectorDefinition<CollectorTarget>,
  odooProbeCollector as CollectorDefinition<CollectorTarget>,
  postgresCollector as CollectorDefinition<CollectorTarget>,
  traefikCollector as CollectorDefinition<CollectorTarget>,
  redisCollector as CollectorDefinition<CollectorTarget>,
  backupsCollector as CollectorDefinition<CollectorTarget>,
];

export function findCollector(name: string): CollectorDefinition<CollectorTarget> | undefined {
  return COLLECTORS.find((c) => c.name === name);
}
