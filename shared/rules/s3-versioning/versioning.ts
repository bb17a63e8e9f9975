/**
 * Reading an `AWS::S3::Bucket` item's supplementary `BucketVersioningConfiguration`:
 * `{status: "Off" | "Suspended" | "Enabled", isMfaDeleteEnabled: boolean | null}` (awslabs/aws-config-resource-schema,
 * `AWS::S3::Bucket.properties.json`; JSON text from the API, parsed by the normaliser). `Off` means versioning
 * was never enabled.
 */
import type { ConfigurationItem, Reason } from '../../core/model.ts';
import { quoted, supplementaryField } from '../../core/rule-kit.ts';
import { bucketNameOf } from '../public-bucket/configuration-item.ts';

export const VERSIONING_STATUSES = ['Off', 'Suspended', 'Enabled'] as const;
export type VersioningStatus = (typeof VERSIONING_STATUSES)[number];

export interface BucketVersioning {
  bucket: string;
  status: VersioningStatus;
  mfaDelete: boolean;
}

export type VersioningReading = { ok: true; versioning: BucketVersioning } | { ok: false; problem: string };

export function readBucketVersioning(item: ConfigurationItem): VersioningReading {
  const bucket = bucketNameOf(item);
  const value = supplementaryField(item, 'BucketVersioningConfiguration');
  const where = `bucket ${bucket}: supplementaryConfiguration.BucketVersioningConfiguration`;
  if (value === undefined || value === null) return { ok: false, problem: `${where} is not recorded` };
  const { status, isMfaDeleteEnabled } = (typeof value === 'object' ? value : {}) as Record<string, unknown>;
  if (!(VERSIONING_STATUSES as readonly unknown[]).includes(status)) {
    return { ok: false, problem: `${where}.status is ${quoted(status)}` };
  }
  if (
    isMfaDeleteEnabled !== undefined &&
    isMfaDeleteEnabled !== null &&
    typeof isMfaDeleteEnabled !== 'boolean'
  ) {
    return { ok: false, problem: `${where}.isMfaDeleteEnabled is ${quoted(isMfaDeleteEnabled)}` };
  }
  return {
    ok: true,
    versioning: { bucket, status: status as VersioningStatus, mfaDelete: isMfaDeleteEnabled === true },
  };
}

/** The finding of a bucket whose versioning is not enabled (the rule's reason and the responder's notice). */
export function versioningStatusReason(versioning: BucketVersioning): Reason | undefined {
  if (versioning.status === 'Enabled') return undefined;
  return {
    code: versioning.status === 'Off' ? 'versioning-off' : 'versioning-suspended',
    message: `bucket ${versioning.bucket}: versioning is ${versioning.status === 'Off' ? 'off (never enabled)' : 'suspended'}`,
    details: { bucket: versioning.bucket, status: versioning.status },
  };
}
