import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedPages, ROOT } from './docs-content';

// npm run docs: rewrites the generated parts of docs/ (test/docs.test.ts checks them).
async function main(): Promise<void> {
  for (const { path, content } of await generatedPages()) writeFileSync(join(ROOT, path), content);
}

main().catch((err: unknown) => {
  process.stderr.write(`npm run docs: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
