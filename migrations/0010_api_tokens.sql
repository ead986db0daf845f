-- Bearer tokens of the HTTP API. Only the SHA-256 of a token is kept: a database dump cannot be
-- replayed against the API. Tokens are revoked, never deleted, so the audit trail of exclusion
-- windows (recorded by a token's name) keeps meaning something.
CREATE TABLE api_token (
  name        text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$'),
  token_hash  text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  role        text NOT NULL CHECK (role IN ('admin', 'read-only', 'tenant')),
  -- A tenant that leaves the fleet file is kept (inactive), so this reference never dangles.
  tenant_id   text REFERENCES tenant (id),
  created_at  timestamptz NOT NULL,
  revoked_at  timestamptz,
  CHECK ((role = 'tenant') = (tenant_id IS NOT NULL))
);
CREATE INDEX api_token_tenant_id_idx ON api_token (tenant_id);
