-- What the ingress (Traefik) counted per tenant. Its own tables rather than columns on
-- tenant_minute: the traefik ingest then never takes row locks on the minutes the Odoo log and
-- probe ingests are writing, its retention can differ, and no other migration has to ALTER a
-- shared table. The SLA engine reads ingress_requests and ingress_server_errors per
-- (tenant_id, minute) beside tenant_minute (DESIGN §6: requests come from the ingress, else
-- from Odoo's logs).

-- Per tenant and UTC minute [m, m+60 s): counter deltas of the tenant's routers between two
-- scrapes, put in the minute of the later scrape. A row exists only for minutes with traffic;
-- a NULL column means Traefik did not expose that counter (never read as 0).
CREATE TABLE ingress_minute (
  tenant_id              text NOT NULL REFERENCES tenant (id),
  minute                 timestamptz NOT NULL CHECK (date_trunc('minute', minute) = minute),
  -- every request a router of the tenant saw, aborted ones (code 0) included
  ingress_requests       integer NOT NULL CHECK (ingress_requests >= 0),
  -- 5xx answers; an aborted request (code 0) is not a server error
  ingress_server_errors  integer NOT NULL CHECK (ingress_server_errors >= 0),
  requests_1xx           integer NOT NULL DEFAULT 0,
  requests_2xx           integer NOT NULL DEFAULT 0,
  requests_3xx           integer NOT NULL DEFAULT 0,
  requests_4xx           integer NOT NULL DEFAULT 0,
  requests_5xx           integer NOT NULL DEFAULT 0,
  -- code 0: the client went away (or a websocket was hijacked) before an answer
  requests_aborted       integer NOT NULL DEFAULT 0,
  -- gRPC statuses (v3) and anything outside 100-599
  requests_other         integer NOT NULL DEFAULT 0,
  request_bytes          bigint,
  response_bytes         bigint,
  -- Traefik's own histogram: its finite bucket bounds (metrics.prometheus.buckets) and one
  -- count per bucket (not cumulative), the last for observations above the largest bound
  duration_bounds        double precision[],
  duration_counts        integer[],
  duration_sum           double precision,
  PRIMARY KEY (tenant_id, minute)
) PARTITION BY RANGE (minute);

-- Running totals per tenant, the counters /metrics publishes; kept in the same transaction as
-- ingress_minute so dropping old partitions never lowers a counter.
CREATE TABLE ingress_total (
  tenant_id         text PRIMARY KEY REFERENCES tenant (id),
  requests_1xx      bigint NOT NULL DEFAULT 0,
  requests_2xx      bigint NOT NULL DEFAULT 0,
  requests_3xx      bigint NOT NULL DEFAULT 0,
  requests_4xx      bigint NOT NULL DEFAULT 0,
  requests_5xx      bigint NOT NULL DEFAULT 0,
  requests_aborted  bigint NOT NULL DEFAULT 0,
  requests_other    bigint NOT NULL DEFAULT 0,
  request_bytes     bigint,
  response_bytes    bigint,
  -- a change of Traefik's bucket bounds starts the histogram again (a counter reset to Prometheus)
  duration_bounds   double precision[],
  duration_counts   bigint[],
  duration_sum      double precision,
  duration_count    bigint
);

-- Requests on routers no tenant could be found for (no Host rule of a tenant, no routerTenants
-- entry), per cluster and router: what the SRE must map.
CREATE TABLE ingress_unmapped_total (
  cluster_id  text NOT NULL REFERENCES cluster (id),
  router      text NOT NULL,
  requests    bigint NOT NULL CHECK (requests >= 0),
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (cluster_id, router)
);

-- The previous scrape of each Traefik /metrics target: the baseline of the next deltas. Updated
-- in the same transaction as the deltas it produced, under an advisory lock per target, so any
-- worker can continue where another stopped and no interval is counted twice.
CREATE TABLE traefik_scrape_state (
  target          text PRIMARY KEY,
  cluster_id      text NOT NULL REFERENCES cluster (id),
  scraped_at      timestamptz NOT NULL,
  -- process_start_time_seconds of that Traefik: a change means its counters began again
  process_start   double precision,
  -- v2 or v3, as recognised from the metric set
  metric_set      text,
  -- counters per router series, as collectors/traefik.ts read them
  counters        jsonb NOT NULL
);
CREATE INDEX traefik_scrape_state_cluster_id_idx ON traefik_scrape_state (cluster_id);
