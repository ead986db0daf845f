/**
 * The Prometheus text exposition exactly as Go's client_golang (expfmt) writes it, which is what
 * Traefik serves: families sorted by name, label pairs sorted by name, series sorted by label
 * values, floats in Go's shortest `%g` form (`1.234567e+06`), histograms with cumulative
 * `_bucket{le=...}` up to `+Inf`, then `_sum` and `_count`.
 */

export type Labels = Readonly<Record<string, string>>;

export interface CounterFamily {
  readonly type: 'counter' | 'gauge';
  readonly name: string;
  readonly help: string;
  readonly series: ReadonlyArray<{ readonly labels: Labels; readonly value: number }>;
}

export interface HistogramFamily {
  readonly type: 'histogram';
  readonly name: string;
  readonly help: string;
  readonly buckets: readonly number[];
  /** `counts[i]` observations fell at or below `buckets[i]` and above the previous bound (not cumulative). */
  readonly series: ReadonlyArray<{
    readonly labels: Labels;
    readonly counts: readonly number[];
    readonly sum: number;
    readonly count: number;
  }>;
}

export type Family = CounterFamily | HistogramFamily;

/** Go's strconv.FormatFloat(f, 'g', -1, 64), with expfmt's special cases. */
export function goFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return '0';
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return String(value);
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function sortedPairs(labels: Labels): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function labelText(pairs: readonly [string, string][]): string {
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

function compareSeries(a: Labels, b: Labels): number {
  const pa = sortedPairs(a);
  const pb = sortedPairs(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const va = (pa[i] as [string, string])[1];
    const vb = (pb[i] as [string, string])[1];
    if (va !== vb) return va < vb ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** Renders families; empty families are left out, as client_golang leaves out a vector with no children. */
export function renderExposition(families: readonly Family[]): string {
  const out: string[] = [];
  const sorted = [...families].filter((f) => f.series.length > 0).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const family of sorted) {
    out.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    if (family.type === 'histogram') {
      for (const s of [...family.series].sort((a, b) => compareSeries(a.labels, b.labels))) {
        const pairs = sortedPairs(s.labels);
        let cumulative = 0;
        family.buckets.forEach((bound, i) => {
          cumulative += s.counts[i] ?? 0;
          out.push(`${family.name}_bucket${labelText([...pairs, ['le', goFloat(bound)]])} ${goFloat(cumulative)}`);
        });
        out.push(`${family.name}_bucket${labelText([...pairs, ['le', '+Inf']])} ${goFloat(s.count)}`);
        out.push(`${family.name}_sum${labelText(pairs)} ${goFloat(s.sum)}`);
        out.push(`${family.name}_count${labelText(pairs)} ${goFloat(s.count)}`);
      }
    } else {
      for (const s of [...family.series].sort((a, b) => compareSeries(a.labels, b.labels))) {
        out.push(`${family.name}${labelText(sortedPairs(s.labels))} ${goFloat(s.value)}`);
      }
    }
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}
