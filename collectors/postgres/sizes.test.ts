import { describe, expect, it } from 'vitest';
import { SIZE_ROTATION, SIZES_PER_RUN_MIN, sizesSlice } from './sizes';

const names = (n: number) => Array.from({ length: n }, (_, i) => `db${String(i).padStart(4, '0')}`);

describe('sizes rotation', () => {
  it('a small cluster is sized whole every run', () => {
    expect(sizesSlice(['b', 'a'], 0, 60)).toEqual({ databases: ['a', 'b'], runs: 1 });
    expect(sizesSlice([], 123_000, 60)).toEqual({ databases: [], runs: 1 });
    expect(sizesSlice(names(SIZES_PER_RUN_MIN), 999_999, 60).databases).toHaveLength(SIZES_PER_RUN_MIN);
  });

  it('consecutive runs of a big cluster measure every database once per rotation', () => {
    const all = names(503);
    const seen: string[] = [];
    let runs = 0;
    for (let run = 0; run < SIZE_ROTATION; run++) {
      const slice = sizesSlice([...all].reverse(), Date.UTC(2026, 2, 2) + run * 60_000, 60);
      runs = slice.runs;
      expect(slice.databases.length).toBeLessThanOrEqual(Math.ceil(503 / SIZE_ROTATION));
      seen.push(...slice.databases);
    }
    expect(runs).toBe(SIZE_ROTATION);
    expect(seen.sort()).toEqual(all);
  });

  it('the slice depends on the scheduled time only, whichever worker runs it', () => {
    const at = Date.UTC(2026, 2, 2, 7, 31);
    expect(sizesSlice(names(700), at, 60)).toEqual(sizesSlice(names(700), at + 59_999, 60));
    expect(sizesSlice(names(700), at, 60).databases).not.toEqual(sizesSlice(names(700), at + 60_000, 60).databases);
  });
});
