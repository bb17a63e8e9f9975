/**
 * Each responder spec bound to its port: the handler factories the functions (and tests) call. A new
 * responder is its spec in `shared/rules/<rule>/responder.ts`, its port in the service's adapter, and a
 * factory here.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { publicBucketResponder } from '../rules/public-bucket/responder.ts';
import { snapshotPrivateResponder } from '../rules/rds-snapshot-not-public/responder.ts';
import { versioningEnableResponder } from '../rules/s3-versioning/responder.ts';
import { driftRevertResponder } from '../rules/security-group/responder.ts';
import { clientSettings } from './clients.ts';
import { securityGroupPort } from './ec2.ts';
import { snapshotPort } from './rds.ts';
import { createResponder, type ResponderOptions } from './responder-runtime.ts';
import { bucketPort, versioningPort } from './s3.ts';

type CommonOptions = Omit<ResponderOptions<unknown>, 'port'>;

export interface DriftRevertOptions extends CommonOptions {
  /** The EC2 client for the function's own account and Region (built at import, for the cold start). */
  ec2?: EC2Client;
  /** Builds an EC2 client for another Region or account; `credentials` undefined means the function's role. */
  createEc2Client?: (region: string, credentials?: AwsCredentialIdentityProvider) => EC2Client;
  region?: string;
}

/** The `sg-drift-revert` function. */
export function createDriftRevert(options: DriftRevertOptions = {}) {
  const ownRegion = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const createEc2 =
    options.createEc2Client ??
    ((region: string, credentials?: AwsCredentialIdentityProvider) =>
      new EC2Client({ ...clientSettings(credentials), region }));
  return createResponder(driftRevertResponder, {
    ...options,
    port: (region, credentials) =>
      securityGroupPort(
        credentials === undefined && region === ownRegion && options.ec2
          ? options.ec2
          : createEc2(region, credentials),
      ),
  });
}

export interface BucketClients {
  s3: S3Client;
  s3control: S3ControlClient;
}

export interface PublicBucketResponderOptions extends CommonOptions {
  createClients?: (region: string, credentials?: AwsCredentialIdentityProvider) => BucketClients;
}

/** The `public-bucket-remediate` function. */
export function createPublicBucketResponder(options: PublicBucketResponderOptions = {}) {
  const createClients =
    options.createClients ??
    ((region, credentials): BucketClients => ({
      s3: new S3Client({ ...clientSettings(credentials), region, followRegionRedirects: true }),
      s3control: new S3ControlClient({ ...clientSettings(credentials), region }),
    }));
  return createResponder(publicBucketResponder, {
    ...options,
    port: (region, credentials) => {
      const clients = createClients(region, credentials);
      return bucketPort(clients.s3, clients.s3control);
    },
  });
}

export interface SnapshotPrivateOptions extends CommonOptions {
  /** Builds an RDS client for the call's Region; `credentials` undefined means the function's role. */
  createRdsClient?: (region: string, credentials?: AwsCredentialIdentityProvider) => RDSClient;
}

/** The `rds-snapshot-private` function. */
export function createSnapshotPrivateResponder(options: SnapshotPrivateOptions = {}) {
  const createRds =
    options.createRdsClient ??
    ((region: string, credentials?: AwsCredentialIdentityProvider) =>
      new RDSClient({ ...clientSettings(credentials), region }));
  return createResponder(snapshotPrivateResponder, {
    ...options,
    port: (region, credentials) => snapshotPort(createRds(region, credentials)),
  });
}

export interface VersioningEnableOptions extends CommonOptions {
  /** Builds an S3 client for the call's Region; `credentials` undefined means the function's role. */
  createS3Client?: (region: string, credentials?: AwsCredentialIdentityProvider) => S3Client;
}

/** The `s3-versioning-enable` function. */
export function createVersioningEnableResponder(options: VersioningEnableOptions = {}) {
  const createS3 =
    options.createS3Client ??
    ((region: string, credentials?: AwsCredentialIdentityProvider) =>
      new S3Client({ ...clientSettings(credentials), region, followRegionRedirects: true }));
  return createResponder(versioningEnableResponder, {
    ...options,
    port: (region, credentials) => versioningPort(createS3(region, credentials)),
  });
}
