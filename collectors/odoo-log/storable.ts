import type { OdooLogRecord } from './parser';
import { Rejections, type RejectReason } from '../lib/rejections';
import { firstProblem, isInt4, isSeconds, isStorableText, isStorableTime } from '../lib/storable';
import { isAccepted, type AcceptedRange } from '../lib/accepted-range';

/**
 * What PostgreSQL can store of a parsed Odoo log record. A line can parse and still not fit a
 * column (a pid past int4, a NUL in a database name, a duration of 1e300 s); one such line used to
 * fail its whole batch, so the tail never moved again and a retrying shipper never got through.
 * Such a record is rejected and counted by reason; the rest of the batch is stored.
 */
export function unstorableReason(record: OdooLogRecord, range: AcceptedRange): RejectReason | undefined {
  const common: [boolean, RejectReason][] = [
    [isStorableTime(record.ts), 'time_out_of_range'],
    [isAccepted(range, record.ts), 'outside_accepted_range'],
    [isInt4(record.pid), 'number_out_of_range'],
  ];
  switch (record.type) {
    case 'request':
      return firstProblem([
        ...common,
        [isStorableText(record.db), 'invalid_text'],
        [Number.isInteger(record.status) && record.status >= 0 && record.status <= 999, 'number_out_of_range'],
        [isInt4(record.queryCount), 'number_out_of_range'],
        [isSeconds(record.sqlSeconds) && isSeconds(record.otherSeconds), 'number_out_of_range'],
      ]);
    case 'worker':
      return firstProblem([...common, [isInt4(record.workerPid), 'number_out_of_range']]);
    case 'cron':
      // the job's name is not stored: only the database, the id and the duration must fit
      return firstProblem([
        ...common,
        [isStorableText(record.db), 'invalid_text'],
        [isInt4(record.cronId), 'number_out_of_range'],
        [isSeconds(record.seconds), 'number_out_of_range'],
      ]);
    case 'log':
      return firstProblem([...common, [isStorableText(record.db), 'invalid_text']]);
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
