/**
 * Account facts for rules that ask for them (`Rule.accountFacts`): the Config runtime calls a loader at most
 * once per invocation, for the account being evaluated.
 */
import { GetPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { PublicAccessBlockFlags } from '../core/model.ts';
import { flagsFromApi } from '../rules/public-bucket/block.ts';
import { clientSettings, errorText } from './clients.ts';

/**
 * The account-level Block Public Access of `accountId` (S3 Control `GetPublicAccessBlock`); null when the
 * account has none (`NoSuchPublicAccessBlockConfiguration`). Any other failure throws, naming the account,
 * so the invocation fails and is retried rather than judging buckets without the account's settings.
 */
export async function loadAccountPublicAccessBlock(
  s3control: S3ControlClient,
  accountId: string,
): Promise<PublicAccessBlockFlags | null> {
  try {
    const response = await s3control.send(new GetPublicAccessBlockCommand({ AccountId: accountId }));
    return flagsFromApi(response.PublicAccessBlockConfiguration ?? {});
  } catch (error) {
    if ((error as Error).name === 'NoSuchPublicAccessBlockConfiguration') return null;
    throw new Error(`S3 Control GetPublicAccessBlock for account ${accountId} failed: ${errorText(error)}`, {
      cause: error,
    });
  }
}

/** What the Config runtime passes a loader (its `AccountTarget`). */
export interface AccountFactTarget {
  accountId: string;
  region: string;
  /** Assumed-role credentials in a member account; undefined for the function's own role. */
  credentials?: AwsCredentialIdentityProvider | undefined;
}

/**
 * A `publicAccessBlock` loader for `createConfigRuleHandler(rule, { accountFacts: { publicAccessBlock } })`:
 * one S3 Control client per account and Region (kept while the function is warm), built with the target's
 * credentials so that organisation mode reads the member account.
 */
export function accountPublicAccessBlockLoader(
  createClient: (region: string, credentials?: AwsCredentialIdentityProvider) => S3ControlClient = (
    region,
    credentials,
  ) => new S3ControlClient({ ...clientSettings(credentials), region }),
): (target: AccountFactTarget) => Promise<PublicAccessBlockFlags | null> {
  const clients = new Map<string, S3ControlClient>();
  return (target) => {
    const key = `${target.accountId}|${target.region}`;
    let client = clients.get(key);
    if (client === undefined) {
      client = createClient(target.region, target.credentials);
      clients.set(key, client);
    }
    return loadAccountPublicAccessBlock(client, target.accountId);
  };
}

/**
 * The loader of each account fact, named `<fact>Loader`: the build wires into a rule's Config-rule function
 * the loaders of the facts its rule declares (`Rule.accountFacts`), and only those.
 */
export const publicAccessBlockLoader = accountPublicAccessBlockLoader;
