import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedPages, ROOT } from '../scripts/docs-content';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const pages = () => readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));

/** `git grep -nIE pattern` over the tracked and new (not ignored) files; '' when nothing matches. */
function gitGrep(pattern: string, ...exclude: string[]): string {
  try {
    return execFileSync('git', ['grep', '--untracked', '-nIE', pattern, '--', '.', ...exclude.map((p) => `:!${p}`)], {
      cwd: ROOT,
      encoding: 'utf8',
    });
  } catch (err) {
    // git grep exits 1 when nothing matches
    if ((err as { status?: number }).status !== 1) throw err;
    return '';
  }
}

describe('docs', () => {
  it('the generated pages are what the registry, the OpenAPI document and the evaluation results say (run npm run docs)', async () => {
    for (const { path, content } of await generatedPages()) expect(read(path), `${path}: run npm run docs`).toBe(content);
  });

  it('docs/metrics.md gives each metric the labels a real /metrics scrape has (test/fixtures/golden-metrics.prom)', () => {
    const documented = new Map<string, string[]>();
    for (const [, name, cell] of read('docs/metrics.md').matchAll(/^\| `(tenantscope_[a-z_]+)` \| \w+ \| ([^|]*) \|/gm))
      documented.set(name!, [...cell!.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!).sort());
    const scraped = new Map<string, Set<string>>();
    for (const line of read('test/fixtures/golden-metrics.prom').split('\n')) {
      if (!line.startsWith('tenantscope_')) continue;
      const series = line.split(/[{ ]/)[0]!;
      const histogram = series.replace(/_(bucket|sum|count)$/, '');
      const name = documented.has(series) ? series : histogram;
      const labels = scraped.get(name) ?? new Set<string>();
      for (const [, label] of (/\{(.*)\}/.exec(line)?.[1] ?? '').matchAll(/([a-z_]+)="/g)) if (label !== 'le') labels.add(label!);
      scraped.set(name, labels);
    }
    expect(scraped.size).toBeGreaterThan(20);
    for (const [name, labels] of scraped) expect(documented.get(name), name).toEqual([...labels].sort());
  });

  it('the README stays short, links only to files that exist and lists every page of docs/', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
    for (const [, link] of readme.matchAll(/\]\(([^)#:]+)(?:#[^)]*)?\)/g)) expect(existsSync(join(ROOT, link!)), link).toBe(true);
    for (const page of pages()) expect(readme, `README.md links docs/${page}`).toContain(`](docs/${page})`);
  });

  it('every link between the pages of docs/ points at a file that exists', () => {
    for (const page of pages()) {
      for (const [, link] of read(`docs/${page}`).matchAll(/\]\(([^)#:]+)(?:#[^)]*)?\)/g))
        expect(existsSync(join(ROOT, 'docs', link!)), `docs/${page} links ${link}`).toBe(true);
    }
  });

  it('every docs/ page the code and the docs name exists', () => {
    const named = gitGrep(String.raw`docs/[a-z-]+\.md`, 'package-lock.json').matchAll(/docs\/[a-z-]+\.md/g);
    for (const [path] of named) expect(existsSync(join(ROOT, path)), path).toBe(true);
  });

  it('no text of the repository cites a document outside it', () => {
    // The design notes, the code style notes, the task briefs and the issues live outside the
    // repository: a citation of them means nothing to a reader of this code, so the fact itself
    // (or a page of docs/) stands in their place. Committed migrations are checksummed by
    // `migrate` and never edited, so their old comments stay.
    const pattern = String.raw`\bDESIGN\b|reference/|reference §|\bSTYLE( habit|\.md|:)|the brief\b|/work/shared|\.\./shared/|\b[Ii]ssue [0-9]+`;
    expect(gitGrep(pattern, 'test/docs.test.ts', 'package-lock.json', 'migrations/')).toBe('');
  });
});
