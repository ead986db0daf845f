import { backupJobRecords } from './backups/jobs';
import { pgbackrestInfoRecords } from './backups/pgbackrest-info';
import { walgBackupListRecords } from './backups/walg-backup-list';
import { odooLogParseOutput } from './odoo-log/parser';
import { infoRecords } from './redis/info-parser';
import { parseMetricsText } from './traefik/read';
import { parseAccessText } from './traefik/access-log';

/**
 * What `tenantscope parse <kind> <file>` can read: each kind turns a source's text into the
 * records its collector would make (JSON-ready: times as ISO 8601 UTC) and counts what it
 * rejected. Adding a kind is one entry here.
 */
export interface ParseOptions {
  /** IANA zone of timestamps written without one (Odoo logs). */
  zone: string;
  /** When the text is read, ms: syslog timestamps carry no year, and this supplies it. */
  referenceMs: number;
}

export interface ParseResult {
  records: unknown[];
  rejected: number;
}

export interface ParseKind {
  kind: string;
  description: string;
  parse(text: string, options: ParseOptions): ParseResult;
}

const odooLog = (text: string, { zone, referenceMs }: ParseOptions): ParseResult => odooLogParseOutput(text, { zone, referenceMs });

export const PARSE_KINDS: readonly ParseKind[] = [
  {
    kind: 'traefik-metrics',
    description: 'Traefik v2/v3 /metrics (Prometheus text): router series with requests, bytes, duration histogram',
    parse: parseMetricsText,
  },
  {
    kind: 'traefik-access',
    description:
      'Traefik access log, JSON or the default Common Log Format (v1 to v3): one record per request; the tenant key is RequestHost (JSON) or the router (CLF)',
    parse: parseAccessText,
  },
  {
    kind: 'pgbackrest-info',
    description:
      'pgbackrest info --output=json: a stanza record per stanza (status, repos, WAL range, last good backup per type), a backup record per backup',
    parse: pgbackrestInfoRecords,
  },
  {
    kind: 'walg-backup-list',
    description: 'wal-g backup-list --detail --json: a backup record per backup (system identifier and LSNs exact)',
    parse: walgBackupListRecords,
  },
  {
    kind: 'backup-jobs',
    description: 'per-tenant backup and restore-test job results (JSON lines): a job record per line, with its line number and duration',
    parse: backupJobRecords,
  },
  {
    kind: 'odoo-log',
    description: 'Odoo server log, any version 12-19, plain, container, journald or syslog format: request, worker, cron and log records',
    parse: odooLog,
  },
  {
    kind: 'redis-info',
    description: 'Redis INFO / INFO all text (stats, sections, keyspace, commands, errors, replicas, latency)',
    parse: infoRecords,
  },
];
