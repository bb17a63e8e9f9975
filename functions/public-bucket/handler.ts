import { accountPublicAccessBlockLoader } from '../../shared/aws/account-facts.ts';
import { createConfigRuleHandler } from '../../shared/aws/config-runtime.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';
import { publicBucketRule } from '../../shared/rules/public-bucket/index.ts';

/** Config custom rule `public-bucket`: the account-level Public Access Block is read once per invocation. */
export const handler = lambdaHandler(
  createConfigRuleHandler(publicBucketRule, {
    accountFacts: { publicAccessBlock: accountPublicAccessBlockLoader() },
  }),
);
