/**
 * The scan itself, with no I/O: rule parameters from the suite configuration, then every rule over every
 * item of its resource types through `evaluateItem`, the very function the Config-rule runtime calls.
 */
import { buildAnnotation } from '../shared/core/annotation.ts';
import { RUNTIME_PARAMETERS } from '../shared/core/config-event.ts';
import {
  type IsolatedVerdict,
  isEvaluable,
  isIdentified,
  judgeIsolated,
  judgeUnreadable,
} from '../shared/core/evaluate.ts';
import {
  type AccountFact,
  type AccountFacts,
  type AnyRule,
  type ConfigurationItem,
  InputError,
  ParameterError,
} from '../shared/core/model.ts';
import type { UnreadableItem } from '../shared/core/normalise.ts';
import type { SuiteConfig } from '../shared/core/suite-config.ts';
import type { ItemLocation, ReportError, ReportEvaluation } from './report.ts';

export interface SourcedItem {
  item: ConfigurationItem;
  location?: ItemLocation | undefined;
}

/** An item that could not be read, and where it was. */
export interface SourcedUnreadable {
  unreadable: UnreadableItem;
  location?: ItemLocation | undefined;
}

export interface PreparedRule {
  rule: AnyRule;
  params: unknown;
}

/** The rules whose parameters are valid, and one error for each rule refused, naming it. */
export interface PreparedRules {
  prepared: PreparedRule[];
  refused: ReportError[];
}

/**
 * Parses each rule's parameters exactly as its Config rule would receive them: `rules.<name>` of the
 * configuration (defaults when absent) with the suite settings. Runtime-only parameters such as
 * `ExecutionRoleName` are dropped, as the Lambda runtime drops them. `configSource` names the file in errors.
 * Throws the first bad parameter; {@link prepareEachRule} refuses only the rules that have one.
 */
export function prepareRules(
  rules: readonly AnyRule[],
  suite: SuiteConfig,
  configSource: string,
): PreparedRule[] {
  const { prepared, refused } = prepareEachRule(rules, suite, configSource);
  const [first] = refused;
  if (first !== undefined) throw new InputError(first.message);
  return prepared;
}

/** Each rule's parameters, parsed on their own: a rule with a bad parameter is refused, the others run. */
export function prepareEachRule(
  rules: readonly AnyRule[],
  suite: SuiteConfig,
  configSource: string,
): PreparedRules {
  const prepared: PreparedRule[] = [];
  const refused: ReportError[] = [];
  for (const rule of rules) {
    const raw: Record<string, unknown> = { ...(suite.rules[rule.name] ?? {}) };
    for (const name of RUNTIME_PARAMETERS) delete raw[name];
    try {
      prepared.push({ rule, params: rule.parseParameters(raw, suite.settings) });
    } catch (error) {
      if (!(error instanceof ParameterError || error instanceof InputError)) throw error;
      refused.push({ rule: rule.name, message: `${configSource}: rule ${rule.name}: ${error.message}` });
    }
  }
  return { prepared, refused };
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

interface ScanEntry {
  resource: Pick<ConfigurationItem, 'resourceType' | 'resourceId' | 'resourceName'> & {
    accountId?: string | undefined;
    region?: string | undefined;
  };
  location?: ItemLocation | undefined;
  judge: (rule: AnyRule, params: unknown) => IsolatedVerdict;
  item?: ConfigurationItem | undefined;
}

/**
 * Every rule over every item of its resource types, in rule order, then by resource. An item the rule
 * cannot judge, or that could not be read but names its resource, gets the fail-closed verdict, marked as
 * an error result; the others are judged as usual.
 */
export function evaluateAll(
  prepared: readonly PreparedRule[],
  items: readonly SourcedItem[],
  factsFor: FactsByAccount,
  unreadable: readonly SourcedUnreadable[] = [],
): ReportEvaluation[] {
  const entries: ScanEntry[] = items.map(({ item, location }) => ({
    resource: item,
    location,
    item,
    judge: (rule, params) =>
      judgeIsolated(rule, params, item, {
        accountId: item.accountId,
        region: item.region,
        account: isEvaluable(rule, item) ? factsFor(item.accountId) : {},
      }),
  }));
  for (const { unreadable: problem, location } of unreadable) {
    if (!isIdentified(problem)) continue;
    entries.push({ resource: problem, location, judge: (rule) => judgeUnreadable(rule, problem) });
  }
  entries.sort((a, b) => compareResources(a.resource, b.resource));
  const evaluations: ReportEvaluation[] = [];
  for (const { rule, params } of prepared) {
    for (const { resource, location, item, judge } of entries) {
      if (!rule.resourceTypes.includes(resource.resourceType)) continue;
      evaluations.push(reportEvaluation(rule, resource, judge(rule, params), location, item));
    }
  }
  return evaluations;
}

/** One rule's evaluation of one readable item, judged with its account's facts when the rule uses them. */
export function judgeItem(
  { rule, params }: PreparedRule,
  item: ConfigurationItem,
  location: ItemLocation | undefined,
  factsFor: FactsByAccount,
): ReportEvaluation {
  const isolated = judgeIsolated(rule, params, item, {
    accountId: item.accountId,
    region: item.region,
    account: isEvaluable(rule, item) ? factsFor(item.accountId) : {},
  });
  return reportEvaluation(rule, item, isolated, location, item);
}

/** A verdict as the report carries it: an error result when the item could not be read or judged. */
export function reportEvaluation(
  rule: AnyRule,
  resource: ScanEntry['resource'],
  { verdict, failure }: IsolatedVerdict,
  location: ItemLocation | undefined,
  item?: ConfigurationItem,
): ReportEvaluation {
  // Built field by field (not spread from toEvaluation's): it is made once per rule and item.
  const evaluation: ReportEvaluation = {
    rule: rule.name,
    resourceType: resource.resourceType,
    resourceId: resource.resourceId,
    resourceName: resource.resourceName,
    accountId: resource.accountId,
    region: resource.region,
    compliance: verdict.compliance,
    annotation: buildAnnotation(verdict.compliance, verdict.reasons),
    reasons: verdict.reasons,
    nameTag: item?.tags.Name,
    arn: item?.arn,
    location,
  };
  if (failure !== undefined) evaluation.error = failure;
  return evaluation;
}

/**
 * Unreadable items no evaluation can stand for (they do not say which resource they are): errors of the
 * report. An unreadable item of a type no rule evaluates is out of scope, as a readable one would be.
 */
export function unreadableErrors(
  prepared: readonly PreparedRule[],
  unreadable: readonly SourcedUnreadable[],
): ReportError[] {
  const types = new Set(prepared.flatMap(({ rule }) => rule.resourceTypes));
  return unreadable
    .filter(({ unreadable: problem }) => !isIdentified(problem))
    .filter(
      ({ unreadable: problem }) => problem.resourceType === undefined || types.has(problem.resourceType),
    )
    .map(({ unreadable: problem, location }) => ({
      message: location === undefined ? problem.problem : `${location.file}: ${problem.problem}`,
      location,
    }));
}

function compareResources(a: ScanEntry['resource'], b: ScanEntry['resource']): number {
  return (
    (a.accountId ?? '').localeCompare(b.accountId ?? '') ||
    (a.region ?? '').localeCompare(b.region ?? '') ||
    a.resourceType.localeCompare(b.resourceType) ||
    a.resourceId.localeCompare(b.resourceId)
  );
}
