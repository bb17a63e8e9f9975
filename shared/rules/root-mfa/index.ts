/**
 * `root-mfa`: the account's root user has an MFA device. A drop-in for the managed rule
 * root-account-mfa-enabled (AWS Config Developer Guide, "root-account-mfa-enabled":
 * https://docs.aws.amazon.com/config/latest/developerguide/root-account-mfa-enabled.html; trigger periodic; no
 * parameters), judged on the account itself (`AWS::::Account`, the account id as resource id) from IAM
 * `GetAccountSummary`'s `AccountMFAEnabled` (the `accountSummary` account fact).
 */
import { ACCOUNT_RESOURCE_TYPE } from '../../core/account-item.ts';
import { compliant, nonCompliant, type Rule } from '../../core/model.ts';
import { cannotJudge, parseNoParameters } from '../../core/rule-kit.ts';

export const rootMfaRule: Rule<Record<string, never>> = {
  name: 'root-mfa',
  description:
    'The root user of each account has an MFA device (IAM GetAccountSummary AccountMFAEnabled). Periodic, on the account itself (AWS::::Account).',
  resourceTypes: [ACCOUNT_RESOURCE_TYPE],
  severity: 9,
  accountFacts: ['accountSummary'],
  readActions: ['iam:GetAccountSummary'],
  trigger: 'periodic',
  parameterDocs: [],
  parseParameters: parseNoParameters,
  evaluate(item, _params, context) {
    const summary = context.account.accountSummary;
    if (summary === undefined)
      return cannotJudge(`account ${item.resourceId}: the IAM account summary was not read`);
    if (summary.accountMfaEnabled) return compliant();
    return nonCompliant([
      {
        code: 'root-without-mfa',
        message: `the root user of account ${item.resourceId} has no MFA device (GetAccountSummary: AccountMFAEnabled 0)`,
        details: { accountId: item.resourceId },
      },
    ]);
  },
};
