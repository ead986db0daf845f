import { describe, expect, it } from 'vitest';
import { runScenario } from './evaluate';
import { SCENARIOS } from './scenarios';
import { score } from './score';
import { erlangC, stretch } from './queues';

const scenario = (id: number) => SCENARIOS.find((s) => s.id === id)!;

describe('noisy-neighbour evaluation harness', () => {
  it('scenario 1 (a report burns PG CPU): the detector names the reporting tenant on pg_cpu', () => {
    const runs = [1, 2].map((seed) => runScenario(scenario(1), seed));
    for (const run of runs) {
      const truth = run.truths[0]!;
      expect(truth.victims.length).toBeGreaterThan(0);
      expect(truth.matched).toBe(true);
      expect(truth.top1).toBe(true);
      expect(run.incidents.filter((i) => i.kind === 'neighbour').map((i) => i.antagonists[0])).toEqual(truth.antagonists);
    }
    expect(score(runs).precision).toBe(1);
  }, 60_000);

  it('scenario 10 (a large tenant at a steady 40 % share): nothing is raised', () => {
    for (const seed of [1, 2]) expect(runScenario(scenario(10), seed).incidents).toEqual([]);
  }, 60_000);

  it('the queue formulas behave: no wait when idle, Erlang C of one server is its utilisation', () => {
    expect(erlangC(1, 0.5)).toBeCloseTo(0.5);
    expect(stretch(8, 0)).toBe(1);
    expect(stretch(8, 0.9)).toBeGreaterThan(stretch(8, 0.5));
  });
});
