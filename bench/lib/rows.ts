import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/**
 * One row of the benchmark table (issue #15): our figure and a peer's, measured in the same run,
 * interleaved round by round, with min/median/max over the rounds. Every benchmark writes its rows
 * to `bench/results/<name>.json`; `bench/report.ts` joins them into `bench/results.json` and
 * `bench/results.md`.
 */
export interface BenchRow {
  /** What was measured, in product words: "Odoo log ingest, 188k lines". */
  work: string;
  /** The unit of ours and peer: "MB/s", "ms", "s". */
  unit: string;
  /** Whether a larger figure is better (throughput) or a smaller one (time). */
  better: 'higher' | 'lower';
  ours: Spread;
  peer: { name: string } & Spread;
  /** ours / peer for times, peer / ours for throughputs: above 1 means we are slower. */
  slowdown: Spread;
  /** The goal in words and whether the median met it: "≤ 1.5× the peer". */
  goal: string;
  met: boolean;
  rounds: number;
  /** Anything a reader needs to trust the figure: sizes, what the peer does differently. */
  notes?: string;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('a spread needs at least one value');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: round(sorted[0]!), median: round(median), max: round(sorted[sorted.length - 1]!) };
}

/**
 * Runs ours and the peer alternately, `rounds` times each (the order flips every round so neither
 * always runs on a warm cache), and returns both figures per round.
 */
export async function interleave(
  rounds: number,
  ours: (round: number) => Promise<number>,
  peer: (round: number) => Promise<number>,
): Promise<{ ours: number[]; peer: number[] }> {
  const out = { ours: [] as number[], peer: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      out.ours.push(await ours(r));
      out.peer.push(await peer(r));
    } else {
      out.peer.push(await peer(r));
      out.ours.push(await ours(r));
    }
  }
  return out;
}

/** Builds a row from per-round figures; the slowdown is computed round by round. */
export function benchRow(input: {
  work: string;
  unit: string;
  better: 'higher' | 'lower';
  ours: readonly number[];
  peer: { name: string; values: readonly number[] };
  goal: string;
  /** Met when the median slowdown is at most this. */
  maxSlowdown: number;
  notes?: string;
}): BenchRow {
  const slowdowns = input.ours.map((o, i) => {
    const p = input.peer.values[i]!;
    return input.better === 'lower' ? o / p : p / o;
  });
  const slowdown = spread(slowdowns);
  return {
    work: input.work,
    unit: input.unit,
    better: input.better,
    ours: spread(input.ours),
    peer: { name: input.peer.name, ...spread(input.peer.values) },
    slowdown,
    goal: input.goal,
    met: slowdown.median <= input.maxSlowdown,
    rounds: input.ours.length,
    ...(input.notes ? { notes: input.notes } : {}),
  };
}

/** Writes one benchmark's rows to bench/results/<name>.json with the machine they ran on. */
export function writeBenchRows(name: string, rows: readonly BenchRow[], extra: Record<string, unknown> = {}): string {
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, at: new Date().toISOString(), machine: machine(), rows, ...extra }, null, 2) + '\n');
  return file;
}

export function machine(): { cpu: string; cores: number; memoryGiB: number; node: string } {
  const list = cpus();
  return {
    cpu: list[0]?.model ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
