import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderDashboards } from './index';

// Writes dashboards/<uid>.json from the modules in dashboards/src and removes JSON files no
// module makes any more. Run: npx tsx dashboards/src/generate.ts. Commit the output;
// dashboards/dashboards.test.ts fails while it differs from what the code generates.

const OUT_DIR = join(__dirname, '..');

const files = renderDashboards();
for (const [name, text] of files) writeFileSync(join(OUT_DIR, name), text);
for (const name of readdirSync(OUT_DIR)) {
  if (name.endsWith('.json') && !files.has(name)) {
    rmSync(join(OUT_DIR, name));
    console.log(`removed dashboards/${name}`);
  }
}
console.log(`wrote ${[...files.keys()].map((name) => `dashboards/${name}`).join(', ')}`);
