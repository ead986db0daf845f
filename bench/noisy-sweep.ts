/**
 * `npm run eval:noisy:sweep`: threshold sweeps of the evaluation, one threshold at a time around the
 * defaults (z ∈ {3.0, 3.5, 4.0}, corr ∈ {0.25, 0.35, 0.5}, k of 5 ∈ {2, 3, 4}). Each point is a
 * full `eval:noisy` run in a child process, two at a time; the table and
 * bench/noisy-sweep-results.json give precision, recall and delay per point, the data of the
 * PR curves. The defaults stay unless a point beats them on both precision and delay.
 *
 * Options: --seeds N (default 20).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const seedsAt = process.argv.indexOf('--seeds');
const seeds = seedsAt >= 0 ? Number(process.argv[seedsAt + 1]) : 20;

interface Point {
  label: string;
  set: string[];
}

const POINTS: Point[] = [
  { label: 'defaults (z 3.5, corr 0.35, 3 of 5)', set: [] },
  { label: 'z 3.0', set: ['victim.z=3.0'] },
  { label: 'z 4.0', set: ['victim.z=4.0'] },
  { label: 'corr 0.25', set: ['antagonist.corr=0.25'] },
  { label: 'corr 0.5', set: ['antagonist.corr=0.5'] },
  { label: '2 of 5', set: ['victim.persistenceK=2'] },
  { label: '4 of 5', set: ['victim.persistenceK=4'] },
];

interface Row {
  scenario: string;
  precision: number | null;
  recall: number | null;
  top1: number | null;
  delayMedian: number | null;
  delayP95: number | null;
  antagonistIncidents: number;
  falsePer100TenantDays: number;
}

async function evaluate(point: Point, dir: string): Promise<{ positives: Row; negatives: Row }> {
  const out = join(dir, `${POINTS.indexOf(point)}.json`);
  const args = [join(__dirname, 'noisy-eval.ts'), '--seeds', String(seeds), '--out', out, ...point.set.flatMap((s) => ['--set', s])];
  await run(join(__dirname, '..', 'node_modules', '.bin', 'tsx'), args, { maxBuffer: 16 * 1024 * 1024 });
  const rows = (JSON.parse(readFileSync(out, 'utf8')) as { rows: Row[] }).rows;
  const find = (name: string): Row => rows.find((r) => r.scenario.startsWith(name)) as Row;
  return { positives: find('scenarios 1-6'), negatives: find('scenarios 7-12') };
}

async function main(): Promise<void> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'noisy-sweep-'));
  const results: { point: Point; positives: Row; negatives: Row }[] = [];
  const queue = [...POINTS];
  await Promise.all(
    [0, 1].map(async () => {
      for (let p = queue.shift(); p; p = queue.shift()) results.push({ point: p, ...(await evaluate(p, dir)) });
    }),
  );
  results.sort((a, b) => POINTS.indexOf(a.point) - POINTS.indexOf(b.point));
  const fmt = (x: number | null, d = 2): string => (x === null ? '-' : x.toFixed(d));
  console.log('point | prec 1-6 | recall | top1 | delay p50 | p95 | antag 7-12 | false/100td');
  for (const { point, positives: p, negatives: n } of results) {
    console.log(
      [
        point.label.padEnd(36),
        fmt(p.precision),
        fmt(p.recall),
        fmt(p.top1),
        fmt(p.delayMedian, 1),
        fmt(p.delayP95, 1),
        n.antagonistIncidents,
        fmt(n.falsePer100TenantDays),
      ].join(' | '),
    );
  }
  const base = results[0] as (typeof results)[number];
  const better = results
    .slice(1)
    .filter(
      (r) =>
        (r.positives.precision ?? 0) > (base.positives.precision ?? 0) &&
        (r.positives.delayMedian ?? Infinity) < (base.positives.delayMedian ?? Infinity),
    );
  console.log(
    better.length
      ? `beats the defaults on precision and delay: ${better.map((r) => r.point.label).join(', ')}`
      : 'no point beats the defaults on both precision and delay: the defaults stay',
  );
  const seconds = Math.round((performance.now() - started) / 1000);
  console.log(`${results.length} points x ${seeds} seeds x 12 scenarios in ${seconds} s`);
  writeFileSync(
    join(__dirname, 'noisy-sweep-results.json'),
    `${JSON.stringify({ seeds, seconds, points: results.map(({ point, positives, negatives }) => ({ label: point.label, set: point.set, positives, negatives })) }, null, 1)}\n`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
