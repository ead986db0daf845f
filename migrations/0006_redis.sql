-- The redis collector (collectors/redis.ts): one monitored server per cluster. A NULL column
-- means the server did not print that field (older Redis versions); it is never read as 0.

-- The last sample per cluster: gauges for /metrics, and the raw counters and run_id that the
-- next sample's deltas start from. Any worker continues from here; runs on one cluster are
-- serialised by an advisory lock.
CREATE TABLE redis_server_state (
  cluster_id                text PRIMARY KEY REFERENCES cluster (id),
  sampled_at                timestamptz NOT NULL,
  run_id                    text,
  version                   text,
  role                      text,
  master_link_up            boolean,
  uptime_seconds            bigint,
  used_memory_bytes         bigint,
  used_memory_rss_bytes     bigint,
  -- 0 means no limit, as Redis prints it
  max_memory_bytes          bigint,
  fragmentation_ratio       double precision,
  ops_per_second            double precision,
  connected_clients         integer,
  blocked_clients           integer,
  max_clients               integer,
  connected_replicas        integer,
  replication_offset_bytes  bigint,
  replica_offset_bytes      bigint,
  -- clients of the server that no tenant of the cluster claims (the collector's own excluded)
  unattributed_clients      integer NOT NULL,
  -- raw INFO counters as last read: {"commandsProcessed": 123, ...}
  counters                  jsonb NOT NULL,
  -- tot-cmds per attributed client id (Redis 8 / Valkey 8), for per-tenant commands
  client_commands           jsonb NOT NULL DEFAULT '{}',
  -- slaveN lines: [{"ip", "port", "state", "offset", "lag"}]
  replicas                  jsonb NOT NULL DEFAULT '[]'
);

-- Running totals of the counters' deltas since tenantscope first sampled the server: what
-- /metrics publishes as _total. An interval across a restart or a stats reset is dropped.
-- NULL until a first interval was measured.
CREATE TABLE redis_server_total (
  cluster_id            text PRIMARY KEY REFERENCES cluster (id),
  commands_processed    bigint,
  connections_received  bigint,
  rejected_connections  bigint,
  expired_keys          bigint,
  evicted_keys          bigint,
  keyspace_hits         bigint,
  keyspace_misses       bigint,
  -- intervals dropped because the server restarted or its stats were reset
  resets                bigint NOT NULL DEFAULT 0
);

-- Keyspace per db as last sampled; Redis lists only dbs that hold keys, so a db that empties
-- disappears from here.
CREATE TABLE redis_db_state (
  cluster_id   text NOT NULL REFERENCES cluster (id),
  db           integer NOT NULL CHECK (db >= 0),
  sampled_at   timestamptz NOT NULL,
  keys         bigint NOT NULL,
  expires      bigint NOT NULL,
  avg_ttl_ms   bigint NOT NULL,
  subexpiry    bigint,
  PRIMARY KEY (cluster_id, db)
);

-- Per tenant as last sampled: clients by name prefix or db index, their memory, the keys of
-- the tenant's db, and the commands running total where the server gives tot-cmds.
CREATE TABLE redis_tenant_state (
  tenant_id            text PRIMARY KEY REFERENCES tenant (id),
  cluster_id           text NOT NULL REFERENCES cluster (id),
  sampled_at           timestamptz NOT NULL,
  clients              integer NOT NULL,
  client_memory_bytes  bigint,
  keys                 bigint,
  commands_total       bigint
);
CREATE INDEX redis_tenant_state_cluster_id_idx ON redis_tenant_state (cluster_id);

-- Per cluster and UTC minute: samples taken, peaks of the gauges, and the counter deltas of
-- the intervals that ended in the minute (NULL when none was measured).
CREATE TABLE redis_minute (
  cluster_id             text NOT NULL REFERENCES cluster (id),
  minute                 timestamptz NOT NULL CHECK (date_trunc('minute', minute) = minute),
  samples                integer NOT NULL,
  used_memory_max_bytes  bigint,
  connected_clients_max  integer,
  ops_per_second_max     double precision,
  commands_processed     bigint,
  connections_received   bigint,
  rejected_connections   bigint,
  expired_keys           bigint,
  evicted_keys           bigint,
  keyspace_hits          bigint,
  keyspace_misses        bigint,
  PRIMARY KEY (cluster_id, minute)
) PARTITION BY RANGE (minute);

-- Per tenant and UTC minute: the attribution input for the shared Redis (DESIGN §5).
CREATE TABLE redis_tenant_minute (
  tenant_id                text NOT NULL REFERENCES tenant (id),
  minute                   timestamptz NOT NULL CHECK (date_trunc('minute', minute) = minute),
  cluster_id               text NOT NULL REFERENCES cluster (id),
  samples                  integer NOT NULL,
  clients_max              integer NOT NULL,
  client_memory_max_bytes  bigint,
  keys_max                 bigint,
  commands                 bigint,
  PRIMARY KEY (tenant_id, minute)
) PARTITION BY RANGE (minute);
CREATE INDEX redis_tenant_minute_cluster_id_idx ON redis_tenant_minute (cluster_id);
