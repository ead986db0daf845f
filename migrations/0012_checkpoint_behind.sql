-- Whether a tail's last read stopped at its size limit with more already written: the reader is
-- taking a backlog in steps (after an outage, or the history of a log read for the first time).
-- The noisy-neighbour job holds its watermark at the backlog's newest minute while this is true,
-- so minutes are not attributed before their Odoo log lines are in (services/noisy/live-run.ts).
ALTER TABLE ingest_checkpoint ADD COLUMN behind boolean NOT NULL DEFAULT false;
