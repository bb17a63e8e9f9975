/**
 * The budgets in bench/budgets.json, validated, and the checks `npm test` (test/budgets/) makes against them:
 * deterministic figures only (API calls, bundle bytes). Each violation names the figure, its value and its
 * budget.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { describeZodError } from '../shared/core/model.ts';
import type { CallFigure, CallScenario } from './scenarios/api-calls.ts';

const callBudget = z.union([
  z.strictObject({ maxCalls: z.number().int().positive(), why: z.string() }),
  z.strictObject({
    maxCallsPerResource: z.number().positive(),
    /** Calls allowed on top for each resource type in the rule's scope (an API that reads one type a call). */
    plusCallsPerResourceType: z.number().int().nonnegative().optional(),
    why: z.string(),
  }),
]);

const budgetsSchema = z.strictObject({
  $comment: z.string().optional(),
  apiCalls: z.record(z.string(), callBudget),
  /** Calls allowed on top of a Config-rule budget for each account fact the rule reads (once per invocation). */
  callsPerAccountFact: z.number().int().nonnegative(),
  bundleBytes: z.strictObject({
    why: z.string(),
    default: z.number().int().positive(),
    functions: z.record(z.string(), z.number().int().positive()),
  }),
});

export type Budgets = z.infer<typeof budgetsSchema>;
export type CallBudget = z.infer<typeof callBudget>;

export const BUDGETS_FILE = new URL('./budgets.json', import.meta.url);

export function parseBudgets(document: unknown, source = 'bench/budgets.json'): Budgets {
  const parsed = budgetsSchema.safeParse(document);
  if (!parsed.success) throw new Error(`${source}: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

export function loadBudgets(): Budgets {
  return parseBudgets(JSON.parse(readFileSync(BUDGETS_FILE, 'utf8')));
}

const describeCalls = (calls: Record<string, number>) =>
  Object.entries(calls)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');

/** What is wrong with a scenario's figure against its budget; empty when within budget. */
export function callBudgetViolations(
  scenario: Pick<CallScenario, 'function' | 'name' | 'budget' | 'accountFacts' | 'resourceTypes'>,
  figure: Pick<CallFigure, 'total' | 'resources' | 'calls' | 'error'>,
  budgets: Budgets,
): string[] {
  const label = `${scenario.function} ${scenario.name}`;
  if (figure.error !== undefined) return [`${label}: the handler failed: ${figure.error}`];
  const budget = budgets.apiCalls[scenario.budget];
  if (budget === undefined)
    return [`${label}: no budget "${scenario.budget}" in bench/budgets.json apiCalls`];
  const allowance = scenario.accountFacts * budgets.callsPerAccountFact;
  if ('maxCalls' in budget) {
    const limit = budget.maxCalls + allowance;
    return figure.total > limit
      ? [`${label}: API calls = ${figure.total} (${describeCalls(figure.calls)}), budget ${limit}`]
      : [];
  }
  const typeAllowance = (budget.plusCallsPerResourceType ?? 0) * scenario.resourceTypes;
  const perResource = (figure.total - allowance) / figure.resources;
  const limit = budget.maxCallsPerResource + typeAllowance / figure.resources;
  return perResource > limit + 1e-12
    ? [
        `${label}: API calls per resource = ${perResource.toFixed(4)} (${figure.total} calls for ${figure.resources} resources: ${describeCalls(figure.calls)}), budget ${Number(limit.toFixed(6))}`,
      ]
    : [];
}

/** What is wrong with a function's bundle size; empty when within budget. */
export function bundleBudgetViolations(name: string, bytes: number, budgets: Budgets): string[] {
  const own = budgets.bundleBytes.functions[name];
  const limit = own ?? budgets.bundleBytes.default;
  return bytes > limit
    ? [
        `${name}: bundle bytes = ${bytes.toLocaleString('en-US')}, budget ${limit.toLocaleString('en-US')}${own === undefined ? ' (the default: give the function its own budget)' : ''}`,
      ]
    : [];
}
