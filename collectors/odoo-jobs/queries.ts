/**
 * What one tenant database says of its job backlogs: Odoo's scheduled actions (`ir_cron`) and
 * OCA's `queue_job`. Odoo stores its datetimes as UTC `timestamp without time zone`, hence the
 * `now() AT TIME ZONE 'UTC'`. Either table may be missing (a database that is not Odoo, or
 * queue_job not installed): the reader asks first, so a missing table is skipped, not an error.
 */

export const TABLES = `SELECT to_regclass('ir_cron') IS NOT NULL AS has_cron, to_regclass('queue_job') IS NOT NULL AS has_queue`;

/** Active scheduled actions, and those whose next call is more than $1 seconds in the past. */
export const CRON = `
SELECT count(*)::int AS active,
  count(*) FILTER (WHERE nextcall < (now() AT TIME ZONE 'UTC') - make_interval(secs => $1))::int AS overdue,
  extract(epoch FROM (now() AT TIME ZONE 'UTC') - min(nextcall) FILTER (WHERE nextcall < (now() AT TIME ZONE 'UTC') - make_interval(secs => $1)))::float8 AS oldest_overdue_seconds
FROM ir_cron WHERE active`;

/**
 * Jobs by state, done and cancelled left out (they are the bulk, and the state index keeps this
 * cheap); the oldest pending job that may run now (its `eta` passed or unset).
 */
export const QUEUE = `
SELECT state, count(*)::int AS jobs,
  extract(epoch FROM (now() AT TIME ZONE 'UTC') - min(coalesce(eta, date_created))
    FILTER (WHERE state = 'pending' AND (eta IS NULL OR eta <= now() AT TIME ZONE 'UTC')))::float8 AS oldest_pending_seconds
FROM queue_job WHERE state IN ('wait_dependencies', 'pending', 'enqueued', 'started', 'failed')
GROUP BY state`;

export const QUEUE_STATES = ['wait_dependencies', 'pending', 'enqueued', 'started', 'failed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];
