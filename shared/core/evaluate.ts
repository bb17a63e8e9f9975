import { buildAnnotation } from './annotation.ts';
import type { AnyRule, ConfigurationItem, Evaluation, EvaluationContext, Verdict } from './model.ts';
import { notApplicable } from './model.ts';

const GONE_STATUSES = new Set(['ResourceDeleted', 'ResourceDeletedNotRecorded', 'ResourceNotRecorded']);

/** Whether the rule evaluates the item at all (in scope, neither deleted nor unrecorded). */
export function isEvaluable(
  rule: AnyRule,
  item: Pick<ConfigurationItem, 'resourceType' | 'status'>,
): boolean {
  return rule.resourceTypes.includes(item.resourceType) && !GONE_STATUSES.has(item.status);
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
  if (!rule.resourceTypes.includes(item.resourceType)) {
    return notApplicable(`${item.resourceType} is not evaluated by ${rule.name}`, 'out-of-scope');
  }
  if (GONE_STATUSES.has(item.status)) {
    return notApplicable(`resource status is ${item.status}`, 'not-recorded');
  }
  return rule.evaluate(item, params, context);
}

export function toEvaluation(
  rule: AnyRule,
  item: Pick<ConfigurationItem, 'resourceType' | 'resourceId' | 'resourceName' | 'accountId' | 'region'>,
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
