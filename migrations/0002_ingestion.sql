-- Where each long-running input stands: a log file's identity (device:inode) and the byte
-- offset after the last complete line consumed. Written in the same transaction as the
-- rollups that offset produced, so a restart or a retry never counts a line twice.
CREATE TABLE ingest_checkpoint (
  collector      text NOT NULL,
  target         text NOT NULL,
  file_identity  text NOT NULL,
  file_offset    bigint NOT NULL CHECK (file_offset >= 0),
  updated_at     timestamptz NOT NULL,
  PRIMARY KEY (collector, target)
);

-- One row per scheduled collector run (collector, target, scheduled time): the idempotency
-- key of scheduled work. A duplicated or retried job finds its row and writes nothing again.
CREATE TABLE collector_run (
  collector         text NOT NULL,
  target            text NOT NULL,
  scheduled_at      timestamptz NOT NULL,
  finished_at       timestamptz NOT NULL,
  success           boolean NOT NULL,
  duration_seconds  double precision NOT NULL,
  records           integer NOT NULL DEFAULT 0,
  rejected          integer NOT NULL DEFAULT 0,
  error             text,
  -- host:pid of the process that ran it
  worker            text NOT NULL,
  PRIMARY KEY (collector, target, scheduled_at)
);
CREATE INDEX collector_run_finished_at_idx ON collector_run (finished_at);

-- The latest outcome per collector and target, read by /metrics in every process.
CREATE TABLE collector_status (
  collector         text NOT NULL,
  target            text NOT NULL,
  success           boolean NOT NULL,
  duration_seconds  double precision NOT NULL,
  finished_at       timestamptz NOT NULL,
  error             text,
  rejected_total    bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (collector, target)
);
