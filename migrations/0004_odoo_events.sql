-- What the Odoo logs say besides requests: prefork worker lifecycle events and cron runs.
-- Minute tables are partitioned by UTC month like tenant_minute; the running totals beside them
-- are the counters /metrics publishes, kept in the same transaction so dropping old partitions
-- never lowers a counter.

-- Per cluster and UTC minute [m, m+60 s): worker lifecycle events (reference §1.3).
CREATE TABLE odoo_worker_event_minute (
  cluster_id  text NOT NULL REFERENCES cluster (id),
  minute      timestamptz NOT NULL CHECK (date_trunc('minute', minute) = minute),
  event       text NOT NULL CHECK (event IN ('alive', 'exiting', 'max-request', 'memory-limit', 'cpu-limit', 'timeout-kill', 'crash')),
  events      integer NOT NULL CHECK (events >= 0),
  PRIMARY KEY (cluster_id, minute, event)
) PARTITION BY RANGE (minute);
CREATE INDEX odoo_worker_event_minute_minute_idx ON odoo_worker_event_minute (minute);

-- Per tenant and UTC minute: the worker events attributed to the tenant (the db the worker was
-- serving, see services/ingest/odoo-event-rollup.ts) and its cron runs. A row exists only for a
-- minute in which something happened; its zero columns are true zeros (the log was read).
CREATE TABLE odoo_tenant_event_minute (
  tenant_id            text NOT NULL REFERENCES tenant (id),
  minute               timestamptz NOT NULL CHECK (date_trunc('minute', minute) = minute),
  worker_max_request   integer NOT NULL DEFAULT 0,
  worker_memory_limit  integer NOT NULL DEFAULT 0,
  worker_cpu_limit     integer NOT NULL DEFAULT 0,
  worker_timeout_kill  integer NOT NULL DEFAULT 0,
  worker_crash         integer NOT NULL DEFAULT 0,
  cron_starts          integer NOT NULL DEFAULT 0,
  cron_done            integer NOT NULL DEFAULT 0,
  cron_failed          integer NOT NULL DEFAULT 0,
  -- runs whose end line gave a duration (16+), and the sum of those durations
  cron_timed_runs      integer NOT NULL DEFAULT 0,
  cron_seconds         double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, minute)
) PARTITION BY RANGE (minute);

CREATE TABLE odoo_worker_event_total (
  cluster_id  text NOT NULL REFERENCES cluster (id),
  event       text NOT NULL,
  events      bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (cluster_id, event)
);

CREATE TABLE odoo_tenant_event_total (
  tenant_id            text PRIMARY KEY REFERENCES tenant (id),
  worker_max_request   bigint NOT NULL DEFAULT 0,
  worker_memory_limit  bigint NOT NULL DEFAULT 0,
  worker_cpu_limit     bigint NOT NULL DEFAULT 0,
  worker_timeout_kill  bigint NOT NULL DEFAULT 0,
  worker_crash         bigint NOT NULL DEFAULT 0,
  cron_starts          bigint NOT NULL DEFAULT 0,
  cron_done            bigint NOT NULL DEFAULT 0,
  cron_failed          bigint NOT NULL DEFAULT 0,
  cron_timed_runs      bigint NOT NULL DEFAULT 0,
  cron_seconds         double precision NOT NULL DEFAULT 0
);

-- The database each Odoo process last named in a line, per log source (a file, or pushed lines
-- of a cluster): a watchdog kill logged by the master names only the worker's pid, and this is
-- how it finds the tenant. Rows of a pid are dropped when a new worker with that pid starts.
CREATE TABLE odoo_worker_db (
  source    text NOT NULL,
  pid       integer NOT NULL,
  database  text NOT NULL,
  seen_at   timestamptz NOT NULL,
  PRIMARY KEY (source, pid)
);

-- Digests of pushed batches, so a shipper's retry of the very same body is not counted again.
CREATE TABLE odoo_push_batch (
  cluster_id   text NOT NULL REFERENCES cluster (id),
  digest       bytea NOT NULL,
  received_at  timestamptz NOT NULL,
  PRIMARY KEY (cluster_id, digest)
);
CREATE INDEX odoo_push_batch_received_at_idx ON odoo_push_batch (received_at);
