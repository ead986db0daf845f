-- Per-tenant attribution of the shared resources and the noisy-neighbour detector's state and
-- incidents (DESIGN §5, services/noisy/). Usage is in each resource's base unit:
--   odoo_workers  busy worker-seconds (SQL + Python seconds of the requests ending in the minute)
--   odoo_cron     cron seconds (runs whose end line states a duration, booked at the end)
--   pg_cpu        backend-seconds active on CPU (pg_stat_activity samples)
--   pg_io         8 KiB blocks: blks_read + temp_bytes / 8192 (pg_stat_database deltas)
--   pg_conn       client backends (the most seen in one sample of the minute)
--   pg_locks      backend-seconds others waited on locks this tenant held
--   redis         client connections (the most seen in one sample)
--   ingress       requests through the tenant's Traefik routers
-- A minute a source said nothing about has no row (never a 0 row).

-- Per tenant, UTC minute and resource. share is the tenant's part of the cluster's total that
-- minute; NULL when the total could not be trusted (a tenant's interval was dropped for a reset)
-- or was 0.
CREATE TABLE tenant_resource_minute (
  tenant_id   text NOT NULL REFERENCES tenant (id),
  minute      timestamptz NOT NULL CHECK (date_trunc('minute', minute) = minute),
  resource    text NOT NULL,
  cluster_id  text NOT NULL REFERENCES cluster (id),
  usage       double precision NOT NULL CHECK (usage >= 0),
  share       double precision CHECK (share >= 0 AND share <= 1),
  PRIMARY KEY (tenant_id, minute, resource)
) PARTITION BY RANGE (minute);
CREATE INDEX tenant_resource_minute_cluster_idx ON tenant_resource_minute (cluster_id, minute);

-- Per cluster, UTC minute and resource: the total, the capacity in the same unit per minute
-- (NULL when unknown) and where that capacity came from (fleet, server, default, derived).
CREATE TABLE cluster_resource_minute (
  cluster_id       text NOT NULL REFERENCES cluster (id),
  minute           timestamptz NOT NULL CHECK (date_trunc('minute', minute) = minute),
  resource         text NOT NULL,
  usage            double precision NOT NULL CHECK (usage >= 0),
  capacity         double precision,
  capacity_source  text,
  saturation       double precision,
  -- false when some tenant's interval was dropped, so the minute's shares are not computed
  shares_valid     boolean NOT NULL,
  PRIMARY KEY (cluster_id, minute, resource)
) PARTITION BY RANGE (minute);

-- Running usage per tenant and resource, the counter /metrics publishes; in the same
-- transaction as the minute rows, so dropping old partitions never lowers it.
CREATE TABLE tenant_resource_total (
  tenant_id   text NOT NULL REFERENCES tenant (id),
  resource    text NOT NULL,
  cluster_id  text NOT NULL REFERENCES cluster (id),
  usage       double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, resource)
);

-- The largest pg_database_size seen per tenant and UTC day: storage is charged directly.
CREATE TABLE tenant_storage_day (
  tenant_id   text NOT NULL REFERENCES tenant (id),
  day         date NOT NULL,
  size_bytes  double precision NOT NULL,
  PRIMARY KEY (tenant_id, day)
);

-- Per cluster: the minutes the live detector has taken ([.., watermark)), its snapshot (plain
-- JSON from NoisyNeighbourDetector.snapshot()) and what the attribution keeps across runs (the
-- observed peak of Odoo worker concurrency when the fleet gives no worker count).
CREATE TABLE noisy_detector_state (
  cluster_id  text PRIMARY KEY REFERENCES cluster (id),
  watermark   timestamptz NOT NULL,
  detector    jsonb,
  observed    jsonb NOT NULL DEFAULT '{}',
  updated_at  timestamptz NOT NULL
);

-- Incidents as the detector last reported them; rewritten while open, final once end is set.
CREATE TABLE noisy_incident (
  cluster_id      text NOT NULL REFERENCES cluster (id),
  id              text NOT NULL,
  resource        text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('neighbour', 'capacity')),
  start_at        timestamptz NOT NULL,
  confirmed_at    timestamptz,
  end_at          timestamptz,
  peak_share      double precision NOT NULL,
  score           double precision NOT NULL,
  -- [{"tenant", "blame", "peakShare"}], highest blame first
  antagonists     jsonb NOT NULL,
  antagonist_ids  text[] NOT NULL,
  victims         text[] NOT NULL,
  evidence        jsonb NOT NULL,
  updated_at      timestamptz NOT NULL,
  PRIMARY KEY (cluster_id, id)
);
CREATE INDEX noisy_incident_start_idx ON noisy_incident (start_at);
CREATE INDEX noisy_incident_open_idx ON noisy_incident (cluster_id) WHERE end_at IS NULL;
