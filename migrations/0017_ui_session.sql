-- Sessions of the service manager's pages (/ui/, docs/pages.md). A browser holds a random session
-- id in an HttpOnly cookie; only its SHA-256 is kept here, so a database dump signs nobody in. A
-- session stands for the API token it was opened with: revoking the token ends the session at
-- once (the lookup joins the token), and every session ends at expires_at (12 h after sign-in).
CREATE TABLE ui_session (
  session_hash text PRIMARY KEY CHECK (session_hash ~ '^[0-9a-f]{64}$'),
  token_name   text NOT NULL REFERENCES api_token (name),
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL CHECK (expires_at > created_at)
);
CREATE INDEX ui_session_expires_at_idx ON ui_session (expires_at);
