import { defineConfig } from 'vitest/config';

/**
 * Tests that spawn a build, a CDK synth, cfn-lint, Chromium or drive every function over 10,000 resources:
 * 10–50 s each on a loaded 2-core machine, so they get their own project and timeouts with room for that.
 */
export const SLOW_TESTS = [
  'test/infra/**/*.test.ts',
  'test/budgets/**/*.test.ts',
  'test/build.test.ts',
  'test/cli/html-browser.test.ts',
];

export const ALL_TESTS = ['test/**/*.test.ts', 'shared/**/*.test.ts'];

/** What every run of the tests shares (vitest.stryker.config.ts too). */
export const COMMON = {
  setupFiles: ['test/setup.ts'],
  pool: 'forks' as const,
  env: {
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  },
};

export default defineConfig({
  test: {
    ...COMMON,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ALL_TESTS,
          exclude: SLOW_TESTS,
          // Pure and mocked tests take well under a second; the margin is for a machine others keep busy.
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'slow',
          include: SLOW_TESTS,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['shared/**/*.ts', 'functions/**/*.ts', 'cli/**/*.ts'],
      exclude: ['**/*.test.ts', '**/*.fuzz.ts', '**/*.perf.ts'],
      reporter: ['text-summary', 'json-summary'],
      // The summary is what a failing run needs most: print it whatever the result.
      reportOnFailure: true,
    },
  },
});
