/**
 * `s3-versioning`: S3 buckets have versioning enabled, optionally with MFA delete. A drop-in for the managed
 * rule s3-bucket-versioning-enabled (AWS Config Developer Guide, "s3-bucket-versioning-enabled":
 * https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-versioning-enabled.html; parameter
 * `isMfaDeleteEnabled`, optional string), judged from the `AWS::S3::Bucket` item's supplementary
 * `BucketVersioningConfiguration`: `{status: "Off" | "Suspended" | "Enabled", isMfaDeleteEnabled: boolean | null}`
 * (awslabs/aws-config-resource-schema, `AWS::S3::Bucket.properties.json`; JSON text from the API).
 */
import { compliant, nonCompliant, type Reason, type Rule } from '../../core/model.ts';
import { cannotJudge, checkParameterNames, optionalBoolean } from '../../core/rule-kit.ts';
import { BUCKET_TYPE } from '../public-bucket/configuration-item.ts';
import { readBucketVersioning, versioningStatusReason } from './versioning.ts';

export { planEnableVersioning, planVersioning, type VersioningPlan } from './remediation.ts';
export {
  type BucketVersioning,
  readBucketVersioning,
  VERSIONING_STATUSES,
  type VersioningStatus,
} from './versioning.ts';

export interface S3VersioningParams {
  /** true: MFA delete must be enabled too. */
  isMfaDeleteEnabled: boolean;
}

export function parseS3VersioningParameters(raw: Record<string, unknown>): S3VersioningParams {
  checkParameterNames(raw, ['isMfaDeleteEnabled']);
  return { isMfaDeleteEnabled: optionalBoolean('isMfaDeleteEnabled', raw.isMfaDeleteEnabled) ?? false };
}

export const s3VersioningRule: Rule<S3VersioningParams> = {
  name: 's3-versioning',
  description:
    'S3 buckets have versioning enabled (not off, not suspended), so that overwritten and deleted objects can be recovered; with isMfaDeleteEnabled=true, MFA delete too.',
  resourceTypes: [BUCKET_TYPE],
  severity: 5,
  parameterDocs: [
    {
      name: 'isMfaDeleteEnabled',
      description:
        'true: MFA delete must be enabled as well (as the managed rule s3-bucket-versioning-enabled). false or empty: not checked.',
      default: 'false',
    },
  ],
  managedRuleDifferences: [
    'isMfaDeleteEnabled accepts only true or false (any case); false does not require MFA delete to be off, it leaves MFA delete unchecked.',
  ],
  parseParameters: (raw) => parseS3VersioningParameters(raw),
  evaluate(item, params) {
    const reading = readBucketVersioning(item);
    if (!reading.ok) return cannotJudge(reading.problem);
    const { versioning } = reading;
    const statusReason = versioningStatusReason(versioning);
    const reasons: Reason[] = statusReason ? [statusReason] : [];
    if (params.isMfaDeleteEnabled && !versioning.mfaDelete) {
      reasons.push({
        code: 'mfa-delete-off',
        message: `bucket ${versioning.bucket}: MFA delete is not enabled (isMfaDeleteEnabled is required)`,
        details: { bucket: versioning.bucket },
      });
    }
    return reasons.length === 0 ? compliant() : nonCompliant(reasons);
  },
};
