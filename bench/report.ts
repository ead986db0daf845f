import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machine, type BenchRow } from './lib/rows';

/**
 * `npm run bench` ends here: joins every benchmark's rows (bench/results/<name>.json, written by
 * writeBenchRows) into bench/results.json and a Markdown table bench/results.md, with the machine
 * each file ran on. A file without rows (the storage figures) is carried into results.json as is.
 */
const DIR = join(__dirname, 'results');

interface ResultFile {
  name: string;
  at: string;
  machine: ReturnType<typeof machine>;
  rows: BenchRow[];
  [extra: string]: unknown;
}

function main(): void {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as ResultFile);
  const rows = files.flatMap((f) => f.rows.map((row) => ({ bench: f.name, at: f.at, ...row })));
  writeFileSync(
    join(__dirname, 'results.json'),
    JSON.stringify({ at: new Date().toISOString(), machine: machine(), benches: files }, null, 2) + '\n',
  );
  writeFileSync(join(__dirname, 'results.md'), markdown(files, rows));
  process.stdout.write(markdown(files, rows));
}

function markdown(files: ResultFile[], rows: (BenchRow & { bench: string; at: string })[]): string {
  const m = files[0]?.machine ?? machine();
  const lines = [
    '# Benchmark results',
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}. Each row: ours and a peer measured in the same run,`,
    'interleaved round by round; min / median / max over the rounds. Slowdown is ours against the peer (above 1: we are slower).',
    '',
    '| work | ours | peer | slowdown | goal | met | rounds | bench, run at |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.work} | ${fmt(r.ours)} ${r.unit} | ${r.peer.name}: ${fmt(r.peer)} ${r.unit} | ${fmt(r.slowdown)}× | ${r.goal} | ${r.met ? 'yes' : '**no**'} | ${r.rounds} | ${r.bench}, ${r.at.slice(0, 16)} |`,
    ),
    '',
    ...rows.filter((r) => r.notes).map((r) => `- ${r.work}: ${r.notes}`),
    '',
  ];
  return lines.join('\n');
}

function fmt(s: { min: number; median: number; max: number }): string {
  return `${num(s.min)} / **${num(s.median)}** / ${num(s.max)}`;
}

function num(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

main();
