/**
 * `scan --live`: the account's current configuration read from AWS Config's own inventory, the same
 * read path as the periodic Config rules (`inventoryPages`), with the standard credential chain. Only
 * read calls: `SelectResourceConfig` (or `ListDiscoveredResources` + `BatchGetResourceConfig`) and, for
 * rules that need it, S3 Control `GetPublicAccessBlock`. Nothing is ever changed.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { STSClient } from '@aws-sdk/client-sts';
import { loadAccountPublicAccessBlock } from '../shared/aws/account-facts.ts';
import { clientSettings } from '../shared/aws/clients.ts';
import { type InventoryStrategy, inventoryPages } from '../shared/aws/config-inventory.ts';
import { recordedTypes } from '../shared/core/account-item.ts';
import { type AccountFacts, PlumblineError, type PublicAccessBlockFlags } from '../shared/core/model.ts';
import type { ItemReading } from '../shared/core/normalise.ts';
import { ACCOUNT_PUBLIC_ACCESS_BLOCK, LIVE_ONLY_FACTS, publicAccessBlockFromItem } from './facts.ts';
import { accountItems, callerAccount, loadIamFacts, needsIam } from './iam-facts.ts';
import { UsageError } from './io.ts';
import type { Progress } from './progress.ts';
import {
  accountsNeedingFacts,
  type FactsByAccount,
  neededFacts,
  type PreparedRule,
  type SourcedItem,
  type SourcedUnreadable,
} from './scan.ts';

export interface ClientOptions {
  region?: string | undefined;
  profile?: string | undefined;
}

export interface LiveClients {
  config(options: ClientOptions): ConfigServiceClient;
  s3Control(options: ClientOptions): S3ControlClient;
  /** IAM and STS, for the rules that need the credential report or the account summary (default: the SDK's). */
  iam?(options: ClientOptions): IAMClient;
  sts?(options: ClientOptions): STSClient;
}

/** SDK clients with the project's settings (adaptive retries); `profile` selects credentials and region. */
export const sdkClients: LiveClients = {
  config: (options) => new ConfigServiceClient({ ...clientSettings(), ...definedOnly(options) }),
  s3Control: (options) => new S3ControlClient({ ...clientSettings(), ...definedOnly(options) }),
  iam: sdkIam,
  sts: sdkSts,
};

function sdkIam(options: ClientOptions): IAMClient {
  return new IAMClient({ ...clientSettings(), ...definedOnly(options) });
}

function sdkSts(options: ClientOptions): STSClient {
  return new STSClient({ ...clientSettings(), ...definedOnly(options) });
}

function definedOnly(options: ClientOptions): ClientOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

export interface LiveScanOptions {
  regions: readonly string[];
  profile?: string | undefined;
  strategy: InventoryStrategy;
}

export interface LiveScanResult {
  regions: string[];
  items: SourcedItem[];
  /** Inventory items that could not be read (reported as error results, never dropped). */
  unreadable: SourcedUnreadable[];
  factsFor: FactsByAccount;
  notes: string[];
}

export async function scanLive(
  prepared: readonly PreparedRule[],
  options: LiveScanOptions,
  clients: LiveClients,
  progress: Progress,
): Promise<LiveScanResult> {
  const targets = await regionTargets(options, clients);
  // The profile the SDK uses: --profile, else AWS_PROFILE (named when it turns out not to exist).
  const profile = options.profile ?? process.env.AWS_PROFILE;
  // Every rule's types in one inventory read per region, as the periodic Config rules read them.
  const resourceTypes = recordedTypes([...new Set(prepared.flatMap(({ rule }) => rule.resourceTypes))]);
  const total = targets.length;
  const items: SourcedItem[] = [];
  const unreadable: SourcedUnreadable[] = [];
  let done = 0;
  try {
    for (const { region, config } of targets) {
      progress.update({ done, total, label: region, items: items.length });
      await readRegion(config, profile, region, resourceTypes, options.strategy, (page) => {
        for (const reading of page) {
          if (reading.item) items.push({ item: reading.item });
          else unreadable.push({ unreadable: reading.unreadable });
        }
        progress.update({ done, total, label: region, items: items.length });
      });
      done++;
    }
    progress.update({ done, total, label: 'account facts', items: items.length });
    const firstRegion = targets[0]?.region;
    const iam = needsIam(prepared)
      ? await readIamFacts(prepared, items, { ...options, region: firstRegion ?? 'us-east-1' }, clients)
      : undefined;
    const facts = await liveFacts(prepared, items, profile, () =>
      clients.s3Control({ region: firstRegion, profile: options.profile }),
    );
    const factsFor: FactsByAccount = (account) => ({
      ...facts.factsFor(account),
      ...(account === iam?.accountId ? iam.facts : {}),
    });
    return {
      regions: targets.map((target) => target.region),
      items,
      unreadable,
      factsFor,
      notes: [...facts.notes, ...(iam?.notes ?? [])],
    };
  } finally {
    progress.finish();
  }
}

/**
 * The IAM facts (credential report, account summary) of the account the credentials belong to, and its
 * `AWS::::Account` item for the rules that judge the account; items of other accounts get no IAM facts (their
 * IAM users are judged cannot-judge), with a note.
 */
async function readIamFacts(
  prepared: readonly PreparedRule[],
  items: SourcedItem[],
  options: LiveScanOptions & { region: string },
  clients: LiveClients,
): Promise<{ accountId: string; facts: AccountFacts; notes: string[] }> {
  const clientOptions = { region: options.region, profile: options.profile };
  let accountId: string;
  try {
    accountId = await callerAccount((clients.sts ?? sdkSts)(clientOptions));
  } catch (error) {
    throw new LiveScanError(`STS GetCallerIdentity: ${describeAwsError(error)}`);
  }
  items.push(...accountItems(prepared, accountId, options.region, new Date()));
  const needed = neededFacts(prepared);
  let facts: AccountFacts;
  try {
    facts = await loadIamFacts(
      (clients.iam ?? sdkClients.iam)?.(clientOptions) as IAMClient,
      accountId,
      needed,
    );
  } catch (error) {
    const actions = needed.flatMap((fact) => LIVE_ONLY_FACTS[fact]?.actions ?? []).join(' and ');
    const hint = isAccessDenied((error as Error).cause ?? error) ? ` (the IAM rules need ${actions})` : '';
    missingProfile((error as Error).cause ?? error, options.profile ?? process.env.AWS_PROFILE);
    throw new LiveScanError(`${(error as Error).message}${hint}`);
  }
  const others = [...new Set(items.map(({ item }) => item.accountId))].filter(
    (account) =>
      account !== accountId &&
      prepared.some(({ rule }) => (rule.accountFacts ?? []).some((fact) => fact in LIVE_ONLY_FACTS)),
  );
  const notes = others.map(
    (account) =>
      `account ${account}: IAM facts are read only for the account of the credentials (${accountId}); its IAM users cannot be judged here`,
  );
  return { accountId, facts, notes };
}

async function regionTargets(options: LiveScanOptions, clients: LiveClients) {
  const profile = options.profile ?? process.env.AWS_PROFILE;
  if (options.regions.length > 0) {
    return options.regions.map((region) => ({
      region,
      config: clients.config({ region, profile: options.profile }),
    }));
  }
  const config = clients.config({ profile: options.profile });
  const region = await clientRegion(
    config,
    profile,
    'no AWS region: pass --region REGION, or set AWS_REGION or a region in your AWS profile',
  );
  return [{ region, config }];
}

/** The region a client was built for (the profile's or AWS_REGION); `missing` is the usage error without one. */
export async function clientRegion(
  config: ConfigServiceClient,
  profile: string | undefined,
  missing: string,
): Promise<string> {
  let region: string;
  try {
    region = await config.config.region();
  } catch {
    region = '';
  }
  if (!region) {
    // A profile that does not exist has no region either: say which it is.
    if (profile && profileExists(profile) === false) throw new LiveScanError(profileNotFound(profile));
    throw new UsageError(missing, 'scan');
  }
  return region;
}

async function readRegion(
  config: ConfigServiceClient,
  profile: string | undefined,
  region: string,
  resourceTypes: readonly string[],
  strategy: InventoryStrategy,
  onPage: (page: ItemReading[]) => void,
): Promise<void> {
  if (resourceTypes.length === 0) return;
  try {
    for await (const page of inventoryPages(config, resourceTypes, strategy)) onPage(page);
  } catch (error) {
    const actions = INVENTORY_ACTIONS[strategy];
    const calls = actions.map((action) => action.replace('config:', '')).join(' + ');
    const hint = isAccessDenied(error) ? ` (the live scan needs ${actions.join(' and ')})` : '';
    missingProfile(error, profile);
    throw new LiveScanError(`AWS Config in ${region} (${calls}): ${describeAwsError(error)}${hint}`);
  }
}

/** The read-only actions each inventory strategy calls. */
const INVENTORY_ACTIONS: Record<InventoryStrategy, readonly string[]> = {
  select: ['config:SelectResourceConfig'],
  list: ['config:ListDiscoveredResources', 'config:BatchGetResourceConfig'],
};

export function isAccessDenied(error: unknown): boolean {
  return /AccessDenied|UnauthorizedOperation|not authorized/i.test(
    `${(error as Error).name} ${(error as Error).message}`,
  );
}

/** An AWS call that failed during a live scan; the message names the region, the call and the cause. */
export class LiveScanError extends PlumblineError {
  constructor(message: string) {
    super(message);
    this.name = 'LiveScanError';
  }
}

/** Socket errors that mean the endpoint was never reached (DNS, refused, reset, no route, timed out). */
const UNREACHABLE = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

interface NetworkError extends Error {
  code?: string;
  hostname?: string;
  address?: string;
}

export function describeAwsError(error: unknown): string {
  const { name, message, code, hostname, address } = error as NetworkError;
  if ((code !== undefined && UNREACHABLE.has(code)) || name === 'TimeoutError') {
    const host = hostname ?? address ?? /(?:ENOTFOUND|EAI_AGAIN) (\S+)/.exec(message ?? '')?.[1];
    return `cannot reach the AWS endpoint${host ? ` ${host}` : ''} (network or proxy?): ${code ?? message}`;
  }
  if (name === 'CredentialsProviderError' || /credentials/i.test(message ?? '')) {
    return `no usable AWS credentials (${message}); configure them (aws configure, AWS_PROFILE or --profile)`;
  }
  return name && name !== 'Error' ? `${name}: ${message}` : String(message ?? error);
}

/**
 * The account facts the rules need. The account-level Block Public Access comes from S3 Control, as the
 * Lambda runtime reads it; if that call is denied, from the inventory's `AWS::S3::AccountPublicAccessBlock`
 * item when Config records one (with a note), else the scan fails naming the missing permission.
 */
async function liveFacts(
  prepared: readonly PreparedRule[],
  items: readonly SourcedItem[],
  profile: string | undefined,
  s3Control: () => S3ControlClient,
): Promise<{ factsFor: FactsByAccount; notes: string[] }> {
  const needed = neededFacts(prepared);
  const accounts = accountsNeedingFacts(prepared, items);
  const facts = new Map<string, AccountFacts>();
  const notes: string[] = [];
  let client: S3ControlClient | undefined;
  for (const account of accounts) {
    const accountFacts: AccountFacts = {};
    if (needed.includes('publicAccessBlock')) {
      client ??= s3Control();
      const loaded = await publicAccessBlock(client, profile, account, items);
      accountFacts.publicAccessBlock = loaded.flags;
      if (loaded.note) notes.push(loaded.note);
    }
    facts.set(account, accountFacts);
  }
  return { factsFor: (account) => facts.get(account) ?? {}, notes };
}

async function publicAccessBlock(
  client: S3ControlClient,
  profile: string | undefined,
  accountId: string,
  items: readonly SourcedItem[],
): Promise<{ flags: PublicAccessBlockFlags | null; note?: string }> {
  try {
    return { flags: await loadAccountPublicAccessBlock(client, accountId) };
  } catch (error) {
    const recorded = items.find(
      ({ item }) => item.resourceType === ACCOUNT_PUBLIC_ACCESS_BLOCK && item.accountId === accountId,
    );
    missingProfile((error as Error).cause ?? error, profile);
    const cause = describeAwsError((error as Error).cause ?? error);
    if (recorded === undefined) {
      throw new LiveScanError(
        `S3 Control GetPublicAccessBlock for account ${accountId}: ${cause} (the public-bucket rule needs s3:GetAccountPublicAccessBlock)`,
      );
    }
    return {
      flags: publicAccessBlockFromItem(
        recorded.item,
        `${ACCOUNT_PUBLIC_ACCESS_BLOCK} ${recorded.item.resourceId}`,
      ),
      note: `account ${accountId}: GetPublicAccessBlock failed (${cause}); used AWS Config's recorded ${ACCOUNT_PUBLIC_ACCESS_BLOCK} instead`,
    };
  }
}

/**
 * The SDK reports a profile that does not exist as credentials it could not load ("Could not load credentials
 * from any providers") or a missing region: when the profile named is in neither shared file, say that.
 */
export function missingProfile(error: unknown, profile: string | undefined): void {
  const { name, message } = error as Error;
  const credentialsOrRegion =
    name === 'CredentialsProviderError' || /credentials|Region is missing|profile/i.test(message ?? '');
  if (profile && credentialsOrRegion && profileExists(profile) === false) {
    throw new LiveScanError(profileNotFound(profile));
  }
}

function profileNotFound(profile: string, env: NodeJS.ProcessEnv = process.env): string {
  const files = [
    env.AWS_CONFIG_FILE ?? '~/.aws/config',
    env.AWS_SHARED_CREDENTIALS_FILE ?? '~/.aws/credentials',
  ];
  return `AWS profile "${profile}" not found in ${files.join(' or ')}`;
}

/** The most a shared AWS file is read; a larger one is not looked into (the profile is then not judged). */
const SHARED_FILE_LIMIT = 1024 * 1024;

/**
 * Whether a profile is defined in the shared config or credentials file (where AWS_CONFIG_FILE and
 * AWS_SHARED_CREDENTIALS_FILE put them, as the SDK reads them); undefined when a file cannot be read. Only the
 * section names are read: `[profile NAME]` or `[NAME]` in the config file, `[NAME]` in the credentials file.
 */
export function profileExists(profile: string, env: NodeJS.ProcessEnv = process.env): boolean | undefined {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  const files = [
    { path: env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'), prefixed: true },
    { path: env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'), prefixed: false },
  ];
  for (const { path, prefixed } of files) {
    let text: string;
    try {
      if (statSync(path).size > SHARED_FILE_LIMIT) return undefined;
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      return undefined;
    }
    for (const line of text.split(/\r?\n/)) {
      const section = /^\s*\[\s*([^\]]*?)\s*\]/.exec(line)?.[1];
      if (section === undefined) continue;
      const name = prefixed ? section.replace(/^profile\s+/, '') : section;
      if (name === profile) return true;
    }
  }
  return false;
}
