import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * Vitest as Stryker runs it (`npm run mutate`): the project's tests minus those that spawn a child process or a
 * browser (build, bundle sizes, CDK synth, the CLI end to end). A child process loads its own copy of the code,
 * so it can neither report which mutant it covered nor kill one; those files only cost time per mutant.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [
        '**/node_modules/**',
        'test/build.test.ts',
        'test/budgets/bundle-sizes.test.ts',
        'test/cli/e2e.test.ts',
        'test/cli/html-browser.test.ts',
        'test/infra/**',
      ],
    },
  }),
);
