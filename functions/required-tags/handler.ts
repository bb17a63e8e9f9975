import { createConfigRuleHandler } from '../../shared/aws/config-runtime.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';
import { bundledSuiteConfig } from '../../shared/lambda/suite.ts';
import { requiredTagsRuleFor } from '../../shared/rules/required-tags/index.ts';

/** Config custom rule `required-tags`: its scope follows `tagPolicy.resourceTypes` in the shipped configuration. */
export const handler = lambdaHandler(
  createConfigRuleHandler(requiredTagsRuleFor(bundledSuiteConfig().settings)),
);
