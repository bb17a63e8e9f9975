import { readFileSync } from 'node:fs';
import { evaluateItem } from '../../shared/core/evaluate.ts';
import type {
  ConfigurationItem,
  Evaluation,
  EvaluationContext,
  SuiteSettings,
} from '../../shared/core/model.ts';
import { normaliseConfigurationItem } from '../../shared/core/normalise.ts';
import { requiredTagsRuleFor } from '../../shared/rules/required-tags/index.ts';
import { ACCOUNT, instanceItem } from '../fixtures/config/events.ts';

export const CONTEXT: EvaluationContext = { accountId: ACCOUNT, region: 'us-east-2', account: {} };

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/required-tags/${name}`, import.meta.url), 'utf8'));
}

/** The documentation's EC2 instance CI (event shape) with these tags, or another type/id via overrides. */
export function item(
  tags: Record<string, string>,
  overrides: Record<string, unknown> = {},
): ConfigurationItem {
  return normaliseConfigurationItem(instanceItem({ tags, ...overrides }));
}

/** Parses parameters the way the runtime does, then evaluates, returning what PutEvaluations would get. */
export function judge(
  resource: ConfigurationItem,
  ruleParameters: Record<string, unknown>,
  settings: SuiteSettings = {},
): Pick<Evaluation, 'compliance' | 'annotation' | 'reasons'> {
  const rule = requiredTagsRuleFor(settings);
  const params = rule.parseParameters(ruleParameters, settings);
  const { compliance, annotation, reasons } = evaluateItem(rule, params, resource, CONTEXT);
  return { compliance, annotation, reasons };
}

/** Compliance and annotation only: what Config shows. */
export function verdict(
  resource: ConfigurationItem,
  ruleParameters: Record<string, unknown>,
  settings: SuiteSettings = {},
): [Evaluation['compliance'], string] {
  const { compliance, annotation } = judge(resource, ruleParameters, settings);
  return [compliance, annotation];
}
