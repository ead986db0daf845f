import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['services/**/*.test.ts', 'collectors/**/*.test.ts', 'dashboards/**/*.test.ts', 'alert-rules/**/*.test.ts', 'test/**/*.test.ts'],
    // Integration tests share one PostgreSQL and one Redis; files run in parallel, each with its own names.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
