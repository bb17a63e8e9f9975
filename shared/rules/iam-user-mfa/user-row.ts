/**
 * Finding an `AWS::IAM::User` item's row in the IAM credential report: by the user's exact ARN
 * (`configuration.arn`, else the item's ARN; AWS Config resource schema, `AWS::IAM::User.properties.json`),
 * never by name, since a name can be reused by another user after a deletion.
 */
import { rowForArn } from '../../core/credential-report.ts';
import type { ConfigurationItem, CredentialReportRow, EvaluationContext } from '../../core/model.ts';

export const IAM_USER_TYPE = 'AWS::IAM::User';

export type UserRowReading =
  | { ok: true; name: string; row: CredentialReportRow }
  | { ok: false; problem: string };

export function userName(item: ConfigurationItem): string {
  const name = item.configuration?.userName;
  return typeof name === 'string' && name !== '' ? name : (item.resourceName ?? item.resourceId);
}

export function readUserRow(item: ConfigurationItem, context: EvaluationContext): UserRowReading {
  const name = userName(item);
  const report = context.account.credentialReport;
  if (report === undefined)
    return { ok: false, problem: `IAM user ${name}: the credential report was not read` };
  const recorded = item.configuration?.arn;
  const arn = typeof recorded === 'string' && recorded !== '' ? recorded : item.arn;
  if (arn === undefined) return { ok: false, problem: `IAM user ${name}: its ARN is not recorded` };
  const row = rowForArn(report, arn);
  if (row === undefined) {
    return {
      ok: false,
      problem: `IAM user ${name}: ${arn} is not in the credential report generated at ${report.generatedAt} (a user created since is judged at the next run)`,
    };
  }
  return { ok: true, name, row };
}
