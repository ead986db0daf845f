import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiMarkdown } from './docs-api';
import { metricsMarkdown } from './docs-metrics';
import { withEvaluation } from './docs-noisy-eval';

/**
 * Every generated part of docs/, as `npm run docs` writes it and test/docs.test.ts checks it:
 * docs/metrics.md (the metrics registry), docs/api.md (the OpenAPI document) and the evaluation
 * figures inside docs/noisy-neighbours.md (bench/*.json). Paths are relative to the repository.
 */
export const ROOT = join(__dirname, '..');

export async function generatedPages(): Promise<{ path: string; content: string }[]> {
  const noisy = 'docs/noisy-neighbours.md';
  return [
    { path: 'docs/metrics.md', content: metricsMarkdown() },
    { path: 'docs/api.md', content: await apiMarkdown() },
    { path: noisy, content: withEvaluation(readFileSync(join(ROOT, noisy), 'utf8')) },
  ];
}
