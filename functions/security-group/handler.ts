import { createConfigRuleHandler } from '../../shared/aws/config-runtime.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';
import { securityGroupRule } from '../../shared/rules/security-group/index.ts';

/** Config custom rule `security-group`: world-open blocked ports, authorized ports and baseline drift. */
export const handler = lambdaHandler(createConfigRuleHandler(securityGroupRule));
