import { AssumeRoleCommand, type AssumeRoleCommandOutput, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { partitionOfRegion } from '../core/cloudtrail.ts';

const REFRESH_MARGIN_MS = 5 * 60_000;

/** The ARN of a role named `roleName` in `accountId`, in the partition of `region`. */
export function roleArn(
  accountId: string,
  roleName: string,
  region = process.env.AWS_REGION ?? 'us-east-1',
): string {
  return `arn:${partitionOfRegion(region)}:iam::${accountId}:role/${roleName}`;
}

/**
 * Credentials from assuming `arn`, fetched on first use and refreshed five minutes before they expire.
 * A failure (an `AccessDenied` from STS, say) surfaces as an error naming the role.
 */
export function assumedRoleCredentials(
  sts: STSClient,
  arn: string,
  sessionName: string,
): AwsCredentialIdentityProvider {
  let cached: AwsCredentialIdentity | undefined;
  return async () => {
    if (cached?.expiration && cached.expiration.getTime() - Date.now() > REFRESH_MARGIN_MS) return cached;
    let response: AssumeRoleCommandOutput;
    try {
      response = await sts.send(
        new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: sessionName.slice(0, 64) }),
      );
    } catch (error) {
      throw new Error(`Cannot assume role ${arn}: ${(error as Error).name}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const credentials = response.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
      throw new Error(`Cannot assume role ${arn}: STS returned no credentials`);
    }
    cached = {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiration: credentials.Expiration,
    };
    return cached;
  };
}
