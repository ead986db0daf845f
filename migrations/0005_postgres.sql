-- What the postgres collector read from each cluster's monitored PostgreSQL.
--
-- Per tenant (datname = tenant.database) and UTC minute [m, m+60 s). Activity columns are
-- backend-seconds from pg_stat_activity samples (each backend seen weighs the sampling
-- interval); the pg_stat_database columns are deltas between two readings, booked on the minute
-- of the later one, and absent (NULL) when the interval was dropped for a reset or the server
-- version has no such column. NULL is never read as 0. Partitioned by month.
CREATE TABLE pg_tenant_minute (
  tenant_id                           text NOT NULL REFERENCES tenant (id),
  minute                              timestamptz NOT NULL CHECK (date_trunc('minute', minute) = minute),
  activity_samples                    integer,
  active_seconds                      double precision,
  -- {"Lock": 3.0, "IO": 1.0}: active and waiting, by wait_event_type
  wait_seconds                        jsonb,
  idle_in_transaction_seconds         double precision,
  -- the oldest transaction left idle in transaction in any sample of the minute
  idle_in_transaction_oldest_seconds  double precision,
  max_backends                        integer,
  lock_wait_suffered_seconds          double precision,
  lock_wait_caused_seconds            double precision,
  -- of the suffered seconds, by the tenant holding the lock ("" when no tenant holds it)
  lock_wait_blockers                  jsonb,
  xact_commit                         bigint,
  xact_rollback                       bigint,
  blks_read                           bigint,
  blks_hit                            bigint,
  tup_returned                        bigint,
  tup_fetched                         bigint,
  tup_inserted                        bigint,
  tup_updated                         bigint,
  tup_deleted                         bigint,
  conflicts                           bigint,
  temp_files                          bigint,
  temp_bytes                          bigint,
  deadlocks                           bigint,
  blk_read_time_seconds                    double precision,
  blk_write_time_seconds                   double precision,
  session_time_seconds                     double precision,
  active_time_seconds                   double precision,
  idle_in_transaction_time_seconds      double precision,
  sessions                            bigint,
  sessions_abandoned                  bigint,
  sessions_fatal                      bigint,
  sessions_killed                     bigint,
  PRIMARY KEY (tenant_id, minute)
) PARTITION BY RANGE (minute);

-- Running totals per tenant, kept in the same transaction as pg_tenant_minute: the counters
-- /metrics publishes. A NULL total means the source never reported it (no series).
CREATE TABLE pg_tenant_total (
  tenant_id                       text PRIMARY KEY REFERENCES tenant (id),
  activity_samples                bigint,
  active_seconds                  double precision,
  idle_in_transaction_seconds     double precision,
  lock_wait_suffered_seconds      double precision,
  lock_wait_caused_seconds        double precision,
  xact_commit                     bigint,
  xact_rollback                   bigint,
  blks_read                       bigint,
  blks_hit                        bigint,
  tup_returned                    bigint,
  tup_fetched                     bigint,
  tup_inserted                    bigint,
  tup_updated                     bigint,
  tup_deleted                     bigint,
  conflicts                       bigint,
  temp_files                      bigint,
  temp_bytes                      bigint,
  deadlocks                       bigint,
  blk_read_time_seconds                double precision,
  blk_write_time_seconds               double precision,
  session_time_seconds                 double precision,
  active_time_seconds               double precision,
  idle_in_transaction_time_seconds  double precision,
  sessions                        bigint,
  sessions_abandoned              bigint,
  sessions_fatal                  bigint,
  sessions_killed                 bigint
);

CREATE TABLE pg_tenant_wait_total (
  tenant_id        text NOT NULL REFERENCES tenant (id),
  wait_event_type  text NOT NULL,
  seconds          double precision NOT NULL,
  PRIMARY KEY (tenant_id, wait_event_type)
);

-- The latest sample per tenant, for gauges; a gauge is published until fresh_until only, so a
-- collector that stopped does not leave old values standing.
CREATE TABLE pg_tenant_state (
  tenant_id                           text PRIMARY KEY REFERENCES tenant (id),
  sampled_at                          timestamptz,
  fresh_until                         timestamptz,
  backends                            jsonb,
  idle_in_transaction_oldest_seconds  double precision,
  size_bytes                          double precision,
  size_sampled_at                     timestamptz,
  size_fresh_until                    timestamptz
);

-- Per monitored cluster: the latest connection use and server facts (activity runs).
CREATE TABLE pg_cluster_state (
  cluster_id          text PRIMARY KEY REFERENCES cluster (id),
  sampled_at          timestamptz NOT NULL,
  fresh_until         timestamptz NOT NULL,
  server_version_num  integer NOT NULL,
  in_recovery         boolean NOT NULL,
  connections         integer NOT NULL,
  max_connections     integer NOT NULL
);

-- Per monitored cluster: checkpoint totals, and when the last stats run was taken (a run not
-- newer than that is a late duplicate and writes nothing).
CREATE TABLE pg_cluster_total (
  cluster_id             text PRIMARY KEY REFERENCES cluster (id),
  stats_sampled_at       timestamptz NOT NULL,
  checkpoints_timed      bigint,
  checkpoints_requested  bigint
);

-- The standbys and slots of the last stats run of a cluster (replaced whole by each run).
CREATE TABLE pg_replication_state (
  cluster_id          text NOT NULL REFERENCES cluster (id),
  standby             text NOT NULL,
  sampled_at          timestamptz NOT NULL,
  fresh_until         timestamptz NOT NULL,
  state               text,
  sync_state          text,
  write_lag_seconds   double precision,
  flush_lag_seconds   double precision,
  replay_lag_seconds  double precision,
  write_lag_bytes     double precision,
  flush_lag_bytes     double precision,
  replay_lag_bytes    double precision,
  PRIMARY KEY (cluster_id, standby)
);

CREATE TABLE pg_replication_slot_state (
  cluster_id           text NOT NULL REFERENCES cluster (id),
  slot_name            text NOT NULL,
  sampled_at           timestamptz NOT NULL,
  fresh_until          timestamptz NOT NULL,
  slot_type            text NOT NULL,
  active               boolean NOT NULL,
  wal_status           text,
  retained_bytes       double precision,
  safe_wal_size_bytes  double precision,
  PRIMARY KEY (cluster_id, slot_name)
);

-- The previous reading of each cumulative statistics row ("database:<datname>",
-- "checkpointer"), against which the next run computes its deltas. Updated in the run's
-- transaction, under a per-cluster advisory lock, so two workers never take the same delta.
CREATE TABLE pg_counter_state (
  cluster_id   text NOT NULL REFERENCES cluster (id),
  object       text NOT NULL,
  identity     text NOT NULL,
  stats_reset  timestamptz,
  sampled_at   timestamptz NOT NULL,
  counters     jsonb NOT NULL,
  PRIMARY KEY (cluster_id, object)
);

-- Key-wise sum of two {"key": number} objects; NULL stands for "nothing" (not zeros).
CREATE FUNCTION tenantscope_add_jsonb_numbers(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN a IS NULL THEN b
    WHEN b IS NULL THEN a
    ELSE (SELECT coalesce(jsonb_object_agg(k, coalesce((a ->> k)::float8, 0) + coalesce((b ->> k)::float8, 0)), '{}'::jsonb)
          FROM (SELECT jsonb_object_keys(a) UNION SELECT jsonb_object_keys(b)) AS keys (k))
  END
$$;
