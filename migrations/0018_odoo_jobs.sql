-- The latest job backlogs read from each tenant database (collector odoo-jobs): Odoo's scheduled
-- actions (ir_cron) and OCA queue_job. One row per tenant, replaced by every read; NULL where
-- the table does not exist in that database, `read_error` when the database could not be read.
-- /metrics publishes a row until fresh_until, so a collector that stopped leaves no stale gauge.
CREATE TABLE odoo_job_backlog (
  tenant_id                    text PRIMARY KEY REFERENCES tenant (id),
  sampled_at                   timestamptz NOT NULL,
  fresh_until                  timestamptz NOT NULL,
  read_error                   text,
  cron_active                  integer,
  cron_overdue                 integer,
  cron_oldest_overdue_seconds  double precision,
  queue_wait_dependencies      integer,
  queue_pending                integer,
  queue_enqueued               integer,
  queue_started                integer,
  queue_failed                 integer,
  queue_oldest_pending_seconds double precision
);
