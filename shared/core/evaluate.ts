import { buildAnnotation } from './annotation.ts';
import type { AnyRule, ConfigurationItem, Evaluation, EvaluationContext, Verdict } from './model.ts';
import { InputError, nonCompliant, notApplicable, ParameterError } from './model.ts';
import type { UnreadableItem } from './normalise.ts';
import { listsResourceType } from './scope.ts';

const GONE_STATUSES = new Set(['ResourceDeleted', 'ResourceDeletedNotRecorded', 'ResourceNotRecorded']);

/** Whether the rule evaluates the item at all (in scope, neither deleted nor unrecorded). */
export function isEvaluable(
  rule: AnyRule,
  item: Pick<ConfigurationItem, 'resourceType' | 'status'>,
): boolean {
  return listsResourceType(rule.resourceTypes, item.resourceType) && !GONE_STATUSES.has(item.status);
}

/**
 * The verdict of one rule on one item, with the scope checks every entry point shares: a resource type the
 * rule does not cover, and an item that is deleted or not recorded, are NOT_APPLICABLE.
 */
export function judge(
  rule: AnyRule,
  params: unknown,
  item: ConfigurationItem,
  context: EvaluationContext,
): Verdict {
  if (!listsResourceType(rule.resourceTypes, item.resourceType)) {
    return notApplicable(`${item.resourceType} is not evaluated by ${rule.name}`, 'out-of-scope');
  }
  if (GONE_STATUSES.has(item.status)) {
    return notApplicable(`resource status is ${item.status}`, 'not-recorded');
  }
  return rule.evaluate(item, params, context);
}

export function toEvaluation(
  rule: AnyRule,
  item: Pick<ConfigurationItem, 'resourceType' | 'resourceId' | 'resourceName'> & {
    accountId?: string | undefined;
    region?: string | undefined;
  },
  verdict: Verdict,
  orderingTimestamp: Date,
): Evaluation {
  return {
    rule: rule.name,
    resourceType: item.resourceType,
    resourceId: item.resourceId,
    resourceName: item.resourceName,
    accountId: item.accountId,
    region: item.region,
    compliance: verdict.compliance,
    annotation: buildAnnotation(verdict.compliance, verdict.reasons),
    reasons: verdict.reasons,
    orderingTimestamp,
  };
}

export function evaluateItem(
  rule: AnyRule,
  params: unknown,
  item: ConfigurationItem,
  context: EvaluationContext,
  orderingTimestamp: Date = new Date(item.captureTime),
): Evaluation {
  return toEvaluation(rule, item, judge(rule, params, item, context), orderingTimestamp);
}

/** The reason code of a fail-closed verdict: the item could not be read or judged. */
export const CANNOT_EVALUATE = 'cannot-evaluate';

/** The fail-closed verdict for an item that cannot be judged: NON_COMPLIANT, saying what could not be read. */
export function cannotEvaluate(problem: string): Verdict {
  return nonCompliant([{ code: CANNOT_EVALUATE, message: `cannot evaluate: ${problem}` }]);
}

/** What went wrong, in one line: ours name the field; anything else keeps its type. */
export function describeFailure(error: unknown): string {
  if (error instanceof InputError || error instanceof ParameterError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** A verdict, and the problem when the item could not be judged. */
export interface IsolatedVerdict {
  verdict: Verdict;
  /** Set when the verdict is the fail-closed one: what could not be read. */
  failure?: string | undefined;
}

/**
 * {@link judge}, isolated: whatever the rule throws while judging this one item becomes the item's
 * fail-closed verdict, so that one bad item never stops the others.
 */
export function judgeIsolated(
  rule: AnyRule,
  params: unknown,
  item: ConfigurationItem,
  context: EvaluationContext,
): IsolatedVerdict {
  try {
    return { verdict: judge(rule, params, item, context) };
  } catch (error) {
    const failure = describeFailure(error);
    return { verdict: cannotEvaluate(failure), failure };
  }
}

/** An unreadable item that still says which resource it is: it can be given a verdict. */
export type IdentifiedUnreadable = UnreadableItem & { resourceType: string; resourceId: string };

export function isIdentified(unreadable: UnreadableItem): unreadable is IdentifiedUnreadable {
  return unreadable.resourceType !== undefined && unreadable.resourceId !== undefined;
}

/**
 * The verdict on an item that could not be read: the scope checks {@link judge} makes (its type and
 * status are readable), else the fail-closed verdict.
 */
export function judgeUnreadable(rule: AnyRule, unreadable: IdentifiedUnreadable): IsolatedVerdict {
  if (!listsResourceType(rule.resourceTypes, unreadable.resourceType)) {
    return {
      verdict: notApplicable(`${unreadable.resourceType} is not evaluated by ${rule.name}`, 'out-of-scope'),
    };
  }
  if (unreadable.status !== undefined && GONE_STATUSES.has(unreadable.status)) {
    return { verdict: notApplicable(`resource status is ${unreadable.status}`, 'not-recorded') };
  }
  return { verdict: cannotEvaluate(unreadable.problem), failure: unreadable.problem };
}
