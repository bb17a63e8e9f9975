/**
 * Bundle bytes per function, as deployed (`npm run build`: SDK bundled, minified), against bench/budgets.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Budgets, bundleBudgetViolations, loadBudgets, parseBudgets } from '../../bench/budgets.ts';
import { type BuiltFunction, buildFunctions, functionNames } from '../../esbuild.config.ts';

const outdir = mkdtempSync(join(tmpdir(), 'plumbline-budgets-'));
let built: BuiltFunction[] = [];
let budgets: Budgets;

beforeAll(async () => {
  budgets = loadBudgets();
  // Bundle bytes do not depend on the suite configuration shipped beside the bundle: build without one.
  built = await buildFunctions({ outdir, quiet: true, suiteConfigFile: join(outdir, 'none.yaml') });
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('bundle-size budgets', () => {
  it('builds every function', () => {
    expect(built.map((fn) => fn.name)).toEqual(functionNames());
  });

  it('keeps every bundle within its budget', () => {
    expect(built.flatMap((fn) => bundleBudgetViolations(fn.name, fn.bytes, budgets))).toEqual([]);
  });

  it('names the function, its size and its budget when over', () => {
    const sample = parseBudgets({
      apiCalls: {},
      callsPerAccountFact: 1,
      bundleBytes: { why: 'headroom', default: 500_000, functions: { 'sg-drift-revert': 400_000 } },
    });
    expect(bundleBudgetViolations('sg-drift-revert', 400_001, sample)).toEqual([
      'sg-drift-revert: bundle bytes = 400,001, budget 400,000',
    ]);
    expect(bundleBudgetViolations('new-function', 600_000, sample)).toEqual([
      'new-function: bundle bytes = 600,000, budget 500,000 (the default: give the function its own budget)',
    ]);
    expect(bundleBudgetViolations('sg-drift-revert', 400_000, sample)).toEqual([]);
  });
});
