import type { IngressRow } from './store';
import type { RouterSeries } from './read';
import { Rejections, type RejectReason } from '../lib/rejections';
import { firstProblem, INT4_MAX, isInt8, isStorableText } from '../lib/storable';

/**
 * What PostgreSQL can store of a Traefik scrape (lib/storable.ts). A series whose labels hold a
 * NUL would fail the baseline's jsonb, and a counter of 1.5 or 1e30 its integer columns: the
 * baseline would then never move and every later scrape fail the same way. Such a series is
 * rejected and counted, and kept out of the baseline; the others are stored.
 */
export function seriesProblem(s: RouterSeries): RejectReason | undefined {
  const counts = s.duration ? [...s.duration.cumulative, s.duration.count] : [];
  return firstProblem([
    [[s.router, s.service, s.code, s.method, s.protocol].every(isStorableText), 'invalid_text'],
    [[s.requests, s.requestBytes, s.responseBytes, ...counts].every(isInt8), 'number_out_of_range'],
  ]);
}

export function storableSeries(series: readonly RouterSeries[], rejections: Rejections): RouterSeries[] {
  return series.filter((s) => {
    const reason = seriesProblem(s);
    if (reason) rejections.add(reason);
    return reason === undefined;
  });
}

/**
 * A tenant's minute must fit ingress_minute's int4 columns: a delta of 2^31 requests in one
 * minute is a counter Traefik never had, or a series first seen with a lifetime's count.
 */
export function storableRows(rows: readonly IngressRow[], rejections: Rejections): IngressRow[] {
  return rows.filter((r) => {
    const requests = Object.values(r.requests);
    const ok =
      requests.reduce((a, b) => a + b, 0) <= INT4_MAX &&
      (r.duration?.counts.every((c) => c <= INT4_MAX) ?? true) &&
      isInt8(r.requestBytes) &&
      isInt8(r.responseBytes);
    if (!ok) rejections.add('number_out_of_range');
    return ok;
  });
}
