/**
 * The stand-in for a Config-rule function whose rule asks for account facts (`Rule.accountFacts`): as
 * `config-rule.ts`, with the account-fact loaders the rule functions use.
 */
import { accountPublicAccessBlockLoader, iamFactLoaders } from '../../shared/aws/account-facts.ts';
import { createConfigRuleHandler } from '../../shared/aws/config-runtime.ts';
import type { AnyRule } from '../../shared/core/model.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

export function standInConfigRuleHandler(rule: AnyRule) {
  return lambdaHandler(
    createConfigRuleHandler(rule, {
      accountFacts: { publicAccessBlock: accountPublicAccessBlockLoader(), ...iamFactLoaders() },
    }),
  );
}
