-- "PostgreSQL unreachable" as evidence of its own (issue #13). The SLA read it from failed runs
-- of the postgres collector's `<cluster>/stats` target in collector_run, which tied SLA evidence
-- to the run ledger's retention. One row per failed stats run: the cluster and the run's
-- scheduled time. Written in the same transaction as the failed run's ledger row
-- (collectors/runner.ts), owned by collectors/postgres/outage-store.ts. Partitioned by UTC month
-- like the other evidence, so retention drops it by partition (services/storage/retention.ts).
CREATE TABLE postgres_unreachable (
  cluster_id    text NOT NULL,
  scheduled_at  timestamptz NOT NULL,
  PRIMARY KEY (cluster_id, scheduled_at)
) PARTITION BY RANGE (scheduled_at);

-- Backfill from the failed runs recorded so far: the partitions of their months, then the rows.
-- The cluster id is the target without its '/stats' suffix, exactly what the SLA matched.
DO $$
DECLARE
  m timestamptz;
BEGIN
  FOR m IN SELECT DISTINCT date_trunc('month', scheduled_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' FROM collector_run
           WHERE collector = 'postgres' AND NOT success AND target LIKE '%/stats'
  LOOP
    PERFORM tenantscope_ensure_month_partition('postgres_unreachable', m);
  END LOOP;
END $$;

INSERT INTO postgres_unreachable (cluster_id, scheduled_at)
SELECT left(target, length(target) - length('/stats')), scheduled_at FROM collector_run
WHERE collector = 'postgres' AND NOT success AND target LIKE '%/stats'
ON CONFLICT DO NOTHING;
