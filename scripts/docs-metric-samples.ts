import type { BackupsSnapshot } from '../collectors/backups/metrics-store';
import type { OdooEventsSnapshot } from '../collectors/odoo-log/metrics-store';
import type { BacklogSnapshotRow } from '../collectors/odoo-jobs/store';
import type { PostgresSnapshot } from '../collectors/postgres/metrics-store';
import type { RedisSnapshot } from '../collectors/redis/metrics-store';
import type { IngressSnapshot } from '../collectors/traefik/metrics-store';
import { INGRESS_CLASSES } from '../collectors/traefik/store';
import type { SlaSnapshot } from '../services/metrics/sla-metrics';
import type { MetricsSnapshot } from '../services/metrics/snapshot';
import type { NoisySnapshot } from '../services/noisy/metrics-store';

/**
 * One small snapshot per metric group of /metrics, for docs/metrics.md: the store-backed metrics
 * declare no label names, so the page takes them from the series each metric's own code makes
 * of these snapshots. The values mean nothing; every metric must make at least one series of
 * them (scripts/docs-metrics.ts refuses to write the page otherwise).
 */

const AT = new Date('2026-03-02T08:00:00Z');
const TENANT = 'acme';
const CLUSTER = 'eu1';

/**
 * A row read as the SQL gives it: the named columns, and 1 in every other column. The PostgreSQL
 * and Redis snapshots are untyped rows whose metrics pick columns by name.
 */
function row<T extends object>(named: T): T & Record<string, unknown> {
  return new Proxy(named, { get: (target, key) => (key in target ? target[key as keyof T] : 1) }) as T & Record<string, unknown>;
}

const core: MetricsSnapshot = {
  tenants: [{ id: TENANT, name: 'ACME Clinics', cluster: CLUSTER, tier: 'business' }],
  totals: [
    {
      tenant_id: TENANT,
      odoo_requests_2xx: 1,
      odoo_requests_3xx: 1,
      odoo_requests_4xx: 1,
      odoo_requests_5xx: 1,
      odoo_requests_other: 1,
      odoo_requests_held: 1,
      odoo_queries: 1,
      odoo_sql_seconds: 1,
      odoo_python_seconds: 1,
      odoo_duration_counts: [1],
      odoo_duration_sum: 1,
      probes_ok: 1,
      probes_failed: 1,
      seen_odoo: true,
      seen_probe: true,
    },
  ],
  probes: [{ tenant_id: TENANT, probed_at: AT, ok: true, duration_seconds: 0.2 }],
  collectors: [{ collector: 'odoo-probe', target: 'acme.erp.example.com', success: true, duration_seconds: 0.2, finished_at: AT }],
  rejections: [{ collector: 'odoo-log', target: '/var/log/odoo/odoo.log', reason: 'malformed', records: 1 }],
};

const odooJobs: BacklogSnapshotRow[] = [row({ tenant_id: TENANT, cluster_id: CLUSTER, read_error: null }) as unknown as BacklogSnapshotRow];

const odooEvents: OdooEventsSnapshot = {
  clusters: [{ cluster_id: CLUSTER, event: 'alive', events: 1 }],
  tenants: [
    {
      tenant: TENANT,
      cluster: CLUSTER,
      worker_max_request: 1,
      worker_memory_limit: 1,
      worker_cpu_limit: 1,
      worker_timeout_kill: 1,
      worker_crash: 1,
      cron_starts: 1,
      cron_done: 1,
      cron_failed: 1,
      cron_timed_runs: 1,
      cron_seconds: 1,
    },
  ],
};

const postgres: PostgresSnapshot = {
  totals: [row({ tenant_id: TENANT, cluster_id: CLUSTER })],
  waits: [row({ tenant_id: TENANT, cluster_id: CLUSTER, wait_event_type: 'Lock' })],
  states: [row({ tenant_id: TENANT, cluster_id: CLUSTER, backends: { active: 1 }, locks: { AccessShareLock: 1 } })],
  clusters: [row({ cluster_id: CLUSTER })],
  standbys: [row({ cluster_id: CLUSTER, standby: 'standby1' })],
  slots: [row({ cluster_id: CLUSTER, slot_name: 'standby1', slot_type: 'physical', wal_status: 'reserved' })],
  statements: [row({ tenant_id: TENANT, cluster_id: CLUSTER, queryid: '-4123456789' })],
};

const traefik: IngressSnapshot = {
  totals: [
    {
      tenant_id: TENANT,
      cluster: CLUSTER,
      requests: Object.fromEntries(INGRESS_CLASSES.map((c) => [c, 1])) as IngressSnapshot['totals'][number]['requests'],
      request_bytes: 1,
      response_bytes: 1,
      duration_bounds: [0.1],
      duration_counts: [1],
      duration_sum: 1,
    },
  ],
  unmapped: [{ cluster_id: CLUSTER, router: 'whoami@docker', requests: 1 }],
};

const redis: RedisSnapshot = {
  servers: [
    row({
      cluster_id: CLUSTER,
      sampled_at: AT,
      version: '7.4.0',
      role: 'master',
      master_link_up: true,
      replicas: [{ ip: '10.0.0.2', port: 6379, offset: 1, lag: 0 }],
    }),
  ],
  dbs: [row({ cluster_id: CLUSTER, db: 0 })],
  tenants: [row({ tenant_id: TENANT, cluster_id: CLUSTER })],
};

const backups: BackupsSnapshot = {
  nowMs: AT.getTime(),
  tenants: [{ id: TENANT, cluster: CLUSTER, database: TENANT }],
  stanzas: [{ cluster: CLUSTER, stanza: CLUSTER, status_code: 0, repos: [{ key: 1, code: 0 }], archive_reach_at: AT }],
  lastBackups: [{ cluster: CLUSTER, tool: 'pgbackrest', type: 'full', stopped_at: AT }],
  newest: [{ cluster: CLUSTER, tool: 'pgbackrest', databases: [TENANT] }],
  points: [{ cluster: CLUSTER, tenant: null, source: 'pgbackrest', recoverable_at: AT }],
  jobs: [
    {
      tenant: TENANT,
      cluster: CLUSTER,
      kind: 'restore-test',
      failed_total: 0,
      last_ok_finished_at: AT,
      last_status: 'ok',
      last_started_at: AT,
      last_finished_at: AT,
    },
  ],
};

const counts = { good: 1, bad: 1, nodata: 1, excluded: 1 };
const sla: SlaSnapshot = {
  nowMs: AT.getTime(),
  tenants: [
    {
      id: TENANT,
      cluster: CLUSTER,
      tier: 'business',
      timezone: 'Europe/Berlin',
      target: '99.9',
      nodata: 'exclude',
      credits: [
        { belowPercent: 99.9, percent: 10 },
        { belowPercent: 99, percent: 25 },
      ],
      creditCapPercent: 100,
      rpoSeconds: 3600,
      rtoSeconds: 14400,
      month: '2026-03',
      monthMinutes: 44_580,
    },
  ],
  totals: new Map([[TENANT, counts]]),
  months: new Map([[TENANT, counts]]),
  countedUntil: new Map([[TENANT, AT.getTime()]]),
  points: new Map([[TENANT, AT.getTime()]]),
};

const noisy: NoisySnapshot = {
  active: [{ tenant: TENANT, cluster: CLUSTER, resource: 'pg_cpu', role: 'antagonist' }],
  shares: [{ tenant: TENANT, cluster: CLUSTER, resource: 'pg_cpu', share: 0.5 }],
  totals: [{ tenant: TENANT, cluster: CLUSTER, resource: 'pg_cpu', usage: 1 }],
};

/** By metric group name (services/metrics/groups.ts). */
export const METRIC_SAMPLES: Readonly<Record<string, unknown>> = {
  core,
  'odoo-events': odooEvents,
  'odoo-jobs': odooJobs,
  postgres,
  traefik,
  redis,
  backups,
  sla,
  noisy,
};
