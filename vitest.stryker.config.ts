import { defineConfig } from 'vitest/config';
import { ALL_TESTS, COMMON, SLOW_TESTS } from './vitest.config.ts';

/**
 * Vitest as Stryker runs it (`npm run mutate`): the project's tests minus those that spawn a child process or a
 * browser (build, bundle sizes, CDK synth, the CLI end to end) and the API-call budgets. A child process loads
 * its own copy of the code, so it can neither report which mutant it covered nor kill one; the budgets replay
 * 100,000-resource scans that, instrumented on a busy 2-core machine, outrun the test timeout in the initial
 * run (and Stryker stops when a test fails there). They count API calls, which the rules core does not make.
 * One project (no `projects`): the slow project of vitest.config.ts is exactly what is left out.
 */
export default defineConfig({
  test: {
    ...COMMON,
    include: ALL_TESTS,
    exclude: ['**/node_modules/**', ...SLOW_TESTS, 'test/cli/e2e.test.ts'],
    // Instrumented code on a shared machine runs several times slower; Stryker times mutants out itself.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
