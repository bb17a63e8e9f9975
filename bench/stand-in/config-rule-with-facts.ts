/**
 * The stand-in for an unregistered rule that asks for account facts (`Rule.accountFacts`): as
 * `config-rule.ts`, with every account-fact loader.
 */
import {
  accountSummaryLoader,
  credentialReportLoader,
  publicAccessBlockLoader,
} from '../../shared/aws/account-facts.ts';
import type { AnyRule } from '../../shared/core/model.ts';
import { configRuleFunction } from '../../shared/lambda/config-rule.ts';

export function standInConfigRuleHandler(rule: AnyRule) {
  return configRuleFunction(rule, {
    publicAccessBlock: publicAccessBlockLoader(),
    credentialReport: credentialReportLoader(),
    accountSummary: accountSummaryLoader(),
  });
}
