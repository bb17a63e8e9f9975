/**
 * Acting in another account: the execution role's ARN, its credentials (assumed through STS, refreshed before
 * they expire) and one cache of clients per Region and account. `@aws-sdk/credential-providers`
 * (`fromTemporaryCredentials`) is not a dependency of this project, so the one implementation is here.
 */
import { AssumeRoleCommand, type AssumeRoleCommandOutput, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { partitionOfRegion } from '../core/cloudtrail.ts';
import { CrossAccountError } from '../core/responder.ts';
import { clientCache, clientSettings, errorText } from './clients.ts';

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
      throw new Error(`Cannot assume role ${arn}: ${errorText(error)}`, { cause: error });
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

/** `arn:aws:lambda:us-east-1:123456789012:function:name` → `123456789012`. */
export function accountOfFunction(functionArn: string | undefined): string | undefined {
  const account = functionArn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/** Clients (or a port) with the credentials they were built with; undefined for the function's own role. */
export interface AccountClients<Clients> {
  clients: Clients;
  credentials?: AwsCredentialIdentityProvider | undefined;
}

/**
 * One cache of clients per Region and account for a warm function: the function's own role in its own
 * account, the member execution role (`<roleName>` in the event's account, assumed through STS and refreshed
 * before it expires) elsewhere. Without a role name, another account is a {@link CrossAccountError}.
 */
export function accountClients<Clients>(
  create: (region: string, credentials?: AwsCredentialIdentityProvider) => Clients,
  sessionName: string,
  sts?: STSClient,
): (
  accountId: string,
  region: string,
  ownAccount: string | undefined,
  roleName: string | undefined,
) => AccountClients<Clients> {
  let stsClient = sts;
  const cached = clientCache((key): AccountClients<Clients> => {
    const [region = '', assumeArn] = key.split('|');
    if (!assumeArn) return { clients: create(region) };
    stsClient ??= new STSClient(clientSettings());
    const credentials = assumedRoleCredentials(stsClient, assumeArn, sessionName);
    return { clients: create(region, credentials), credentials };
  });
  return (accountId, region, ownAccount, roleName) => {
    if (ownAccount === undefined || accountId === ownAccount) return cached(region);
    if (roleName === undefined) throw new CrossAccountError(accountId, ownAccount);
    return cached(`${region}|${roleArn(accountId, roleName, region)}`);
  };
}
