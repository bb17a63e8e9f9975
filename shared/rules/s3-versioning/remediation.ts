/**
 * The planning core of the opt-in remediation "enable S3 versioning": the `PutBucketVersioning` call
 * (Amazon S3 API Reference, `PutBucketVersioning`: `VersioningConfiguration.Status` Enabled) for a bucket
 * whose versioning is off or suspended. MFA delete is never changed: turning it on needs the root user's
 * MFA code, and turning it off would weaken the bucket. No runtime here: the responder runtime sends it.
 */
import type { ConfigurationItem } from '../../core/model.ts';
import { type BucketVersioning, readBucketVersioning } from './versioning.ts';

export interface VersioningPlan {
  action: 'PutBucketVersioning';
  input: { Bucket: string; VersioningConfiguration: { Status: 'Enabled' } };
}

/** The call that enables versioning, or undefined when it is enabled already or cannot be read. */
export function planEnableVersioning(item: ConfigurationItem): VersioningPlan | undefined {
  const reading = readBucketVersioning(item);
  return reading.ok ? planVersioning(reading.versioning) : undefined;
}

/** The same plan from the bucket's versioning as read (its configuration item, or `GetBucketVersioning`). */
export function planVersioning(versioning: BucketVersioning): VersioningPlan | undefined {
  if (versioning.status === 'Enabled') return undefined;
  return {
    action: 'PutBucketVersioning',
    input: { Bucket: versioning.bucket, VersioningConfiguration: { Status: 'Enabled' } },
  };
}
