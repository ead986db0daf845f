import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiMarkdown, metricsMarkdown } from '../scripts/docs-content';

const ROOT = join(__dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('docs', () => {
  it('docs/metrics.md is what the metrics registry says (npm run docs rewrites it)', () => {
    expect(read('docs/metrics.md')).toBe(metricsMarkdown());
  });

  it('docs/api.md is what the OpenAPI document says (npm run docs rewrites it)', async () => {
    expect(read('docs/api.md')).toBe(await apiMarkdown());
  });

  it('the README stays short and links only to pages that exist', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
    for (const [, link] of readme.matchAll(/\]\(((?:docs|alert-rules)\/[^)#]+)/g)) expect(() => read(link!), link).not.toThrow();
  });

  it('no text of the repository cites a document outside it', () => {
    // git grep over tracked files: design notes and issues live outside the repository, so a
    // citation of them means nothing to a reader of this code. Committed migrations are history
    // and are never edited, so their old comments stay.
    const pattern = String.raw`DESIGN\.md|DESIGN §|reference/[a-z-]+\.md|reference §|source-formats\.md|\.\./shared/|\bissue [0-9]+\b`;
    let hits = '';
    try {
      hits = execFileSync('git', ['grep', '-nIE', pattern, '--', '.', ':!test/docs.test.ts', ':!package-lock.json', ':!migrations/'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
    } catch (err) {
      // git grep exits 1 when nothing matches
      if ((err as { status?: number }).status !== 1) throw err;
    }
    expect(hits).toBe('');
  });
});
