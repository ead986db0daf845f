import { defineConfig } from 'vitest/config';

// CI asks for a JSON report beside the console output (.ci/run counts passed and failed from it).
const json = process.env.TENANTSCOPE_VITEST_JSON;

// Two projects: unit tests sit beside their source and need no PostgreSQL, Redis or external
// tool (`npm run test:unit`); integration tests live in test/ and use the real ones.
export default defineConfig({
  test: {
    // Integration tests share one PostgreSQL and one Redis; each file uses its own names.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 30_000,
    setupFiles: ['test/helpers/no-deprecations.ts'],
    hookTimeout: 60_000,
    reporters: json ? ['default', 'json'] : ['default'],
    ...(json && { outputFile: { json } }),
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['{services,collectors,simulator,bench,dashboards,alert-rules,mixin}/**/*.test.ts'] },
      },
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'] } },
    ],
  },
});
