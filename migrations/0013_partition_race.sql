-- tenantscope_ensure_month_partition again, now tolerating a partition a concurrent caller made.
-- Callers serialise through an advisory lock (services/storage/partitions.ts), yet a fresh-clone CI
-- run saw "relation tenant_minute_y2026m11 already exists" in the split-roles test, two worker
-- processes collecting at once; the path that escaped the lock was not found. A partition that
-- exists is the goal, so a creation that loses a race now counts as success.
CREATE OR REPLACE FUNCTION tenantscope_ensure_month_partition(parent text, at timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  month_start timestamptz := date_trunc('month', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  name text := parent || '_y' || to_char(month_start AT TIME ZONE 'UTC', 'YYYY"m"MM');
BEGIN
  IF to_regclass(name) IS NULL THEN
    BEGIN
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                     name, parent, month_start, month_start + interval '1 month');
    EXCEPTION WHEN duplicate_table OR unique_violation THEN
      NULL;
    END;
  END IF;
  RETURN name;
END $$;
