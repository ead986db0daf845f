/**
 * Closed-form queueing results the batch simulator uses per minute instead of replaying every
 * request: 50 tenants × 6 h × hundreds of runs must fit in minutes on two cores, and a minute of
 * Poisson arrivals is long enough for the steady-state formulas to describe its mean latency.
 */

/** Highest utilisation the formulas are evaluated at; beyond it the queue is overloaded. */
export const MAX_RHO = 0.985;

/** Erlang C: probability that an arrival waits in an M/M/c queue offered `a` erlangs. */
export function erlangC(c: number, a: number): number {
  if (a <= 0) return 0;
  if (a >= c) return 1;
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  const rho = a / c;
  return b / (1 - rho * (1 - b));
}

/**
 * Mean response time over mean service time for c servers at utilisation rho: M/M/c, which is
 * also the mean slowdown of processor sharing over c cores (PG CPU with capacity = vCPU).
 */
export function stretch(c: number, rho: number): number {
  const r = Math.min(Math.max(rho, 0), MAX_RHO);
  return 1 + erlangC(c, r * c) / (c * (1 - r));
}

/**
 * Mean wait in queue for M/G/c (Allen–Cunneen): the M/M/c wait scaled by (1 + CV²)/2, so a few
 * very long requests (reports, exports) block the pool far more than their mean suggests.
 */
export function mgcWait(c: number, lambda: number, meanService: number, cv2: number): number {
  if (lambda <= 0 || meanService <= 0) return 0;
  const rho = Math.min((lambda * meanService) / c, MAX_RHO);
  const mmc = erlangC(c, rho * c) / (c / meanService - (rho * c) / meanService);
  return (mmc * (1 + cv2)) / 2;
}
