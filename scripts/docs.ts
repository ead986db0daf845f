import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiMarkdown, metricsMarkdown } from './docs-content';

// npm run docs: rewrites the generated reference pages (test/docs.test.ts checks them).
async function main(): Promise<void> {
  const docs = join(__dirname, '..', 'docs');
  writeFileSync(join(docs, 'metrics.md'), metricsMarkdown());
  writeFileSync(join(docs, 'api.md'), await apiMarkdown());
}

void main();
