/**
 * The stand-in for a rule exported by a `shared/rules/<dir>/index.ts` but not registered yet: the Config
 * runtime wired the way a registry rule's generated entry wires it (`configRuleFunction`), so that the
 * benchmarks and budgets measure the runtime for every rule already. Generated entries import this module.
 */
import type { AnyRule } from '../../shared/core/model.ts';
import { configRuleFunction } from '../../shared/lambda/config-rule.ts';

export function standInConfigRuleHandler(rule: AnyRule) {
  return configRuleFunction(rule);
}
