import { type AccountFactLoaders, createConfigRuleHandler } from '../aws/config-runtime.ts';
import type { AnyRule } from '../core/model.ts';
import { lambdaHandler } from './handler.ts';
import { bundledSuiteConfig } from './suite.ts';

/**
 * The Lambda handler of a rule's Config-rule function: the rule (configured by the shipped suite settings
 * when its scope follows them, `Rule.forSettings`) on the Config runtime, with the loaders of the account
 * facts it declares. The build generates one entry per registry rule that calls this (esbuild.config.ts).
 */
export function configRuleFunction(rule: AnyRule, accountFacts: AccountFactLoaders = {}) {
  const configured = rule.forSettings ? rule.forSettings(bundledSuiteConfig().settings) : rule;
  return lambdaHandler(createConfigRuleHandler(configured, { accountFacts }));
}
