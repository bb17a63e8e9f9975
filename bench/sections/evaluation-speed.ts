/**
 * Evaluation speed of each rule on synthetic items, on one core (this process's main thread):
 * - `evaluate`: the verdict and its annotation for an item already normalised (`evaluateItem`), as for a
 *   change-triggered evaluation or the CLI after reading its file;
 * - `normalise + evaluate`: from the `SelectResourceConfig` row (a JSON string) to the evaluation, which is what
 *   the periodic scan does with each inventory item.
 */
import { evaluateItem } from '../../shared/core/evaluate.ts';
import type { AnyRule, ConfigurationItem, EvaluationContext } from '../../shared/core/model.ts';
import { normaliseConfigurationItem, normaliseSelectResult } from '../../shared/core/normalise.ts';
import type { DiscoveredRule } from '../lib/discover.ts';
import { ruleParametersFor, suiteDocument } from '../lib/environment.ts';
import { count, perSecond, table } from '../lib/stats.ts';
import { BENCH_ACCOUNT, BENCH_REGION, inventoryMix, selectRow, syntheticItem } from '../lib/synthetic.ts';

export interface EvaluationSpeedFigure {
  rule: string;
  registered: boolean;
  items: number;
  evaluatePerSecond: number;
  normaliseAndEvaluatePerSecond: number;
  nonCompliantShare: number;
  error?: string | undefined;
}

const ITEMS = 2_000;
const MIN_MILLIS = 400;

/** Runs `body` over the items, repeating until at least MIN_MILLIS have passed; items per second. */
function throughput<T>(items: readonly T[], body: (item: T) => unknown): number {
  for (const item of items.slice(0, 200)) body(item); // warm-up: let the JIT see the code first
  let done = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (const item of items) body(item);
    done += items.length;
    elapsed = performance.now() - start;
  } while (elapsed < MIN_MILLIS);
  return (done / elapsed) * 1000;
}

export function measureRule(discovered: DiscoveredRule): EvaluationSpeedFigure {
  const rule: AnyRule = discovered.rule;
  const base = { rule: rule.name, registered: discovered.registered, items: ITEMS };
  let params: unknown;
  try {
    const settings = { ...suiteDocument() };
    delete settings.rules;
    params = rule.parseParameters(ruleParametersFor(rule.name), settings);
  } catch (error) {
    return {
      ...base,
      evaluatePerSecond: 0,
      normaliseAndEvaluatePerSecond: 0,
      nonCompliantShare: 0,
      error: (error as Error).message,
    };
  }
  const raw = [...inventoryMix(rule.resourceTypes, ITEMS)].flatMap(([type, n]) =>
    Array.from({ length: n }, (_, index) => syntheticItem(type, index)),
  );
  const items: ConfigurationItem[] = raw.map((item) => normaliseConfigurationItem(item));
  const rows = raw.map((item) => selectRow(item));
  const context: EvaluationContext = {
    accountId: BENCH_ACCOUNT,
    region: BENCH_REGION,
    account: { publicAccessBlock: null },
  };
  const when = new Date();
  const nonCompliant = items.filter(
    (item) => evaluateItem(rule, params, item, context, when).compliance === 'NON_COMPLIANT',
  ).length;
  return {
    ...base,
    evaluatePerSecond: throughput(items, (item) => evaluateItem(rule, params, item, context, when)),
    normaliseAndEvaluatePerSecond: throughput(rows, (row) =>
      evaluateItem(rule, params, normaliseSelectResult(row), context, when),
    ),
    nonCompliantShare: nonCompliant / items.length,
  };
}

export function evaluationSpeedTable(figures: readonly EvaluationSpeedFigure[]): string {
  const rows = [['rule', 'items', 'NON_COMPLIANT', 'evaluate', 'normalise + evaluate']];
  for (const figure of figures) {
    rows.push([
      `${figure.rule}${figure.registered ? '' : ' (not registered yet)'}`,
      count(figure.items),
      figure.error ? '-' : `${(figure.nonCompliantShare * 100).toFixed(1)}%`,
      figure.error ? `failed: ${figure.error}` : perSecond(figure.evaluatePerSecond),
      figure.error ? '-' : perSecond(figure.normaliseAndEvaluatePerSecond),
    ]);
  }
  return table(rows);
}
