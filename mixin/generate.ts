import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRuleFiles } from './render';

// Writes alert-rules/<file>.yaml from mixin/. Run: npm run alerts. Commit the output;
// test/alert-rules.test.ts fails while it differs from what the code generates.
const OUT_DIR = join(__dirname, '..', 'alert-rules');
const files = renderRuleFiles();
for (const [name, text] of files) writeFileSync(join(OUT_DIR, name), text);
console.log(`wrote ${[...files.keys()].map((name) => `alert-rules/${name}`).join(', ')}`);
