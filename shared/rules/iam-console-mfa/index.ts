/**
 * `iam-console-mfa`: every IAM user that can sign in to the console with a password has an MFA device. A
 * drop-in for the managed rule mfa-enabled-for-iam-console-access (AWS Config Developer Guide,
 * "mfa-enabled-for-iam-console-access":
 * https://docs.aws.amazon.com/config/latest/developerguide/mfa-enabled-for-iam-console-access.html; resource
 * type AWS::IAM::User; trigger periodic; no parameters), judged from the credential report's
 * `password_enabled` and `mfa_active` columns (the `credentialReport` account fact), found by exact ARN.
 */
import { compliant, nonCompliant, notApplicable, type Rule } from '../../core/model.ts';
import { cannotJudge, parseNoParameters, quoted } from '../../core/rule-kit.ts';
import { IAM_USER_TYPE, readUserRow } from '../iam-user-mfa/user-row.ts';

export const iamConsoleMfaRule: Rule<Record<string, never>> = {
  name: 'iam-console-mfa',
  description:
    'IAM users with a console password have an MFA device; users without a console password are NOT_APPLICABLE. Periodic: read from the IAM credential report.',
  resourceTypes: [IAM_USER_TYPE],
  severity: 8,
  accountFacts: ['credentialReport'],
  readActions: ['iam:GenerateCredentialReport', 'iam:GetCredentialReport'],
  trigger: 'periodic',
  parameterDocs: [],
  managedRuleDifferences: [
    'A user missing from the credential report (created after the report was generated) is NON_COMPLIANT, cannot judge, until the next run.',
  ],
  parseParameters: parseNoParameters,
  evaluate(item, _params, context) {
    const reading = readUserRow(item, context);
    if (!reading.ok) return cannotJudge(reading.problem);
    const { name, row } = reading;
    if (row.passwordEnabled === 'false') {
      return notApplicable(`IAM user ${name} has no console password`, 'no-console-password');
    }
    if (row.passwordEnabled !== 'true') {
      return cannotJudge(
        `IAM user ${name}: the credential report's password_enabled is ${quoted(row.passwordEnabled)}`,
      );
    }
    if (row.mfaActive === 'true') return compliant();
    if (row.mfaActive === 'false') {
      return nonCompliant([
        {
          code: 'console-without-mfa',
          message: `IAM user ${name} can sign in to the console with a password but has no MFA device (credential report: password_enabled true, mfa_active false)`,
          details: { arn: row.arn },
        },
      ]);
    }
    return cannotJudge(`IAM user ${name}: the credential report's mfa_active is ${quoted(row.mfaActive)}`);
  },
};
