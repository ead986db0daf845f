/**
 * Which tenant databases a sizes run measures. pg_database_size() walks every file of a database,
 * so measuring all of them every run costs time linear in the cluster; instead each run measures
 * one slice and the published size carries its age (tenantscope_pg_database_size_age_seconds).
 */

/** Sizes runs to measure every database once; a run sizes at least SIZES_PER_RUN_MIN of them. */
export const SIZE_ROTATION = 10;
export const SIZES_PER_RUN_MIN = 50;

/**
 * The databases one sizes run measures: the sorted list cut in slices of at least
 * SIZES_PER_RUN_MIN, the slice chosen by the run's scheduled time, so consecutive runs go round
 * all of them whatever worker takes them, and a database that cannot be sized holds up no other.
 * `runs` is how many runs it takes to come round.
 */
export function sizesSlice(
  databases: readonly string[],
  scheduledAtMs: number,
  intervalSeconds: number,
): { databases: string[]; runs: number } {
  const sorted = [...databases].sort();
  const perRun = Math.max(SIZES_PER_RUN_MIN, Math.ceil(sorted.length / SIZE_ROTATION));
  const runs = Math.max(1, Math.ceil(sorted.length / perRun));
  const slice = Math.floor(scheduledAtMs / (intervalSeconds * 1000)) % runs;
  return { databases: sorted.slice(slice * perRun, (slice + 1) * perRun), runs };
}
