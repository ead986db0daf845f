import type { MetricGroup, MetricValue, StoreMetric } from './metric-group';
import { QUEUE_STATES } from '../../collectors/odoo-jobs/queries';
import { readBacklogSnapshot, type BacklogSnapshotRow } from '../../collectors/odoo-jobs/store';

/**
 * Job backlogs of each tenant database (collector odoo-jobs), `{tenant, cluster}`: a series is
 * published only where its table exists and the last read succeeded and is fresh; a database that
 * could not be read shows as `tenantscope_odoo_jobs_read_success 0`, never as an empty backlog.
 */
type Row = BacklogSnapshotRow;

const series = (rows: Row[], pick: (r: Row) => number | null): MetricValue[] =>
  rows.flatMap((r) => {
    const value = r.read_error === null ? pick(r) : null;
    return value === null ? [] : [{ value, labels: { tenant: r.tenant_id, cluster: r.cluster_id } }];
  });

const QUEUE_COLUMN = {
  wait_dependencies: 'queue_wait_dependencies',
  pending: 'queue_pending',
  enqueued: 'queue_enqueued',
  started: 'queue_started',
  failed: 'queue_failed',
} as const satisfies Record<(typeof QUEUE_STATES)[number], keyof Row>;

const METRICS: StoreMetric<Row[]>[] = [
  {
    name: 'tenantscope_odoo_jobs_read_success',
    help: "1 when the tenant database's job backlogs (ir_cron, queue_job) were read at the last run, 0 when it could not be read (gone, no CONNECT, too slow).",
    type: 'gauge',
    values: (rows) => rows.map((r) => ({ value: r.read_error === null ? 1 : 0, labels: { tenant: r.tenant_id, cluster: r.cluster_id } })),
  },
  {
    name: 'tenantscope_odoo_cron_active_jobs',
    help: 'Active scheduled actions (ir_cron) of the tenant database.',
    type: 'gauge',
    values: (rows) => series(rows, (r) => r.cron_active),
  },
  {
    name: 'tenantscope_odoo_cron_overdue_jobs',
    help: "Active scheduled actions whose next call is further in the past than the cluster's postgres.cronOverdueSeconds: the cron threads are not keeping up, or a job is stuck.",
    type: 'gauge',
    values: (rows) => series(rows, (r) => r.cron_overdue),
  },
  {
    name: 'tenantscope_odoo_cron_oldest_overdue_seconds',
    help: 'How long the most overdue scheduled action has been due, seconds; absent when none is overdue.',
    type: 'gauge',
    values: (rows) => series(rows, (r) => r.cron_oldest_overdue_seconds),
  },
  {
    name: 'tenantscope_odoo_queue_jobs',
    help: 'OCA queue_job jobs of the tenant database by state (wait_dependencies, pending, enqueued, started, failed); done and cancelled are not counted. Absent without queue_job.',
    type: 'gauge',
    values: (rows) =>
      rows.flatMap((r) =>
        QUEUE_STATES.flatMap((state) => {
          const value = r.read_error === null ? r[QUEUE_COLUMN[state]] : null;
          return value === null ? [] : [{ value, labels: { tenant: r.tenant_id, cluster: r.cluster_id, state } }];
        }),
      ),
  },
  {
    name: 'tenantscope_odoo_queue_oldest_pending_seconds',
    help: 'Age of the oldest pending queue job that may run now (its eta passed or unset), seconds; absent when none waits.',
    type: 'gauge',
    values: (rows) => series(rows, (r) => r.queue_oldest_pending_seconds),
  },
];

export const odooJobsMetrics: MetricGroup<Row[]> = {
  name: 'odoo-jobs',
  load: (db, clock) => readBacklogSnapshot(db, new Date(clock.now())),
  metrics: METRICS,
};
