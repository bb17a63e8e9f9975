/**
 * The stand-in for a Config-rule function whose `functions/<rule>/handler.ts` has not landed yet: the Config
 * runtime wired the way a rule function wires it (middy + logger, clients from the environment), so that the
 * benchmarks and budgets measure the runtime for every rule already. Generated entries import this module.
 */
import { createConfigRuleHandler } from '../../shared/aws/config-runtime.ts';
import type { AnyRule } from '../../shared/core/model.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

export function standInConfigRuleHandler(rule: AnyRule) {
  return lambdaHandler(createConfigRuleHandler(rule));
}
