import type { RejectReason } from './rejections';

/**
 * What PostgreSQL can store of a value read from a source. A record can parse and still not fit
 * its column (a pid past int4, a NUL in a name, a duration of 1e300 s, a timestamp in year 0);
 * stored as it is, it fails the whole transaction, and a tail or a retried push would meet it
 * again on every run. Collectors reject such a record with the reason these checks give.
 */
export const INT4_MAX = 2 ** 31 - 1;
/** The largest whole number a JavaScript number holds exactly; int8 columns take it. */
export const INT8_SAFE_MAX = Number.MAX_SAFE_INTEGER;
/** Longer than any request, cron run or lag we measure, and small enough that a month of sums stays exact in float8. */
export const MAX_SECONDS = 1e7;

const FIRST_MS = Date.UTC(1970, 0, 1);
const END_MS = Date.UTC(10000, 0, 1);

// eslint-disable-next-line no-control-regex -- NUL is the character PostgreSQL text cannot hold
const UNSTORABLE_TEXT = /[\u0000\uD800-\uDFFF]/u;

/** A text PostgreSQL stores as it is: no NUL, no lone surrogate (it would become U+FFFD). */
export const isStorableText = (v: string | null | undefined): boolean => v === null || v === undefined || !UNSTORABLE_TEXT.test(v);
/** A whole number from 0 to int4's maximum (pids, ids, counts in int4 columns). */
export const isInt4 = (v: number | null | undefined): boolean =>
  v === null || v === undefined || (Number.isInteger(v) && v >= 0 && v <= INT4_MAX);
/** A whole number from 0 up that int8 holds and JavaScript keeps exact (bytes, counters). */
export const isInt8 = (v: number | null | undefined): boolean =>
  v === null || v === undefined || (Number.isInteger(v) && v >= 0 && v <= INT8_SAFE_MAX);
/** Seconds from 0 to MAX_SECONDS. */
export const isSeconds = (v: number | null | undefined): boolean =>
  v === null || v === undefined || (Number.isFinite(v) && v >= 0 && v <= MAX_SECONDS);
/** A Unix millisecond time from 1970 to 9999 (partitions and reports cover no other years). */
export const isStorableTime = (ms: number | null | undefined): boolean =>
  ms === null || ms === undefined || (Number.isFinite(ms) && ms >= FIRST_MS && ms < END_MS);

/** The first reason among checks that failed, or undefined when every one passed. */
export function firstProblem(checks: readonly [boolean, RejectReason][]): RejectReason | undefined {
  return checks.find(([ok]) => !ok)?.[1];
}
