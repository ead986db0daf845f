import type { OdooLogRecord } from './parser';
import { Rejections, type RejectReason } from '../lib/rejections';
import { isInt4, isSeconds, isStorableText, isStorableTime } from '../lib/storable';
import { isAccepted, type AcceptedRange } from '../lib/accepted-range';

/**
 * What PostgreSQL can store of a parsed Odoo log record. A line can parse and still not fit a
 * column (a pid past int4, a NUL in a database name, a duration of 1e300 s); one such line used to
 * fail its whole batch, so the tail never moved again and a retrying shipper never got through.
 * Such a record is rejected and counted by reason; the rest of the batch is stored.
 */
export function unstorableReason(record: OdooLogRecord, range: AcceptedRange): RejectReason | undefined {
  // checked in this order, the first failing one named; no array per record (every line comes here)
  if (!isStorableTime(record.ts)) return 'time_out_of_range';
  if (!isAccepted(range, record.ts)) return 'outside_accepted_range';
  if (!isInt4(record.pid)) return 'number_out_of_range';
  switch (record.type) {
    case 'request':
      if (!isStorableText(record.db)) return 'invalid_text';
      if (!(Number.isInteger(record.status) && record.status >= 0 && record.status <= 999)) return 'number_out_of_range';
      if (!isInt4(record.queryCount)) return 'number_out_of_range';
      if (!(isSeconds(record.sqlSeconds) && isSeconds(record.otherSeconds))) return 'number_out_of_range';
      return undefined;
    case 'worker':
      return isInt4(record.workerPid) ? undefined : 'number_out_of_range';
    case 'cron':
      // the job's name is not stored: only the database, the id and the duration must fit
      if (!isStorableText(record.db)) return 'invalid_text';
      if (!isInt4(record.cronId) || !isSeconds(record.seconds)) return 'number_out_of_range';
      return undefined;
    case 'log':
      return isStorableText(record.db) ? undefined : 'invalid_text';
  }
}

/** The records PostgreSQL can store and `range` accepts, and the others counted by reason. */
export function storableRecords(
  records: readonly OdooLogRecord[],
  range: AcceptedRange,
): { records: OdooLogRecord[]; rejections: Rejections } {
  const rejections = new Rejections();
  const kept = records.filter((r) => {
    const reason = unstorableReason(r, range);
    if (reason) rejections.add(reason);
    return reason === undefined;
  });
  return { records: kept, rejections };
}
