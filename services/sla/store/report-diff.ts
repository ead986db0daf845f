/** One figure that differs between two revisions of a report: its JSON path and both values. */
export interface ReportChange {
  field: string;
  old: unknown;
  new: unknown;
}

/**
 * The leaves that differ between two parsed reports, in path order (`minutes.bad`,
 * `incidents[0].end`). A leaf missing on one side shows as undefined there (JSON null in storage).
 */
export function reportChanges(before: unknown, after: unknown): ReportChange[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  flatten(before, '', a);
  flatten(after, '', b);
  const fields = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out: ReportChange[] = [];
  for (const field of fields) {
    const x = a.get(field);
    const y = b.get(field);
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push({ field, old: x ?? null, new: y ?? null });
  }
  return out;
}

function flatten(value: unknown, path: string, into: Map<string, unknown>): void {
  if (Array.isArray(value)) {
    // An empty array is a leaf, so "no incidents" → "one incident" shows as a change.
    if (value.length === 0) into.set(path, []);
    value.forEach((v, i) => flatten(v, `${path}[${i}]`, into));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, path === '' ? k : `${path}.${k}`, into);
  } else into.set(path, value);
}

/** Why a new revision exists, in a service manager's words, from what changed. */
export function reasonFor(changes: readonly ReportChange[]): string {
  const fields = changes.map((c) => c.field);
  const parts: string[] = [];
  if (fields.some((f) => f.startsWith('exclusions'))) parts.push('exclusion windows changed');
  if (fields.some((f) => /^(minutes|incidents|counted)/.test(f) && !fields.some((g) => g.startsWith('exclusions'))))
    parts.push('late evidence');
  if (fields.some((f) => f.startsWith('rpo') || f.startsWith('rto'))) parts.push('backup evidence changed');
  if (parts.length === 0) parts.push('recomputed');
  return `${parts.join('; ')}: ${changes.length} field(s) changed`;
}
