-- Input a collector could not use, counted per reason (malformed, too_long, invalid_utf8,
-- invalid_text, number_out_of_range, time_out_of_range): the counter /metrics publishes as
-- tenantscope_collector_rejected_records_total{collector,target,reason}. Added in the transaction
-- of the run or the pushed batch that met the input, so a retry never counts it twice. A pushed
-- batch's target is push:<cluster>.
CREATE TABLE collector_rejection (
  collector  text NOT NULL,
  target     text NOT NULL,
  reason     text NOT NULL,
  records    bigint NOT NULL CHECK (records >= 0),
  PRIMARY KEY (collector, target, reason)
);

-- What was counted before reasons were kept goes on under 'unrecorded', so no counter drops.
INSERT INTO collector_rejection (collector, target, reason, records)
  SELECT collector, target, 'unrecorded', rejected_total FROM collector_status WHERE rejected_total > 0;
ALTER TABLE collector_status DROP COLUMN rejected_total;
