import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PARSE_KINDS } from '../collectors/parse-kinds';
import { FleetFileSchema } from '../services/config/fleet-schema';
import { generatedPages, ROOT } from '../scripts/docs-content';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const pages = () => readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

/** Every link of a markdown page that is not a URL: [path, anchor]. */
function localLinks(text: string): [string, string | undefined][] {
  return [...text.matchAll(/\]\(([^)#:]*)(?:#([^)]*))?\)/g)].map((m) => [m[1]!, m[2]]);
}

/** The leaf keys of a TypeBox object schema, through records and arrays. */
function keysOf(schema: { properties?: Record<string, unknown>; patternProperties?: Record<string, unknown>; items?: unknown }): string[] {
  const inner = [...Object.values(schema.patternProperties ?? {}), ...(schema.items ? [schema.items] : [])];
  const own = Object.entries(schema.properties ?? {}).flatMap(([key, value]) => [key, ...keysOf(value as never)]);
  return [...own, ...inner.flatMap((value) => keysOf(value as never))];
}

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

  it('the README stays short and lists every page of docs/', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
    for (const page of pages()) expect(readme, `README.md links docs/${page}`).toContain(`](docs/${page})`);
  });

  it('every link of the README and docs/ points at a file and a heading that exist', () => {
    for (const page of ['README.md', ...pages().map((p) => `docs/${p}`)]) {
      for (const [path, anchor] of localLinks(read(page))) {
        const target = path === '' ? page : join(dirname(page), path);
        expect(existsSync(join(ROOT, target)), `${page} links ${path}`).toBe(true);
        if (anchor === undefined) continue;
        const headings = [...read(target).matchAll(/^#+ (.*)$/gm)].map((m) => slug(m[1]!));
        expect(headings, `${page} links ${path}#${anchor}`).toContain(anchor);
      }
    }
  });

  it('docs/configuration.md names every environment variable and every fleet-file key', () => {
    const doc = read('docs/configuration.md');
    // the variables are the keys of the environment schema (`NAME: Type.…`)
    const variables = new Set(
      [...read('services/config/env.ts').matchAll(/^\s+((?:TENANTSCOPE|OTEL)_[A-Z_]+): Type\./gm)].map((m) => m[1]!),
    );
    expect(variables.size).toBeGreaterThan(10);
    for (const name of variables) expect(doc, name).toContain(`\`${name}\``);
    const keys = new Set(keysOf(FleetFileSchema as never));
    expect(keys.size).toBeGreaterThan(50);
    for (const key of keys) expect(doc, key).toMatch(new RegExp(`\`[^\`\\n]*\\b${key}\\b[^\`\\n]*\``));
  });

  it('docs/parse-records.md describes every kind of tenantscope parse', () => {
    const doc = read('docs/parse-records.md');
    for (const { kind } of PARSE_KINDS) expect(doc, kind).toContain(`\`${kind}\``);
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
