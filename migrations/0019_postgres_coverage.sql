-- Wider per-database coverage of the postgres collector (issue #15).
--
-- Recovery conflicts by cause (pg_stat_database_conflicts) and checksum failures, as deltas
-- and running totals like the other pg_stat_database counters: NULL when not reported.
ALTER TABLE pg_tenant_minute
  ADD COLUMN confl_tablespace   bigint,
  ADD COLUMN confl_lock         bigint,
  ADD COLUMN confl_snapshot     bigint,
  ADD COLUMN confl_bufferpin    bigint,
  ADD COLUMN confl_deadlock     bigint,
  ADD COLUMN checksum_failures  bigint;

ALTER TABLE pg_tenant_total
  ADD COLUMN confl_tablespace   bigint,
  ADD COLUMN confl_lock         bigint,
  ADD COLUMN confl_snapshot     bigint,
  ADD COLUMN confl_bufferpin    bigint,
  ADD COLUMN confl_deadlock     bigint,
  ADD COLUMN checksum_failures  bigint;

-- Gauges of the stats run (its own freshness, the stats interval): heavyweight locks by mode
-- ({"AccessShareLock": 3, ...}, every mode present) and the database's stats_reset.
ALTER TABLE pg_tenant_state
  ADD COLUMN stats_sampled_at   timestamptz,
  ADD COLUMN stats_fresh_until  timestamptz,
  ADD COLUMN locks              jsonb,
  ADD COLUMN stats_reset        timestamptz;

-- The top statements of each tenant database (pg_stat_statements, when installed where the
-- collector connects), as the source keeps them: cumulative since the entry was created or
-- reset. Published until fresh_until only, so a statement that left the top is no series.
CREATE TABLE pg_statement_state (
  tenant_id     text NOT NULL REFERENCES tenant (id),
  queryid       text NOT NULL,
  sampled_at    timestamptz NOT NULL,
  fresh_until   timestamptz NOT NULL,
  calls         double precision NOT NULL,
  exec_seconds  double precision NOT NULL,
  rows          double precision NOT NULL,
  PRIMARY KEY (tenant_id, queryid)
);
