/**
 * The Prometheus text exposition format 0.0.4, read as expfmt's text parser reads it: `# HELP`
 * and `# TYPE` lines, samples with escaped label values (`\\`, `\"`, `\n`), values `NaN`,
 * `+Inf`, `-Inf`, an optional millisecond timestamp, and histogram and summary families whose
 * samples carry the `_bucket`/`_sum`/`_count` suffixes. A line that is neither is counted as
 * rejected; nothing here throws.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  /** The sample's own name, suffix included (`x_bucket`). */
  name: string;
  /** The family it belongs to: its `# TYPE` name, or its own name when undeclared. */
  family: string;
  type: MetricType;
  labels: Record<string, string>;
  value: number;
  /** Milliseconds since the epoch, when the line carried one. */
  timestampMs?: number;
}

export interface FamilyInfo {
  /** `untyped` until a `# TYPE` line declares it. */
  type: MetricType;
  help?: string;
  declared: boolean;
}

export interface Exposition {
  samples: Sample[];
  /** Families named by `# TYPE` or `# HELP` lines. */
  families: Map<string, FamilyInfo>;
  /** Lines that are neither a comment nor a valid sample, and repeated or invalid TYPE lines. */
  rejected: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TIMESTAMP = /^-?\d{1,19}$/;
const SUFFIXES: Record<string, readonly string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count'] };

/** A float as Go's strconv.ParseFloat reads it in expfmt (also `Inf`, `nan`, any case). */
export function parseValue(text: string): number | undefined {
  if (FLOAT.test(text)) return Number(text);
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  if (/^\+?inf(inity)?$/.test(lower)) return Infinity;
  if (/^-inf(inity)?$/.test(lower)) return -Infinity;
  return undefined;
}

export function parseExposition(text: string): Exposition {
  const out: Exposition = { samples: [], families: new Map(), rejected: 0 };
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    if (/^\s*#/.test(line)) {
      if (!readComment(line, out)) out.rejected += 1;
      continue;
    }
    const sample = readSample(line);
    if (!sample) {
      out.rejected += 1;
      continue;
    }
    const family = familyOf(sample.name, out.families);
    const type = family === undefined ? 'untyped' : (out.families.get(family) as FamilyInfo).type;
    // A histogram bucket needs a numeric `le`; a summary quantile its `quantile`.
    if (type === 'histogram' && sample.name === `${family}_bucket` && parseValue(sample.labels.le ?? '') === undefined) {
      out.rejected += 1;
      continue;
    }
    out.samples.push({ ...sample, family: family ?? sample.name, type });
  }
  return out;
}

/** `# HELP name text` and `# TYPE name type`; other comments are allowed and ignored. */
function readComment(line: string, out: Exposition): boolean {
  const m = /^\s*#\s+(HELP|TYPE)(?:\s+(.*))?$/.exec(line);
  if (!m) return true;
  const rest = m[2] ?? '';
  const space = rest.search(/\s/);
  const name = space < 0 ? rest : rest.slice(0, space);
  const arg = space < 0 ? '' : rest.slice(space).replace(/^\s+/, '');
  if (!NAME.test(name)) return false;
  const entry = out.families.get(name);
  if (m[1] === 'HELP') {
    const help = arg.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
    if (entry) entry.help = help;
    else out.families.set(name, { type: 'untyped', help, declared: false });
    return true;
  }
  const type = arg.trim() as MetricType;
  if (!TYPES.has(type)) return false;
  // A second TYPE for one family is an error in expfmt; keep the first.
  if (entry?.declared) return false;
  out.families.set(name, { ...entry, type, declared: true });
  return true;
}

function familyOf(name: string, families: Exposition['families']): string | undefined {
  if (families.get(name)?.declared) return name;
  for (const [type, suffixes] of Object.entries(SUFFIXES)) {
    for (const suffix of suffixes) {
      if (!name.endsWith(suffix)) continue;
      const base = name.slice(0, -suffix.length);
      if (families.get(base)?.declared && families.get(base)?.type === type) return base;
    }
  }
  return undefined;
}

/** `name{label="value",...} value [timestamp]`, by characters (label values may hold anything). */
function readSample(line: string): Omit<Sample, 'family' | 'type'> | undefined {
  let i = 0;
  const skipBlanks = () => {
    while (line[i] === ' ' || line[i] === '\t') i++;
  };
  skipBlanks();
  const nameStart = i;
  while (i < line.length && /[a-zA-Z0-9_:]/.test(line[i] as string)) i++;
  const name = line.slice(nameStart, i);
  if (!NAME.test(name)) return undefined;
  const labels: Record<string, string> = {};
  if (line[i] !== ' ' && line[i] !== '\t' && line[i] !== '{') return undefined;
  skipBlanks();
  if (line[i] === '{') {
    i++;
    for (;;) {
      skipBlanks();
      if (line[i] === '}') break;
      const start = i;
      while (i < line.length && /[a-zA-Z0-9_]/.test(line[i] as string)) i++;
      const label = line.slice(start, i);
      if (!LABEL_NAME.test(label) || Object.hasOwn(labels, label)) return undefined;
      skipBlanks();
      if (line[i] !== '=') return undefined;
      i++;
      skipBlanks();
      if (line[i] !== '"') return undefined;
      i++;
      let value = '';
      for (;;) {
        const c = line[i];
        if (c === undefined) return undefined;
        i++;
        if (c === '"') break;
        if (c !== '\\') {
          value += c;
          continue;
        }
        const escaped = line[i++];
        if (escaped === '\\' || escaped === '"') value += escaped;
        else if (escaped === 'n') value += '\n';
        else return undefined;
      }
      labels[label] = value;
      skipBlanks();
      if (line[i] === ',') {
        i++;
        continue;
      }
      if (line[i] !== '}') return undefined;
      break;
    }
    i++;
  }
  const fields = line
    .slice(i)
    .trim()
    .split(/[ \t]+/);
  if (fields.length > 2) return undefined;
  const value = parseValue(fields[0] as string);
  if (value === undefined) return undefined;
  if (fields.length === 2) {
    if (!TIMESTAMP.test(fields[1] as string)) return undefined;
    return { name, labels, value, timestampMs: Number(fields[1]) };
  }
  return { name, labels, value };
}

/** One histogram series: cumulative buckets sorted by bound, the `+Inf` one last. */
export interface HistogramSeries {
  labels: Record<string, string>;
  buckets: { le: number; count: number }[];
  sum?: number;
  count?: number;
}

/** Groups a histogram family's samples into series (labels without `le`), buckets sorted. */
export function histogramSeries(samples: readonly Sample[], family: string): HistogramSeries[] {
  const series = new Map<string, HistogramSeries>();
  for (const s of samples) {
    if (s.family !== family || s.type !== 'histogram') continue;
    const { le, ...labels } = s.labels;
    const key = seriesKey(labels);
    let h = series.get(key);
    if (!h) {
      h = { labels, buckets: [] };
      series.set(key, h);
    }
    if (s.name === `${family}_bucket`) h.buckets.push({ le: parseValue(le as string) as number, count: s.value });
    else if (s.name === `${family}_sum`) h.sum = s.value;
    else if (s.name === `${family}_count`) h.count = s.value;
  }
  for (const h of series.values()) h.buckets.sort((a, b) => a.le - b.le);
  return [...series.values()];
}

/** A stable key for a label set: pairs sorted by name. */
export function seriesKey(labels: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}
