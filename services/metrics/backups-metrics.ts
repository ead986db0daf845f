import type { Clock } from '../core/clock';
import type { Queryable } from '../storage/db';
import type { MetricGroup, MetricValue, StoreMetric } from './metric-group';
import { type BackupsSnapshot, readBackupsSnapshot } from '../../collectors/backups/metrics-store';

/**
 * Backup series (collector `backups`). Cluster series carry `{cluster}` and what identifies the
 * thing; tenant series `{tenant, cluster}`: one label set per name, so `max by (cluster)` never
 * mixes a tenant's dump with its cluster's backups. Ages are computed at scrape time.
 */

const seconds = (d: Date) => d.getTime() / 1000;

/**
 * The newest recoverable point of each cluster (max over its tools), and of each tenant: its own
 * dump, or a cluster tool's point where that tool's newest backup lists the tenant's database
 * (or lists none, as older versions and WAL-G do).
 */
export function recoverablePoints(s: BackupsSnapshot): { clusters: Map<string, number>; tenants: Map<string, number> } {
  const max = (map: Map<string, number>, key: string, ms: number) => map.set(key, Math.max(map.get(key) ?? -Infinity, ms));
  const clusters = new Map<string, number>();
  const byTool = new Map<string, number>();
  const dumps = new Map<string, number>();
  for (const p of s.points) {
    const ms = p.recoverable_at.getTime();
    if (p.tenant !== null) max(dumps, p.tenant, ms);
    else {
      max(clusters, p.cluster, ms);
      max(byTool, `${p.cluster}|${p.source}`, ms);
    }
  }
  const listed = new Map(s.newest.map((n) => [`${n.cluster}|${n.tool}`, n.databases]));
  const tenants = new Map<string, number>();
  for (const t of s.tenants) {
    let best = dumps.get(t.id) ?? -Infinity;
    for (const tool of ['pgbackrest', 'wal-g']) {
      const databases = listed.get(`${t.cluster}|${tool}`);
      if (databases && !databases.includes(t.database)) continue;
      best = Math.max(best, byTool.get(`${t.cluster}|${tool}`) ?? -Infinity);
    }
    if (best > -Infinity) tenants.set(t.id, best);
  }
  return { clusters, tenants };
}

function jobSeries(
  s: BackupsSnapshot,
  kind: string | undefined,
  pick: (j: BackupsSnapshot['jobs'][number]) => number | null,
  withKind: boolean,
): MetricValue[] {
  return s.jobs.flatMap((j) => {
    const value = kind === undefined || j.kind === kind ? pick(j) : null;
    if (value === null) return [];
    return [{ value, labels: { tenant: j.tenant, cluster: j.cluster, ...(withKind && { kind: j.kind }) } }];
  });
}

const METRICS: StoreMetric<BackupsSnapshot>[] = [
  {
    name: 'tenantscope_backup_last_success_timestamp_seconds',
    help: 'Stop time of the newest cluster backup without errors, per tool (pgbackrest, wal-g) and type (full, diff, incr, delta), Unix seconds.',
    type: 'gauge',
    values: (s) => s.lastBackups.map((b) => ({ value: seconds(b.stopped_at), labels: { cluster: b.cluster, tool: b.tool, type: b.type } })),
  },
  {
    name: 'tenantscope_backup_age_seconds',
    help: "Now minus the cluster's newest recoverable point (last good backup, or WAL archive reach where it continues a backup).",
    type: 'gauge',
    values: (s) => [...recoverablePoints(s).clusters].map(([cluster, ms]) => ({ value: (s.nowMs - ms) / 1000, labels: { cluster } })),
  },
  {
    name: 'tenantscope_backup_wal_archive_last_timestamp_seconds',
    help: 'Lower bound of the time the WAL archive reaches (the read of the pgBackRest info before the newest archived segment appeared), Unix seconds.',
    type: 'gauge',
    values: (s) =>
      s.stanzas.flatMap((st) => (st.archive_reach_at ? [{ value: seconds(st.archive_reach_at), labels: { cluster: st.cluster } }] : [])),
  },
  {
    name: 'tenantscope_backup_stanza_status',
    help: 'pgBackRest stanza status code: 0 ok, 1 missing stanza path, 2 no valid backups, 3 missing stanza data, 4 mixed, 5 database mismatch, 6 backup not found, 99 other.',
    type: 'gauge',
    values: (s) =>
      s.stanzas.flatMap((st) =>
        st.status_code === null ? [] : [{ value: st.status_code, labels: { cluster: st.cluster, stanza: st.stanza } }],
      ),
  },
  {
    name: 'tenantscope_backup_repo_status',
    help: 'pgBackRest status code of each repository of the stanza (same codes as the stanza status).',
    type: 'gauge',
    values: (s) =>
      s.stanzas.flatMap((st) =>
        st.repos.flatMap((r) =>
          r.code === null
            ? []
            : [{ value: r.code, labels: { cluster: st.cluster, stanza: st.stanza, repo: r.key === null ? '' : String(r.key) } }],
        ),
      ),
  },
  {
    name: 'tenantscope_tenant_backup_age_seconds',
    help: "Now minus the tenant's newest recoverable point: its own last good dump (as of the dump's start), or its cluster's, whichever is newer.",
    type: 'gauge',
    values: (s) => {
      const clusterOf = new Map(s.tenants.map((t) => [t.id, t.cluster]));
      return [...recoverablePoints(s).tenants].map(([tenant, ms]) => ({
        value: (s.nowMs - ms) / 1000,
        labels: { tenant, cluster: clusterOf.get(tenant) as string },
      }));
    },
  },
  {
    name: 'tenantscope_tenant_backup_last_success_timestamp_seconds',
    help: 'Finish time of the newest successful per-tenant job by kind (backup, restore-test), Unix seconds.',
    type: 'gauge',
    values: (s) => jobSeries(s, undefined, (j) => (j.last_ok_finished_at ? seconds(j.last_ok_finished_at) : null), true),
  },
  {
    name: 'tenantscope_backup_failures_total',
    help: 'Per-tenant jobs that reported status failed, by kind (backup, restore-test).',
    type: 'counter',
    values: (s) => jobSeries(s, undefined, (j) => j.failed_total, true),
  },
  {
    name: 'tenantscope_restore_test_last_duration_seconds',
    help: 'Duration of the newest restore test of the tenant (finished minus started), whatever its result.',
    type: 'gauge',
    values: (s) => jobSeries(s, 'restore-test', (j) => (j.last_finished_at.getTime() - j.last_started_at.getTime()) / 1000, false),
  },
  {
    name: 'tenantscope_restore_test_last_success',
    help: '1 when the newest restore test of the tenant succeeded, else 0.',
    type: 'gauge',
    values: (s) => jobSeries(s, 'restore-test', (j) => (j.last_status === 'ok' ? 1 : 0), false),
  },
];

/** Backup ages are computed against the scrape's clock. */
export const backupsMetrics: MetricGroup<BackupsSnapshot> = {
  name: 'backups',
  load: (db: Queryable, clock: Clock) => readBackupsSnapshot(db, clock.now()),
  metrics: METRICS,
};
