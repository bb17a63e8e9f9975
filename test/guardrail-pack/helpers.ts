import { evaluateItem } from '../../shared/core/evaluate.ts';
import type { AccountFacts, AnyRule, Evaluation } from '../../shared/core/model.ts';
import { normaliseConfigurationItem } from '../../shared/core/normalise.ts';
import { ACCOUNT, REGION } from '../fixtures/guardrail-pack/items.ts';

/** The verdict a rule gives a raw item (either shape), through the same path every entry point takes. */
export function judgeRaw(
  rule: AnyRule,
  item: unknown,
  raw: Record<string, unknown> = {},
  account: AccountFacts = {},
): Pick<Evaluation, 'compliance' | 'annotation'> & { codes: string[] } {
  const params = rule.parseParameters(raw, {});
  const evaluation = evaluateItem(rule, params, normaliseConfigurationItem(item), {
    accountId: ACCOUNT,
    region: REGION,
    account,
  });
  return {
    compliance: evaluation.compliance,
    annotation: evaluation.annotation,
    codes: evaluation.reasons.map((reason) => reason.code),
  };
}
