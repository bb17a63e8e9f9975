/**
 * The S3 adapter: reading a bucket's ACL, policy, Block Public Access and ownership controls, listing the
 * account's buckets, and turning on a bucket's Block Public Access (`bucketPort`, what the
 * `public-bucket-remediate` spec is given); reading and enabling a bucket's versioning (`versioningPort`, the
 * `s3-versioning-enable` spec's).
 */
import {
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  type ListBucketsCommandOutput,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { S3ControlClient } from '@aws-sdk/client-s3-control';
import { grantsFromApi } from '../rules/public-bucket/acl.ts';
import { type BucketState, objectOwnershipOf } from '../rules/public-bucket/analyse.ts';
import { ALL_BLOCKED, flagsFromApi } from '../rules/public-bucket/block.ts';
import { BucketGoneError, type BucketPort, type ListedBucket } from '../rules/public-bucket/responder.ts';
import type { VersioningPlan } from '../rules/s3-versioning/remediation.ts';
import type { VersioningPort } from '../rules/s3-versioning/responder.ts';
import type { BucketVersioning } from '../rules/s3-versioning/versioning.ts';
import { loadAccountPublicAccessBlock } from './account-facts.ts';
import { errorText } from './clients.ts';

/** Runs one S3 read; `absent` names the error code that means "not configured" (then undefined). */
async function read<T>(
  bucket: string,
  call: string,
  send: () => Promise<T>,
  absent?: string,
): Promise<T | undefined> {
  try {
    return await send();
  } catch (error) {
    const name = (error as Error).name;
    if (absent !== undefined && name === absent) return undefined;
    if (name === 'NoSuchBucket') throw new BucketGoneError(bucket, `${call} returned NoSuchBucket`);
    throw new Error(`S3 ${call} on ${bucket} failed: ${errorText(error)}`, { cause: error });
  }
}

/**
 * The bucket's current ACL, policy, Block Public Access and ownership controls, read in parallel.
 * `expectedOwner` makes S3 refuse (403) when the bucket now belongs to another account.
 */
async function readBucketState(s3: S3Client, bucket: string, expectedOwner: string): Promise<BucketState> {
  const input = { Bucket: bucket, ExpectedBucketOwner: expectedOwner };
  const [acl, policy, block, ownership] = await Promise.all([
    read(bucket, 'GetBucketAcl', () => s3.send(new GetBucketAclCommand(input))),
    read(bucket, 'GetBucketPolicy', () => s3.send(new GetBucketPolicyCommand(input)), 'NoSuchBucketPolicy'),
    read(
      bucket,
      'GetPublicAccessBlock',
      () => s3.send(new GetPublicAccessBlockCommand(input)),
      'NoSuchPublicAccessBlockConfiguration',
    ),
    read(
      bucket,
      'GetBucketOwnershipControls',
      () => s3.send(new GetBucketOwnershipControlsCommand(input)),
      'OwnershipControlsNotFoundError',
    ),
  ]);
  const problems: string[] = [];
  const grants = grantsFromApi(acl?.Grants);
  if (!grants.ok) problems.push(`GetBucketAcl: ${grants.error}`);
  const objectOwnership = ownership?.OwnershipControls?.Rules?.[0]?.ObjectOwnership;
  return {
    name: bucket,
    acl: grants.ok ? grants.grants : undefined,
    policy: policy?.Policy ?? null,
    publicAccessBlock: block?.PublicAccessBlockConfiguration
      ? flagsFromApi(block.PublicAccessBlockConfiguration)
      : null,
    objectOwnership: objectOwnershipOf(objectOwnership),
    problems,
  };
}

/** Turns on all four Block Public Access settings of the bucket: the remediation AWS recommends. */
async function blockBucketPublicAccess(s3: S3Client, bucket: string, expectedOwner: string): Promise<void> {
  try {
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        ExpectedBucketOwner: expectedOwner,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: ALL_BLOCKED.blockPublicAcls,
          IgnorePublicAcls: ALL_BLOCKED.ignorePublicAcls,
          BlockPublicPolicy: ALL_BLOCKED.blockPublicPolicy,
          RestrictPublicBuckets: ALL_BLOCKED.restrictPublicBuckets,
        },
      }),
    );
  } catch (error) {
    throw new Error(`S3 PutPublicAccessBlock on ${bucket} failed: ${errorText(error)}`, { cause: error });
  }
}

/** `ListBuckets` page size: the API's maximum (S3 API Reference, "ListBuckets": MaxBuckets 1-10000). */
export const LIST_BUCKETS_PAGE_SIZE = 1000;

/** Every bucket of the account, page by page (`MaxBuckets`, `ContinuationToken`). */
async function* listBuckets(s3: S3Client): AsyncGenerator<ListedBucket[]> {
  let token: string | undefined;
  do {
    let response: ListBucketsCommandOutput;
    try {
      response = await s3.send(
        new ListBucketsCommand({
          MaxBuckets: LIST_BUCKETS_PAGE_SIZE,
          ...(token !== undefined ? { ContinuationToken: token } : {}),
        }),
      );
    } catch (error) {
      throw new Error(`S3 ListBuckets failed: ${errorText(error)}`, { cause: error });
    }
    yield (response.Buckets ?? []).flatMap((bucket) =>
      bucket.Name ? [{ name: bucket.Name, region: bucket.BucketRegion }] : [],
    );
    token = response.ContinuationToken || undefined;
  } while (token !== undefined);
}

/** The `public-bucket-remediate` spec's port onto S3 and S3 Control in one account and Region. */
export function bucketPort(s3: S3Client, s3control: S3ControlClient): BucketPort {
  return {
    readBucket: (bucket, expectedOwner) => readBucketState(s3, bucket, expectedOwner),
    readAccountBlock: (accountId) => loadAccountPublicAccessBlock(s3control, accountId),
    listBuckets: () => listBuckets(s3),
    blockBucket: (bucket, expectedOwner) => blockBucketPublicAccess(s3, bucket, expectedOwner),
  };
}

/**
 * The bucket's versioning (S3 API Reference, "GetBucketVersioning": no `Status` when versioning was never
 * enabled; `MFADelete` only once it was configured). `expectedOwner` makes S3 refuse a bucket of another account.
 */
async function readVersioning(
  s3: S3Client,
  bucket: string,
  expectedOwner: string,
): Promise<BucketVersioning> {
  const response = await read(bucket, 'GetBucketVersioning', () =>
    s3.send(new GetBucketVersioningCommand({ Bucket: bucket, ExpectedBucketOwner: expectedOwner })),
  );
  const status = response?.Status;
  return {
    bucket,
    status: status === 'Enabled' || status === 'Suspended' ? status : 'Off',
    mfaDelete: response?.MFADelete === 'Enabled',
  };
}

/** Sends the plan: Status Enabled and nothing else (no MFADelete, so MFA delete stays as it is). */
async function enableVersioning(s3: S3Client, plan: VersioningPlan, expectedOwner: string): Promise<void> {
  const { Bucket, VersioningConfiguration } = plan.input;
  try {
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket,
        ExpectedBucketOwner: expectedOwner,
        VersioningConfiguration: { Status: VersioningConfiguration.Status },
      }),
    );
  } catch (error) {
    throw new Error(`S3 PutBucketVersioning on ${Bucket} failed: ${errorText(error)}`, { cause: error });
  }
}

/** The `s3-versioning-enable` spec's port onto S3 in one account and Region. */
export function versioningPort(s3: S3Client): VersioningPort {
  return {
    readVersioning: (bucket, expectedOwner) => readVersioning(s3, bucket, expectedOwner),
    enableVersioning: (plan, expectedOwner) => enableVersioning(s3, plan, expectedOwner),
  };
}
