-- SLA reports (DESIGN §6): recorded exclusion windows with their audit trail, frozen report
-- revisions, and the classified minutes behind tenantscope_sli_minutes_total.

-- Exclusion windows approved through the API: for one tenant or a whole cluster. A window is
-- never deleted or edited; revoking it fills the revoked_* columns and adds an audit row, so a
-- frozen report that counted it stays explainable.
CREATE TABLE sla_exclusion (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id      text REFERENCES tenant (id),
  cluster_id     text REFERENCES cluster (id),
  kind           text NOT NULL CHECK (kind IN ('maintenance', 'customer', 'force-majeure')),
  start_at       timestamptz NOT NULL,
  end_at         timestamptz NOT NULL CHECK (end_at > start_at),
  reason         text NOT NULL CHECK (reason <> ''),
  recorded_by    text NOT NULL,
  recorded_at    timestamptz NOT NULL,
  revoked_by     text,
  revoked_at     timestamptz,
  revoke_reason  text,
  CHECK ((tenant_id IS NULL) <> (cluster_id IS NULL)),
  CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE INDEX sla_exclusion_tenant_idx ON sla_exclusion (tenant_id, start_at);
CREATE INDEX sla_exclusion_cluster_idx ON sla_exclusion (cluster_id, start_at);

-- Every action on a window, in order; only ever inserted.
CREATE TABLE sla_exclusion_audit (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  exclusion_id  bigint NOT NULL REFERENCES sla_exclusion (id),
  action        text NOT NULL CHECK (action IN ('recorded', 'revoked')),
  actor         text NOT NULL,
  at            timestamptz NOT NULL,
  detail        jsonb NOT NULL
);
CREATE INDEX sla_exclusion_audit_exclusion_idx ON sla_exclusion_audit (exclusion_id, id);

-- Frozen revisions of a tenant's month: revision 1 at the first freeze, a new one only when the
-- canonical JSON changes. `canonical` is the exact byte sequence digest and signature cover.
CREATE TABLE sla_report (
  tenant_id    text NOT NULL REFERENCES tenant (id),
  month        text NOT NULL CHECK (month ~ '^\d{4}-(0[1-9]|1[0-2])$'),
  revision     integer NOT NULL CHECK (revision >= 1),
  computed_at  timestamptz NOT NULL,
  reason       text NOT NULL,
  canonical    text NOT NULL,
  digest       text NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$'),
  -- HMAC-SHA-256 hex; NULL when no signing key was configured (signed is then false)
  signature    text,
  signed       boolean NOT NULL,
  -- [{field, old, new}] against the previous revision; [] for revision 1
  changes      jsonb NOT NULL DEFAULT '[]',
  CHECK (signed = (signature IS NOT NULL)),
  PRIMARY KEY (tenant_id, month, revision)
);

-- Classified minutes per tenant and UTC day, one byte per minute of the day (0 good, 1 bad,
-- 2 nodata, 3 excluded, 255 not classified yet). A byte array per day rather than a row per
-- minute keeps a tenant-month near 50 KB on disk instead of megabytes. Written once per minute
-- as it closes (after the allowed lateness); counted_until is how far the counters below went.
CREATE TABLE sla_minute (
  tenant_id  text NOT NULL REFERENCES tenant (id),
  day        timestamptz NOT NULL CHECK (date_trunc('day', day AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' = day),
  states     bytea NOT NULL CHECK (length(states) = 1440),
  PRIMARY KEY (tenant_id, day)
) PARTITION BY RANGE (day);

-- Running totals per tenant and state: tenantscope_sli_minutes_total. Kept in the same
-- transaction as sla_minute, so a minute is counted exactly once and the counter never drops.
CREATE TABLE sla_minute_total (
  tenant_id      text PRIMARY KEY REFERENCES tenant (id),
  good           bigint NOT NULL DEFAULT 0,
  bad            bigint NOT NULL DEFAULT 0,
  nodata         bigint NOT NULL DEFAULT 0,
  excluded       bigint NOT NULL DEFAULT 0,
  -- minutes before this instant are counted
  counted_until  timestamptz NOT NULL
);

-- The same counts per tenant and month of the tenant's time zone (YYYY-MM), for the
-- month-to-date availability and error budget gauges without reading the day arrays.
CREATE TABLE sla_minute_month (
  tenant_id  text NOT NULL REFERENCES tenant (id),
  month      text NOT NULL,
  good       integer NOT NULL DEFAULT 0,
  bad        integer NOT NULL DEFAULT 0,
  nodata     integer NOT NULL DEFAULT 0,
  excluded   integer NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, month)
);
