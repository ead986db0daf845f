-- Tokens of log shippers: role 'ingest' may push evidence for the clusters it names, and nothing
-- else (it reads no report, no tenant). Cluster ids are checked against the fleet when the token is
-- created; a cluster that later leaves the fleet file makes its pushes 404, like any foreign one.
ALTER TABLE api_token ADD COLUMN clusters text[];
ALTER TABLE api_token DROP CONSTRAINT api_token_role_check;
ALTER TABLE api_token ADD CONSTRAINT api_token_role_check CHECK (role IN ('admin', 'read-only', 'tenant', 'ingest'));
ALTER TABLE api_token ADD CONSTRAINT api_token_ingest_clusters_check
  CHECK ((role = 'ingest') = (clusters IS NOT NULL AND cardinality(clusters) > 0));
