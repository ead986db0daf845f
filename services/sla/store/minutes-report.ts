import { classifyMinutes, downtimeRule } from '../classify';
import type { MinuteEvidence } from '../minute-evidence';
import type { MonthRange } from '../../core/month';
import { exclusionWindows, reportFromMinutes, type SlaReport, type TenantMonth } from '../report';
import { excludedMask } from '../windows';

/**
 * Reports over minute evidence already in typed arrays, as the PostgreSQL path fills them: the
 * engine's own reportFromMinutes, so stored reports and `sla recompute` agree byte for byte.
 */
export function computeReportFromMinutes(input: TenantMonth, ev: MinuteEvidence): SlaReport {
  return reportFromMinutes(input, ev);
}

/**
 * Classifies the minutes of `range` (a whole month, or the part of one that just closed, for
 * the SLI minute counter) with the same windows and rule as the report.
 */
export function classifyRange(input: TenantMonth, range: MonthRange, ev: MinuteEvidence): Uint8Array {
  return classifyMinutes(ev, excludedMask(range, exclusionWindows(input, range)), downtimeRule(input.tier));
}
