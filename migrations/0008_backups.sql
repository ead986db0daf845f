-- Backups (collector `backups`): pgBackRest stanzas, cluster backups of pgBackRest and WAL-G,
-- per-tenant dump and restore-test jobs, and the newest recoverable point over time.

-- The cluster's pgBackRest stanza as last read (one stanza per cluster).
CREATE TABLE backup_stanza (
  cluster_id             text PRIMARY KEY REFERENCES cluster (id),
  stanza                 text NOT NULL,
  -- 0 ok .. 6, 99 other; NULL when the info did not say
  status_code            integer,
  status_message         text,
  -- [{key, code, message}] per repository (with 99 the real cause is here)
  repos                  jsonb NOT NULL DEFAULT '[]',
  -- PostgreSQL system identifiers, exact (uint64 exceeds 2^53)
  system_ids             text[] NOT NULL DEFAULT '{}',
  archive_min            text,
  archive_max            text,
  -- the first read of the info file that showed archive_max
  archive_max_seen_at    timestamptz,
  -- a lower bound of the time archive_max reaches: the read before the one that first showed it
  archive_reach_at       timestamptz,
  -- when the info was written (file mtime, never after the collector's clock)
  observed_at            timestamptz NOT NULL
);

-- Cluster backups as events, keyed by the tool's own label: re-reading an info file or a
-- backup list adds nothing. Backups expired by the tool stay here as history.
CREATE TABLE cluster_backup (
  cluster_id       text NOT NULL REFERENCES cluster (id),
  tool             text NOT NULL CHECK (tool IN ('pgbackrest', 'wal-g')),
  -- pgBackRest repository key or WAL-G storage name; '' where the source does not say
  repo             text NOT NULL DEFAULT '',
  label            text NOT NULL,
  -- full | diff | incr (pgBackRest), full | delta (WAL-G)
  type             text,
  started_at       timestamptz,
  stopped_at       timestamptz NOT NULL,
  -- pgBackRest page-checksum errors (2.36+); NULL when the version does not say
  error            boolean,
  permanent        boolean,
  wal_start        text,
  wal_stop         text,
  lsn_start        text,
  lsn_stop         text,
  size_bytes       bigint,
  repo_size_bytes  bigint,
  -- databases in the backup (pgBackRest database-ref); NULL when not listed
  databases        text[],
  system_id        text,
  first_seen_at    timestamptz NOT NULL,
  PRIMARY KEY (cluster_id, tool, repo, label)
);
CREATE INDEX cluster_backup_stopped_at_idx ON cluster_backup (cluster_id, stopped_at);

-- Per-tenant job results (dumps and restore tests), one row per line of the job file.
CREATE TABLE backup_job (
  tenant_id    text NOT NULL REFERENCES tenant (id),
  kind         text NOT NULL CHECK (kind IN ('backup', 'restore-test')),
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz NOT NULL CHECK (finished_at >= started_at),
  status       text NOT NULL CHECK (status IN ('ok', 'failed')),
  bytes        bigint CHECK (bytes >= 0),
  PRIMARY KEY (tenant_id, kind, started_at, finished_at)
) PARTITION BY RANGE (finished_at);

-- Running totals and the latest job per tenant and kind, kept in the same transaction as
-- backup_job, so dropping old partitions never lowers a counter. Read by /metrics.
CREATE TABLE backup_job_state (
  tenant_id              text NOT NULL REFERENCES tenant (id),
  kind                   text NOT NULL CHECK (kind IN ('backup', 'restore-test')),
  ok_total               bigint NOT NULL DEFAULT 0,
  failed_total           bigint NOT NULL DEFAULT 0,
  last_ok_started_at     timestamptz,
  last_ok_finished_at    timestamptz,
  last_finished_at       timestamptz NOT NULL,
  last_started_at        timestamptz NOT NULL,
  last_status            text NOT NULL,
  last_bytes             bigint,
  PRIMARY KEY (tenant_id, kind)
);

-- The newest recoverable point as it was known over time (what RPO exposure needs): from
-- observed_at on, the data as of recoverable_at could be restored. tenant_id NULL is the
-- cluster's point-in-time recovery (pgBackRest, WAL-G), shared by its tenants; a tenant row is
-- its own dump. The point at time t is max(recoverable_at) over rows with observed_at <= t;
-- rows are written only when that maximum moves.
CREATE TABLE recovery_point (
  cluster_id      text NOT NULL REFERENCES cluster (id),
  tenant_id       text REFERENCES tenant (id),
  source          text NOT NULL CHECK (source IN ('pgbackrest', 'wal-g', 'dump')),
  observed_at     timestamptz NOT NULL,
  recoverable_at  timestamptz NOT NULL CHECK (recoverable_at <= observed_at),
  UNIQUE NULLS NOT DISTINCT (cluster_id, tenant_id, source, observed_at)
) PARTITION BY RANGE (observed_at);
CREATE INDEX recovery_point_tenant_id_idx ON recovery_point (tenant_id);

-- The current maximum of recovery_point per subject and source, read by /metrics and by the
-- collector to write history only when it moves.
CREATE TABLE recovery_point_latest (
  cluster_id      text NOT NULL REFERENCES cluster (id),
  tenant_id       text REFERENCES tenant (id),
  source          text NOT NULL CHECK (source IN ('pgbackrest', 'wal-g', 'dump')),
  observed_at     timestamptz NOT NULL,
  recoverable_at  timestamptz NOT NULL,
  UNIQUE NULLS NOT DISTINCT (cluster_id, tenant_id, source)
);
CREATE INDEX recovery_point_latest_tenant_id_idx ON recovery_point_latest (tenant_id);
