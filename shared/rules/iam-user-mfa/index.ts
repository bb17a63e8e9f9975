/**
 * `iam-user-mfa`: every IAM user has an MFA device. A drop-in for the managed rule iam-user-mfa-enabled
 * (AWS Config Developer Guide, "iam-user-mfa-enabled":
 * https://docs.aws.amazon.com/config/latest/developerguide/iam-user-mfa-enabled.html; resource type
 * AWS::IAM::User; trigger periodic; no parameters). Config records no MFA devices, so each user is judged from
 * the IAM credential report's `mfa_active` column (the `credentialReport` account fact), found by exact ARN.
 */
import { compliant, nonCompliant, type Rule } from '../../core/model.ts';
import { cannotJudge, parseNoParameters, quoted } from '../../core/rule-kit.ts';
import { IAM_USER_TYPE, readUserRow } from './user-row.ts';

export { IAM_USER_TYPE, readUserRow, userName } from './user-row.ts';

export const iamUserMfaRule: Rule<Record<string, never>> = {
  name: 'iam-user-mfa',
  description:
    'Every IAM user has an MFA device (the credential report’s mfa_active), whether it signs in to the console or uses access keys. Periodic: read from the IAM credential report.',
  resourceTypes: [IAM_USER_TYPE],
  severity: 7,
  accountFacts: ['credentialReport'],
  readActions: ['iam:GenerateCredentialReport', 'iam:GetCredentialReport'],
  trigger: 'periodic',
  parameterDocs: [],
  managedRuleDifferences: [
    'A user missing from the credential report (created after the report was generated, IAM reuses a report for four hours) is NON_COMPLIANT, cannot judge, until the next run.',
  ],
  parseParameters: parseNoParameters,
  evaluate(item, _params, context) {
    const reading = readUserRow(item, context);
    if (!reading.ok) return cannotJudge(reading.problem);
    const { name, row } = reading;
    if (row.mfaActive === 'true') return compliant();
    if (row.mfaActive === 'false') {
      return nonCompliant([
        {
          code: 'no-mfa',
          message: `IAM user ${name} has no MFA device (credential report: mfa_active false)`,
          details: { arn: row.arn },
        },
      ]);
    }
    return cannotJudge(`IAM user ${name}: the credential report's mfa_active is ${quoted(row.mfaActive)}`);
  },
};
