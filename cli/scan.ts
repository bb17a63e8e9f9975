/**
 * The scan itself, with no I/O: rule parameters from the suite configuration, then every rule over every
 * item of its resource types through `evaluateItem`, the very function the Config-rule runtime calls.
 */
import { RUNTIME_PARAMETERS } from '../shared/aws/config-runtime.ts';
import { evaluateItem, isEvaluable } from '../shared/core/evaluate.ts';
import {
  type AccountFact,
  type AccountFacts,
  type AnyRule,
  type ConfigurationItem,
  InputError,
  ParameterError,
} from '../shared/core/model.ts';
import type { SuiteConfig } from '../shared/core/suite-config.ts';
import type { ItemLocation, ReportEvaluation } from './report.ts';

export interface SourcedItem {
  item: ConfigurationItem;
  location?: ItemLocation | undefined;
}

export interface PreparedRule {
  rule: AnyRule;
  params: unknown;
}

/**
 * Parses each rule's parameters exactly as its Config rule would receive them: `rules.<name>` of the
 * configuration (defaults when absent) with the suite settings. Runtime-only parameters such as
 * `ExecutionRoleName` are dropped, as the Lambda runtime drops them. `configSource` names the file in errors.
 */
export function prepareRules(
  rules: readonly AnyRule[],
  suite: SuiteConfig,
  configSource: string,
): PreparedRule[] {
  return rules.map((rule) => {
    const raw: Record<string, unknown> = { ...(suite.rules[rule.name] ?? {}) };
    for (const name of RUNTIME_PARAMETERS) delete raw[name];
    try {
      return { rule, params: rule.parseParameters(raw, suite.settings) };
    } catch (error) {
      if (error instanceof ParameterError || error instanceof InputError) {
        throw new InputError(`${configSource}: rule ${rule.name}: ${error.message}`);
      }
      throw error;
    }
  });
}

/** The account facts the prepared rules need, by name. */
export function neededFacts(prepared: readonly PreparedRule[]): AccountFact[] {
  return [...new Set(prepared.flatMap(({ rule }) => rule.accountFacts ?? []))];
}

/** Accounts that have at least one item some rule needing facts will actually evaluate. */
export function accountsNeedingFacts(
  prepared: readonly PreparedRule[],
  items: readonly SourcedItem[],
): string[] {
  const accounts = new Set<string>();
  for (const { rule } of prepared) {
    if (!rule.accountFacts?.length) continue;
    for (const { item } of items) if (isEvaluable(rule, item)) accounts.add(item.accountId);
  }
  return [...accounts].sort();
}

/**
 * Keeps one item per resource: the newest capture. Snapshot files of several days, or a snapshot and a
 * query export, may describe the same resource; the scan reports its latest known state.
 */
export function latestItems(items: readonly SourcedItem[]): SourcedItem[] {
  const byResource = new Map<string, SourcedItem>();
  for (const sourced of items) {
    const { accountId, region, resourceType, resourceId } = sourced.item;
    const key = `${accountId}|${region}|${resourceType}|${resourceId}`;
    const known = byResource.get(key);
    if (known === undefined || Date.parse(sourced.item.captureTime) > Date.parse(known.item.captureTime)) {
      byResource.set(key, sourced);
    }
  }
  return [...byResource.values()];
}

export type FactsByAccount = (accountId: string) => AccountFacts;

/** Every rule over every item of its resource types, in rule order, then by resource. */
export function evaluateAll(
  prepared: readonly PreparedRule[],
  items: readonly SourcedItem[],
  factsFor: FactsByAccount,
): ReportEvaluation[] {
  const sorted = [...items].sort((a, b) => compareItems(a.item, b.item));
  const evaluations: ReportEvaluation[] = [];
  for (const { rule, params } of prepared) {
    for (const { item, location } of sorted) {
      if (!rule.resourceTypes.includes(item.resourceType)) continue;
      const context = {
        accountId: item.accountId,
        region: item.region,
        account: isEvaluable(rule, item) ? factsFor(item.accountId) : {},
      };
      const { orderingTimestamp: _unused, ...evaluation } = evaluateItem(rule, params, item, context);
      evaluations.push({ ...evaluation, nameTag: item.tags.Name, arn: item.arn, location });
    }
  }
  return evaluations;
}

function compareItems(a: ConfigurationItem, b: ConfigurationItem): number {
  return (
    a.accountId.localeCompare(b.accountId) ||
    a.region.localeCompare(b.region) ||
    a.resourceType.localeCompare(b.resourceType) ||
    a.resourceId.localeCompare(b.resourceId)
  );
}
