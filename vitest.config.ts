import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'shared/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    coverage: {
      provider: 'v8',
      include: ['shared/**/*.ts', 'functions/**/*.ts', 'cli/**/*.ts'],
      exclude: ['**/*.test.ts', '**/*.fuzz.ts', '**/*.perf.ts'],
      reporter: ['text-summary', 'json-summary'],
    },
  },
});
