import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * Vitest as Stryker runs it (`npm run mutate`): the project's tests minus those that spawn a child process or a
 * browser (build, bundle sizes, CDK synth, the CLI end to end) and the API-call budgets. A child process loads
 * its own copy of the code, so it can neither report which mutant it covered nor kill one; the budgets replay
 * 100,000-resource scans that, instrumented on a busy 2-core machine, outrun the test timeout in the initial
 * run (and Stryker stops when a test fails there). They count API calls, which the rules core does not make.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      // Instrumented code on a shared machine runs several times slower; Stryker times mutants out itself.
      testTimeout: 120_000,
      exclude: [
        '**/node_modules/**',
        'test/build.test.ts',
        'test/budgets/**',
        'test/cli/e2e.test.ts',
        'test/cli/html-browser.test.ts',
        'test/infra/**',
      ],
    },
  }),
);
