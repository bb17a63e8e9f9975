// @ts-check
/**
 * `npm run mutate`: Stryker mutation testing of the pure rules core (shared/rules, shared/core), on the project's
 * Node 22 with the vitest runner. Not part of `npm test`: the full scope takes hours on a 2-core machine.
 * Narrow it for a quick look: `npm run mutate -- --mutate shared/rules/public-bucket/conditions.ts`.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts', related: true },
  // Per-test coverage: each mutant runs only the tests that reach it (the vitest runner always measures it).
  coverageAnalysis: 'perTest',
  mutate: ['shared/rules/**/*.ts', 'shared/core/**/*.ts', '!**/*.test.ts'],
  ignorePatterns: ['dist', 'cdk.out', 'coverage', 'reports', 'test/.artifacts', 'plumbline-report.html'],
  // The machine has 2 cores shared with other work.
  concurrency: 2,
  timeoutMS: 30_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  // Stryker rewrites `extends`/`references` of this file in its sandbox through the TypeScript JS API, which
  // TypeScript 7 (the native compiler) no longer ships: `ts.parseConfigFileTextToJson is not a function`.
  // Our tsconfig.json has neither, so point Stryker at a file that does not exist and the rewrite is skipped.
  tsconfigFile: 'tsconfig.stryker-no-rewrite.json',
};
