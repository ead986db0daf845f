-- The fleet as declared in the fleet file, synced on start. Tenants that leave the file are
-- kept (inactive) because stored reports and rollups still refer to them.
CREATE TABLE tier (
  id         text PRIMARY KEY,
  spec       jsonb NOT NULL,
  synced_at  timestamptz NOT NULL
);

CREATE TABLE cluster (
  id         text PRIMARY KEY,
  timezone   text NOT NULL,
  spec       jsonb NOT NULL,
  synced_at  timestamptz NOT NULL
);

CREATE TABLE tenant (
  id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]*$'),
  name        text NOT NULL,
  cluster_id  text NOT NULL REFERENCES cluster (id),
  tier_id     text NOT NULL REFERENCES tier (id),
  timezone    text NOT NULL,
  database    text NOT NULL,
  hosts       text[] NOT NULL,
  spec        jsonb NOT NULL,
  active      boolean NOT NULL DEFAULT true,
  synced_at   timestamptz NOT NULL
);
CREATE INDEX tenant_cluster_id_idx ON tenant (cluster_id);
CREATE INDEX tenant_tier_id_idx ON tenant (tier_id);
