import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The module rules live in .dependency-cruiser.cjs (`npm run deps`). A cycle between folders
// (a module of A imports B while another module of B imports A) passes every module-level
// cycle check, so it is found here on the graph of folders.
const ROOT = join(__dirname, '..');

interface CruiseResult {
  modules: { source: string; dependencies: { resolved: string; coreModule: boolean; couldNotResolve: boolean }[] }[];
}

/** The folder a module belongs to: services/<x> and collectors/<x> by their first level, else the top folder. */
export function folderOf(path: string): string | undefined {
  if (path.startsWith('node_modules/') || path.endsWith('.test.ts') || path.startsWith('test/')) return undefined;
  const parts = path.split('/');
  if ((parts[0] === 'services' || parts[0] === 'collectors') && parts.length > 2) return `${parts[0]}/${parts[1]}`;
  return parts.length > 1 ? parts[0] : undefined;
}

/** Every cycle of the folder graph, as the strongly connected components with more than one folder. */
export function folderCycles(edges: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

function folderGraph(): Map<string, Set<string>> {
  const json = execFileSync(
    join(ROOT, 'node_modules/.bin/depcruise'),
    [
      '--config',
      '.dependency-cruiser.cjs',
      '--output-type',
      'json',
      '--no-progress',
      'services',
      'collectors',
      'simulator',
      'bench',
      'dashboards',
      'alert-rules',
    ],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const result = JSON.parse(json) as CruiseResult;
  const edges = new Map<string, Set<string>>();
  for (const m of result.modules) {
    const from = folderOf(m.source);
    if (from === undefined) continue;
    if (!edges.has(from)) edges.set(from, new Set());
    for (const d of m.dependencies) {
      const to = d.coreModule || d.couldNotResolve ? undefined : folderOf(d.resolved);
      if (to !== undefined && to !== from) edges.get(from)!.add(to);
    }
  }
  return edges;
}

describe('layers', () => {
  it('finds a cycle between folders when there is one', () => {
    const edges = new Map([
      ['services/a', new Set(['services/b'])],
      ['services/b', new Set(['services/c'])],
      ['services/c', new Set(['services/a'])],
      ['services/d', new Set(['services/a'])],
    ]);
    expect(folderCycles(edges)).toEqual([['services/a', 'services/b', 'services/c']]);
    expect(folderOf('collectors/odoo-log/parser.ts')).toBe('collectors/odoo-log');
    expect(folderOf('services/sla/store/bundle.ts')).toBe('services/sla');
    expect(folderOf('collectors/odoo-log/parser.test.ts')).toBeUndefined();
  });

  it('has no cycle between folders of the product', { timeout: 60_000 }, () => {
    const edges = folderGraph();
    expect(edges.size).toBeGreaterThan(15);
    expect(folderCycles(edges)).toEqual([]);
  });
});
