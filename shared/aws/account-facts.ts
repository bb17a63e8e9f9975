/**
 * Account facts for rules that ask for them (`Rule.accountFacts`): the Config runtime calls a loader at most
 * once per invocation, for the account being evaluated.
 */
import {
  GenerateCredentialReportCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  type GetCredentialReportCommandOutput,
  IAMClient,
} from '@aws-sdk/client-iam';
import { GetPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { parseCredentialReport } from '../core/credential-report.ts';
import type { AccountSummary, CredentialReport, PublicAccessBlockFlags } from '../core/model.ts';
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

/** How often GenerateCredentialReport is asked before giving up, and how long to wait between asks. */
export interface CredentialReportPolling {
  maxAttempts?: number;
  delayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_POLLING = { maxAttempts: 10, delayMs: 2_000 };

function failure(call: string, accountId: string, error: unknown): Error {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new Error(`IAM ${call} for account ${accountId} failed: ${reason}`, { cause: error });
}

/** IAM keeps a credential report four hours; GetCredentialReport refuses an older one (CredentialReportExpiredException). */
export const REPORT_MAX_AGE_MS = 4 * 60 * 60 * 1000;

const REGENERATE = new Set(['CredentialReportNotPresentException', 'CredentialReportExpiredException']);

/**
 * The account's IAM credential report. GetCredentialReport first: a report IAM generated less than four hours
 * ago is the one GenerateCredentialReport would hand back anyway (IAM User Guide, "Getting credential
 * reports"), so one call is enough. When there is none, or it is older, GenerateCredentialReport until its
 * state is COMPLETE (at most `maxAttempts` times), then GetCredentialReport again. The CSV (the SDK has decoded
 * the base64 `Content`) is parsed. Any failure throws, naming the account, so no IAM user is judged without it.
 */
export async function loadCredentialReport(
  iam: IAMClient,
  accountId: string,
  polling: CredentialReportPolling = {},
  now: () => Date = () => new Date(),
): Promise<CredentialReport> {
  const current = await getCredentialReport(iam, accountId, true);
  const fresh =
    current?.GeneratedTime !== undefined &&
    now().getTime() - current.GeneratedTime.getTime() < REPORT_MAX_AGE_MS;
  if (current !== undefined && fresh) return readReport(current, accountId);
  await generateCredentialReport(iam, accountId, polling);
  return readReport(
    (await getCredentialReport(iam, accountId, false)) as GetCredentialReportCommandOutput,
    accountId,
  );
}

/** GetCredentialReport; undefined when there is no report to read yet and `tolerateMissing`. */
async function getCredentialReport(
  iam: IAMClient,
  accountId: string,
  tolerateMissing: boolean,
): Promise<GetCredentialReportCommandOutput | undefined> {
  try {
    return await iam.send(new GetCredentialReportCommand({}));
  } catch (error) {
    if (tolerateMissing && REGENERATE.has((error as Error).name)) return undefined;
    throw failure('GetCredentialReport', accountId, error);
  }
}

async function generateCredentialReport(
  iam: IAMClient,
  accountId: string,
  polling: CredentialReportPolling,
): Promise<void> {
  const maxAttempts = polling.maxAttempts ?? DEFAULT_POLLING.maxAttempts;
  const sleep = polling.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    let state: string | undefined;
    try {
      state = (await iam.send(new GenerateCredentialReportCommand({}))).State;
    } catch (error) {
      throw failure('GenerateCredentialReport', accountId, error);
    }
    if (state === 'COMPLETE') return;
    if (attempt >= maxAttempts) {
      throw new Error(
        `IAM credential report for account ${accountId} not ready after ${maxAttempts} GenerateCredentialReport calls (state ${state ?? 'none'})`,
      );
    }
    await sleep(polling.delayMs ?? DEFAULT_POLLING.delayMs);
  }
}

function readReport(response: GetCredentialReportCommandOutput, accountId: string): CredentialReport {
  if (response?.ReportFormat !== undefined && response.ReportFormat !== 'text/csv') {
    throw new Error(
      `IAM credential report for account ${accountId} is ${response.ReportFormat}, not text/csv`,
    );
  }
  if (response?.Content === undefined) {
    throw new Error(`IAM GetCredentialReport for account ${accountId} returned no content`);
  }
  const csv = new TextDecoder('utf-8', { fatal: true }).decode(response.Content);
  const generatedAt = (response.GeneratedTime ?? new Date(0)).toISOString();
  try {
    return parseCredentialReport(csv, generatedAt);
  } catch (error) {
    throw new Error(`IAM credential report for account ${accountId}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** `GetAccountSummary`'s `AccountMFAEnabled` (1 when the root user has an MFA device). */
export async function loadAccountSummary(iam: IAMClient, accountId: string): Promise<AccountSummary> {
  let summary: Record<string, number> | undefined;
  try {
    summary = (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap;
  } catch (error) {
    throw failure('GetAccountSummary', accountId, error);
  }
  const enabled = summary?.AccountMFAEnabled;
  if (enabled !== 0 && enabled !== 1) {
    throw new Error(
      `IAM GetAccountSummary for account ${accountId}: SummaryMap.AccountMFAEnabled is ${JSON.stringify(enabled)}, expected 0 or 1`,
    );
  }
  return { accountMfaEnabled: enabled === 1 };
}

/**
 * The `credentialReport` and `accountSummary` loaders for `createConfigRuleHandler`: one IAM client per
 * account (IAM is global), built with the target's credentials so that organisation mode reads the member.
 */
export function iamFactLoaders(
  createClient: (region: string, credentials?: AwsCredentialIdentityProvider) => IAMClient = (
    region,
    credentials,
  ) => new IAMClient({ ...clientSettings(credentials), region }),
  polling: CredentialReportPolling = {},
): {
  credentialReport: (target: AccountFactTarget) => Promise<CredentialReport>;
  accountSummary: (target: AccountFactTarget) => Promise<AccountSummary>;
} {
  const clients = new Map<string, IAMClient>();
  const client = (target: AccountFactTarget) => {
    let iam = clients.get(target.accountId);
    if (iam === undefined) {
      iam = createClient(target.region, target.credentials);
      clients.set(target.accountId, iam);
    }
    return iam;
  };
  return {
    credentialReport: (target) => loadCredentialReport(client(target), target.accountId, polling),
    accountSummary: (target) => loadAccountSummary(client(target), target.accountId),
  };
}

/**
 * The loader of each account fact, named `<fact>Loader`: the build wires into a rule's Config-rule function
 * the loaders of the facts its rule declares (`Rule.accountFacts`), and only those.
 */
export const publicAccessBlockLoader = accountPublicAccessBlockLoader;

/** The `credentialReport` loader (see {@link iamFactLoaders}). */
export function credentialReportLoader(
  ...args: Parameters<typeof iamFactLoaders>
): (target: AccountFactTarget) => Promise<CredentialReport> {
  return iamFactLoaders(...args).credentialReport;
}

/** The `accountSummary` loader (see {@link iamFactLoaders}). */
export function accountSummaryLoader(
  ...args: Parameters<typeof iamFactLoaders>
): (target: AccountFactTarget) => Promise<AccountSummary> {
  return iamFactLoaders(...args).accountSummary;
}
