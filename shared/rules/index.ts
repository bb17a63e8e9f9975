import type { AnyRule, SuiteSettings } from '../core/model.ts';
import { requiredTagsRule, requiredTagsRuleFor } from './required-tags/index.ts';

/**
 * Every Plumbline rule, in the order reports list them, with its default scope. A rule whose scope follows
 * the suite settings (required-tags' `tagPolicy.resourceTypes`) is built for them by {@link rulesFor}.
 */
export const RULES: readonly AnyRule[] = [requiredTagsRule];

/** The rules as configured by the suite settings: what the CLI and deployment evaluate. */
export function rulesFor(settings: SuiteSettings): AnyRule[] {
  return RULES.map((rule) => (rule.name === requiredTagsRule.name ? requiredTagsRuleFor(settings) : rule));
}

export function findRule(name: string): AnyRule | undefined {
  return RULES.find((rule) => rule.name === name);
}
