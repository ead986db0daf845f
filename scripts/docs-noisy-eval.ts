import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The evaluation figures of docs/noisy-neighbours.md, from the results `npm run eval:noisy` and
 * `npm run eval:noisy:sweep` commit (bench/*.json). They are written between two marker lines of
 * that page, so the hand-written text around them stays as it is.
 */

export const EVAL_BEGIN = '<!-- figures below: npm run docs, from bench/noisy-eval-results.json and bench/noisy-sweep-results.json -->';
export const EVAL_END = '<!-- figures above -->';

interface Scored {
  scenario: string;
  truths: number;
  incidents: number;
  antagonistIncidents: number;
  falseIncidents: number;
  falsePer100TenantDays: number;
  precision: number | null;
  recall: number | null;
  top1: number | null;
  victimF1: number | null;
  delayMedian: number | null;
  delayP95: number | null;
  clearMedian: number | null;
}

interface EvalResults {
  seeds: number;
  minutesPerRun: number;
  tenants: number;
  seconds: number;
  targets: Record<string, boolean>;
  rows: Scored[];
}

interface SweepResults {
  seeds: number;
  seconds: number;
  points: { label: string; positives: Scored; negatives: Scored }[];
}

const BENCH = join(__dirname, '..', 'bench');

function read<T>(file: string): T {
  return JSON.parse(readFileSync(join(BENCH, file), 'utf8')) as T;
}

const ratio = (x: number | null): string => (x === null ? '–' : x.toFixed(2));
const minutes = (x: number | null): string => (x === null ? '–' : x.toFixed(1));

export function evaluationMarkdown(): string {
  const e = read<EvalResults>('noisy-eval-results.json');
  const s = read<SweepResults>('noisy-sweep-results.json');
  const lines = [
    `Last run: ${e.tenants} tenants, ${e.minutesPerRun / 60} h per run, ${e.seeds} seeds per scenario; it took ${Math.round(e.seconds / 60)} min.`,
    'Delays are in minutes: from the injection to the confirmation, and from the end of the injection to the end of the',
    'incident (clear). "Incidents" counts confirmed incidents of both kinds; "antagonist" those naming a tenant.',
    '',
    '| scenario | injections | incidents | antagonist | precision | recall | top-1 | victim F1 | delay p50 | delay p95 | clear p50 | false / 100 tenant-days |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...e.rows
      .map((r) =>
        [
          r.scenario,
          r.truths,
          r.incidents,
          r.antagonistIncidents,
          ratio(r.precision),
          ratio(r.recall),
          ratio(r.top1),
          ratio(r.victimF1),
          minutes(r.delayMedian),
          minutes(r.delayP95),
          minutes(r.clearMedian),
          r.falsePer100TenantDays.toFixed(2),
        ].join(' | '),
      )
      .map((row) => `| ${row} |`),
    '',
    'Targets of the evaluation:',
    '',
    ...Object.entries(e.targets).map(([target, met]) => `- ${target}: ${met ? 'met' : '**missed**'}`),
    '',
    `Sweeps (\`npm run eval:noisy:sweep\`, ${s.seeds} seeds, ${Math.round(s.seconds / 60)} min), one threshold at a time:`,
    '',
    '| point | precision (1–6) | recall (1–6) | top-1 (1–6) | victim F1 (1–6) | delay p50 | delay p95 | incidents on 7–12 | antagonist on 7–12 |',
    '|---|---|---|---|---|---|---|---|---|',
    ...s.points.map(
      ({ label, positives: p, negatives: n }) =>
        `| ${label} | ${ratio(p.precision)} | ${ratio(p.recall)} | ${ratio(p.top1)} | ${ratio(p.victimF1)} | ${minutes(p.delayMedian)} | ${minutes(p.delayP95)} | ${n.incidents} | ${n.antagonistIncidents} |`,
    ),
  ];
  return lines.join('\n');
}

/** The page with the text between the markers replaced by the current figures. */
export function withEvaluation(page: string): string {
  const begin = page.indexOf(EVAL_BEGIN);
  const end = page.indexOf(EVAL_END);
  if (begin < 0 || end < begin) throw new Error(`docs/noisy-neighbours.md lost its marker lines (${EVAL_BEGIN} ... ${EVAL_END})`);
  return `${page.slice(0, begin + EVAL_BEGIN.length)}\n\n${evaluationMarkdown()}\n\n${page.slice(end)}`;
}
