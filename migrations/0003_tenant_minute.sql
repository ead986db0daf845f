-- Per tenant and UTC minute [m, m+60 s): what the Odoo logs and the probes showed. A NULL
-- column means the source said nothing for that minute; it is never read as 0.
-- Partitioned by month (partitions are created ahead by tenantscope_ensure_month_partition).
CREATE TABLE tenant_minute (
  tenant_id            text NOT NULL REFERENCES tenant (id),
  minute               timestamptz NOT NULL CHECK (date_trunc('minute', minute) = minute),
  odoo_requests_2xx    integer,
  odoo_requests_3xx    integer,
  odoo_requests_4xx    integer,
  odoo_requests_5xx    integer,
  odoo_requests_other  integer,
  -- long-polling and websocket requests: counted, kept out of latency
  odoo_requests_held   integer,
  odoo_queries         bigint,
  odoo_sql_seconds     double precision,
  odoo_python_seconds  double precision,
  -- wall-time histogram, one count per bucket (not cumulative); bounds in the code
  odoo_duration_counts integer[],
  odoo_duration_sum    double precision,
  probes_ok            integer,
  probes_failed        integer,
  probe_seconds_sum    double precision,
  PRIMARY KEY (tenant_id, minute)
) PARTITION BY RANGE (minute);

-- Running totals per tenant since it was first seen: the counters /metrics publishes. Kept in
-- the same transaction as tenant_minute, so dropping old partitions never lowers a counter.
CREATE TABLE tenant_total (
  tenant_id            text PRIMARY KEY REFERENCES tenant (id),
  odoo_requests_2xx    bigint NOT NULL DEFAULT 0,
  odoo_requests_3xx    bigint NOT NULL DEFAULT 0,
  odoo_requests_4xx    bigint NOT NULL DEFAULT 0,
  odoo_requests_5xx    bigint NOT NULL DEFAULT 0,
  odoo_requests_other  bigint NOT NULL DEFAULT 0,
  odoo_requests_held   bigint NOT NULL DEFAULT 0,
  odoo_queries         bigint NOT NULL DEFAULT 0,
  odoo_sql_seconds     double precision NOT NULL DEFAULT 0,
  odoo_python_seconds  double precision NOT NULL DEFAULT 0,
  odoo_duration_counts bigint[],
  odoo_duration_sum    double precision NOT NULL DEFAULT 0,
  probes_ok            bigint NOT NULL DEFAULT 0,
  probes_failed        bigint NOT NULL DEFAULT 0,
  seen_odoo            boolean NOT NULL DEFAULT false,
  seen_probe           boolean NOT NULL DEFAULT false
);

-- The last probe per tenant, for the probe_success gauge.
CREATE TABLE probe_state (
  tenant_id         text PRIMARY KEY REFERENCES tenant (id),
  probed_at         timestamptz NOT NULL,
  ok                boolean NOT NULL,
  duration_seconds  double precision,
  reason            text
);

-- Creates the monthly partition of `parent` that holds `at`, if it is missing. Partition names
-- are <parent>_yYYYYmMM. Callers serialise through an advisory lock.
CREATE FUNCTION tenantscope_ensure_month_partition(parent text, at timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  month_start timestamptz := date_trunc('month', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  name text := parent || '_y' || to_char(month_start AT TIME ZONE 'UTC', 'YYYY"m"MM');
BEGIN
  IF to_regclass(name) IS NULL THEN
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                   name, parent, month_start, month_start + interval '1 month');
  END IF;
  RETURN name;
END $$;

-- Element-wise sum of two count arrays; NULL stands for "no counts" (not zeros).
CREATE FUNCTION tenantscope_add_counts(a anyarray, b anyarray) RETURNS anyarray
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN a IS NULL THEN b
    WHEN b IS NULL THEN a
    ELSE (SELECT array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS u(x, y, i))
  END
$$;
