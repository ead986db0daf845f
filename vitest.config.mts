import { defineConfig } from 'vitest/config';

// CI asks for a JSON report beside the console output (.ci/run counts passed and failed from it).
const json = process.env.TENANTSCOPE_VITEST_JSON;

export default defineConfig({
  test: {
    include: [
      'services/**/*.test.ts',
      'collectors/**/*.test.ts',
      'simulator/**/*.test.ts',
      'bench/**/*.test.ts',
      'dashboards/**/*.test.ts',
      'alert-rules/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    // Integration tests share one PostgreSQL and one Redis; each file uses its own names.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: json ? ['default', 'json'] : ['default'],
    ...(json && { outputFile: { json } }),
  },
});
