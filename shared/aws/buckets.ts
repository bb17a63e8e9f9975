/**
 * S3 side of public buckets: reading a bucket's ACL, policy, Block Public Access and ownership controls,
 * turning on its Block Public Access, and the `public-bucket-remediate` responder built on them.
 */
import {
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  type ListBucketsCommandOutput,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import type { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import {
  actorOf,
  type CloudTrailEvent,
  eventAccount,
  functionRoleArnsFromEnv,
  isOwnCall,
  parseCloudTrailEvent,
  type SelfIdentity,
} from '../core/cloudtrail.ts';
import {
  type Environment,
  executionRoleNameFromEnv,
  rulePrefixFromEnv,
  topicArnFromEnv,
} from '../core/environment.ts';
import { InputError, type PublicAccessBlockFlags } from '../core/model.ts';
import type { Notice } from '../core/notification.ts';
import type { SuiteConfig } from '../core/suite-config.ts';
import { logger } from '../lambda/logger.ts';
import { bundledSuiteConfig } from '../lambda/suite.ts';
import { grantsFromApi } from '../rules/public-bucket/acl.ts';
import {
  analyseBucket,
  type BucketState,
  type Exposure,
  type ObjectOwnership,
} from '../rules/public-bucket/analyse.ts';
import { ALL_BLOCKED, flagsFromApi } from '../rules/public-bucket/block.ts';
import {
  type PublicBucketParams,
  parsePublicBucketParameters,
  parseResponderSettings,
  RESPONDER_NAME,
  type ResponderSettings,
} from '../rules/public-bucket/parameters.ts';
import {
  type AccountEvent,
  accountAllowsPublicBuckets,
  CANNOT_MAKE_PUBLIC,
  describeAccountRequest,
  isAccountEvent,
  isHandledEvent,
  parseBucketRequest,
  type RemediationNoticeInput,
  type RemediationOutcome,
  RULE_ID,
  remediationNotice,
  S3_EVENT_SOURCE,
} from '../rules/public-bucket/responder.ts';
import { countedExposures, isExcluded } from '../rules/public-bucket/verdict.ts';
import { loadAccountPublicAccessBlock } from './account-facts.ts';
import { assumedRoleCredentials, roleArn } from './assume-role.ts';
import { clientCache, clientSettings } from './clients.ts';
import { publishNotice } from './notify.ts';

/** The bucket is gone (deleted, or now owned by another account): nothing to read or fix. */
export class BucketGoneError extends Error {
  constructor(
    readonly bucket: string,
    reason: string,
  ) {
    super(`Bucket ${bucket} is gone: ${reason}`);
    this.name = 'BucketGoneError';
  }
}

const OWNERSHIPS: readonly ObjectOwnership[] = [
  'BucketOwnerEnforced',
  'BucketOwnerPreferred',
  'ObjectWriter',
];

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

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
    throw new Error(`S3 ${call} on ${bucket} failed: ${describeError(error)}`, { cause: error });
  }
}

/**
 * The bucket's current ACL, policy, Block Public Access and ownership controls, read in parallel.
 * `expectedOwner` makes S3 refuse (403) when the bucket now belongs to another account.
 */
export async function readBucketState(
  s3: S3Client,
  bucket: string,
  expectedOwner: string,
): Promise<BucketState> {
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
    objectOwnership: OWNERSHIPS.find((candidate) => candidate === objectOwnership),
    problems,
  };
}

/** Turns on all four Block Public Access settings of the bucket: the remediation AWS recommends. */
export async function blockBucketPublicAccess(
  s3: S3Client,
  bucket: string,
  expectedOwner: string,
): Promise<void> {
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
    throw new Error(`S3 PutPublicAccessBlock on ${bucket} failed: ${describeError(error)}`, { cause: error });
  }
}

/** `ListBuckets` page size: the API's maximum (S3 API Reference, "ListBuckets": MaxBuckets 1-10000). */
export const LIST_BUCKETS_PAGE_SIZE = 1000;

export interface ListedBucket {
  name: string;
  /** The bucket's region, when ListBuckets gives it. */
  region?: string | undefined;
}

/** Every bucket of the account, page by page (`MaxBuckets`, `ContinuationToken`). */
export async function* listBuckets(s3: S3Client): AsyncGenerator<ListedBucket[]> {
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
      throw new Error(`S3 ListBuckets failed: ${describeError(error)}`, { cause: error });
    }
    yield (response.Buckets ?? []).flatMap((bucket) =>
      bucket.Name ? [{ name: bucket.Name, region: bucket.BucketRegion }] : [],
    );
    token = response.ContinuationToken || undefined;
  } while (token !== undefined);
}

/** How many buckets an account-level event checks at once. */
const BUCKET_CONCURRENCY = 8;

export interface ResponderEnvironment {
  topicArn: string;
  self: SelfIdentity;
  /** Organisation mode: the role to assume in the event's account when it is not the function's own. */
  executionRoleName?: string | undefined;
  /** The deployment's Config rule name, `<PLUMBLINE_RULE_PREFIX>public-bucket`, for the notice's `rule`. */
  ruleName: string;
}

/** Reads and validates the responder's environment; an InputError names the variable and the problem. */
export function responderEnvironment(env: Environment = process.env): ResponderEnvironment {
  const executionRoleName = executionRoleNameFromEnv(env);
  return {
    topicArn: topicArnFromEnv(env),
    ruleName: `${rulePrefixFromEnv(env)}${RULE_ID}`,
    self: { roleArns: functionRoleArnsFromEnv(env), executionRoleName },
    executionRoleName,
  };
}

export interface ResponderConfiguration {
  params: PublicBucketParams;
  settings: ResponderSettings;
}

/** The rule's parameters (`rules["public-bucket"]`, so exclusions mean the same everywhere) and the responder's settings. */
export function responderConfiguration(suite: SuiteConfig): ResponderConfiguration {
  // `ExecutionRoleName` is the Config runtime's own parameter (config-runtime.ts), not the rule's.
  const { ExecutionRoleName: _runtimeOnly, ...raw } = suite.rules['public-bucket'] ?? {};
  return { params: parsePublicBucketParameters(raw), settings: parseResponderSettings(suite.settings) };
}

/** What became of one bucket. */
export type BucketResult =
  | { status: 'not-public' | 'excluded' | 'gone'; bucket: string }
  | {
      status: 'blocked' | 'reported' | 'undetermined' | 'redelivered' | 'failed';
      bucket: string;
      findings: string[];
      messageId?: string | undefined;
    };

export type ResponderResult =
  | { status: 'skipped'; reason: string; bucket?: string }
  | BucketResult
  | {
      /** An account-level Block Public Access change: every bucket of the account, checked again. */
      status: 'account-checked';
      account: string;
      /** Buckets listed, excluded ones included. */
      listed: number;
      /** The buckets that were not left as they were or could not be judged (blocked, reported, failed…). */
      buckets: BucketResult[];
    };

export interface BucketClients {
  s3: S3Client;
  s3control: S3ControlClient;
}

export interface PublicBucketResponderOptions {
  sns: SNSClient;
  sts?: STSClient;
  createClients?: (region: string, credentials?: AwsCredentialIdentityProvider) => BucketClients;
  environment?: () => ResponderEnvironment;
  suiteConfig?: () => SuiteConfig;
  now?: () => Date;
}

/** How many unsent notices a warm function keeps for retries (the oldest goes first). */
const MAX_UNSENT = 100;

type NoticeBase = Pick<
  RemediationNoticeInput,
  'rule' | 'bucket' | 'accountId' | 'region' | 'actor' | 'request'
>;

/** One bucket to judge and, in enforce mode, to block: `key` names its notice for a retry of the event. */
interface BucketJob {
  key: string;
  clients: BucketClients;
  notice: NoticeBase;
  eventName: string;
}

/**
 * The `public-bucket-remediate` responder: CloudTrail S3 event → current bucket state → analyser → (enforce)
 * bucket Block Public Access → SNS. Skips failed calls and its own; leaves excluded buckets untouched;
 * writes only when the bucket is public, so a bucket already blocked costs no write. An account-level Block
 * Public Access change checks every bucket of the account the same way, page by page. Failures notify
 * `failed` where possible, then throw so that EventBridge retries and the dead-letter queue keeps the event.
 */
export function createPublicBucketResponder(options: PublicBucketResponderOptions) {
  const readEnvironment = options.environment ?? (() => responderEnvironment(process.env));
  const readSuite = options.suiteConfig ?? bundledSuiteConfig;
  const now = options.now ?? (() => new Date());
  const createClients =
    options.createClients ??
    ((region, credentials): BucketClients => ({
      s3: new S3Client({ ...clientSettings(credentials), region, followRegionRedirects: true }),
      s3control: new S3ControlClient({ ...clientSettings(credentials), region }),
    }));
  let environment: ResponderEnvironment | undefined;
  let configuration: ResponderConfiguration | undefined;
  let sts = options.sts;
  const unsent = new Map<string, Notice>();

  const clientsFor = clientCache((key): BucketClients => {
    const [region = '', assumeArn] = key.split('|');
    if (assumeArn === undefined) return createClients(region);
    sts ??= new STSClient(clientSettings());
    return createClients(region, assumedRoleCredentials(sts, assumeArn, `plumbline-${RESPONDER_NAME}`));
  });

  function bucketClients(account: string, region: string, ownAccount: string | undefined): BucketClients {
    if (ownAccount === undefined || account === ownAccount) return clientsFor(region);
    const roleName = environment?.executionRoleName;
    if (roleName === undefined) {
      throw new Error(
        `Event from account ${account}, not this function's ${ownAccount}: set PLUMBLINE_EXECUTION_ROLE_NAME to act there`,
      );
    }
    return clientsFor(`${region}|${roleArn(account, roleName, region)}`);
  }

  /**
   * Publishes a notice. A failure is logged with the whole notice and rethrown; the notice of a change
   * already applied is also kept for EventBridge's retry of the event, which would otherwise find the
   * bucket blocked and have nothing to say.
   */
  async function send(key: string, notice: Notice): Promise<string | undefined> {
    const topicArn = (environment as ResponderEnvironment).topicArn;
    try {
      const messageId = await publishNotice(options.sns, topicArn, notice);
      unsent.delete(key);
      return messageId;
    } catch (error) {
      if (notice.outcome === 'applied') {
        if (unsent.size >= MAX_UNSENT) unsent.delete(unsent.keys().next().value as string);
        unsent.set(key, notice);
      }
      logger.error('notification not sent', { key, notice: JSON.stringify(notice), error: error as Error });
      throw error;
    }
  }

  /** Notifies `failed` (best effort: `send` logs a notice it cannot publish), then rethrows for the retry. */
  async function fail(
    job: Pick<BucketJob, 'key' | 'notice'>,
    outcome: RemediationOutcome,
    error: unknown,
    findings: readonly Exposure[] = [],
  ): Promise<never> {
    await send(job.key, remediationNotice({ ...job.notice, findings, outcome, when: now() })).catch(() => {});
    throw error;
  }

  /** Judges one bucket from its current state and, when public, blocks it (enforce) or reports it. */
  async function remediate(
    job: BucketJob,
    state: BucketState,
    accountBlock: PublicAccessBlockFlags | null,
  ): Promise<BucketResult> {
    const { params, settings } = configuration as ResponderConfiguration;
    const { bucket } = job.notice;
    const analysis = analyseBucket(state, accountBlock);
    const findings = countedExposures(analysis, params);
    const summary = findings.map((finding) => finding.cause);
    const { problems } = analysis;
    if (findings.length === 0 && problems.length > 0) {
      // Nothing proven public, but part of the state is unreadable: say so rather than stay silent.
      const outcome: RemediationOutcome = { kind: 'unreadable', error: problems.join('; ') };
      const notice = remediationNotice({ ...job.notice, findings, problems, outcome, when: now() });
      const messageId = await send(job.key, notice);
      return { status: 'undetermined', bucket, findings: problems, messageId };
    }
    if (findings.length === 0) {
      logger.info('bucket not public', {
        bucket,
        eventName: job.eventName,
        exposures: analysis.exposures.length,
      });
      return { status: 'not-public', bucket };
    }
    const before = state.publicAccessBlock;
    if (settings.mode === 'report') {
      const outcome: RemediationOutcome = { kind: 'planned', before };
      const notice = remediationNotice({ ...job.notice, findings, problems, outcome, when: now() });
      const messageId = await send(job.key, notice);
      logger.info('public bucket reported', { bucket, findings: summary, messageId });
      return { status: 'reported', bucket, findings: summary, messageId };
    }
    try {
      await blockBucketPublicAccess(job.clients.s3, bucket, job.notice.accountId);
    } catch (error) {
      return fail(job, { kind: 'failed', error: messageOf(error) }, error, findings);
    }
    const outcome: RemediationOutcome = { kind: 'applied', before };
    const notice = remediationNotice({ ...job.notice, findings, problems, outcome, when: now() });
    const messageId = await send(job.key, notice);
    logger.info('public bucket blocked', { bucket, findings: summary, messageId });
    return { status: 'blocked', bucket, findings: summary, messageId };
  }

  /** Reads the bucket afresh, then {@link remediate}; a bucket that is gone is no error. */
  async function checkBucket(
    job: BucketJob,
    accountBlock: PublicAccessBlockFlags | null,
  ): Promise<BucketResult> {
    const pending = unsent.get(job.key);
    if (pending !== undefined) {
      const messageId = await send(job.key, pending);
      return { status: 'redelivered', bucket: job.notice.bucket, findings: [], messageId };
    }
    let state: BucketState;
    try {
      state = await readBucketState(job.clients.s3, job.notice.bucket, job.notice.accountId);
    } catch (error) {
      if (error instanceof BucketGoneError) {
        logger.info('bucket gone', { bucket: job.notice.bucket, reason: error.message });
        return { status: 'gone', bucket: job.notice.bucket };
      }
      return fail(job, { kind: 'unreadable', error: messageOf(error) }, error);
    }
    return remediate(job, state, accountBlock);
  }

  /**
   * An account-level Block Public Access change: every bucket of the account, page by page, with the same
   * exclusions and the same judgement as for one bucket; one notice a public bucket. A bucket that fails
   * does not stop the others; the event is failed (and retried) at the end.
   */
  async function checkAccount(
    event: CloudTrailEvent,
    eventId: string,
    eventName: AccountEvent,
    ownAccount: string | undefined,
  ): Promise<ResponderResult> {
    const { detail } = event;
    const { params } = configuration as ResponderConfiguration;
    const request = describeAccountRequest(eventName, detail.requestParameters);
    const account = eventAccount(event);
    const region = detail.awsRegion;
    const clients = bucketClients(account, region, ownAccount);
    const accountBlock = await loadAccountPublicAccessBlock(clients.s3control, account);
    if (!accountAllowsPublicBuckets(accountBlock)) {
      return {
        status: 'skipped',
        reason: `account ${account} ignores public ACLs and restricts public policies: no bucket can be public`,
      };
    }
    const results: BucketResult[] = [];
    const errors: string[] = [];
    let listed = 0;
    for await (const page of listBuckets(clients.s3)) {
      listed += page.length;
      const jobs = page
        .filter((bucket) => {
          if (!isExcluded(bucket.name, params)) return true;
          results.push({ status: 'excluded', bucket: bucket.name });
          return false;
        })
        .map(
          (bucket): BucketJob => ({
            key: `${eventId}|${bucket.name}`,
            clients,
            eventName,
            notice: {
              rule: (environment as ResponderEnvironment).ruleName,
              bucket: bucket.name,
              accountId: account,
              region: bucket.region ?? region,
              actor: actorOf(detail),
              request,
            },
          }),
        );
      for (let start = 0; start < jobs.length; start += BUCKET_CONCURRENCY) {
        const batch = jobs.slice(start, start + BUCKET_CONCURRENCY);
        const settled = await Promise.allSettled(batch.map((job) => checkBucket(job, accountBlock)));
        settled.forEach((outcome, index) => {
          const bucket = (batch[index] as BucketJob).notice.bucket;
          if (outcome.status === 'fulfilled') results.push(outcome.value);
          else {
            errors.push(`${bucket}: ${messageOf(outcome.reason)}`);
            results.push({ status: 'failed', bucket, findings: [messageOf(outcome.reason)] });
          }
        });
      }
    }
    const acted = results.filter((result) => result.status !== 'not-public' && result.status !== 'gone');
    logger.info('account checked', {
      account,
      eventName,
      listed,
      acted: acted.map((result) => result.bucket),
    });
    if (errors.length > 0) {
      throw new Error(`${RESPONDER_NAME}: ${eventName} in account ${account}: ${errors.join('; ')}`);
    }
    return { status: 'account-checked', account, listed, buckets: acted };
  }

  return async (input: unknown, context?: { invokedFunctionArn?: string }): Promise<ResponderResult> => {
    // Read on the first invocation rather than at import, so a bundle loads without its environment.
    environment ??= readEnvironment();
    configuration ??= responderConfiguration(readSuite());
    const { params } = configuration;
    const event = parseCloudTrailEvent(input);
    const { detail } = event;
    const eventId = event.id ?? detail.eventID ?? `${detail.eventName}@${detail.eventTime}`;

    const pending = unsent.get(eventId);
    if (pending !== undefined) {
      const messageId = await send(eventId, pending);
      return { status: 'redelivered', bucket: pending.resource.id, findings: [], messageId };
    }
    const skip = skipReason(event, environment.self);
    if (skip !== undefined) {
      logger.info('event skipped', { eventId, eventName: detail.eventName, reason: skip });
      return { status: 'skipped', reason: skip };
    }
    const eventName = detail.eventName;
    if (!isHandledEvent(eventName)) return { status: 'skipped', reason: `${eventName} is not handled` };
    const ownAccount = accountOfFunction(context?.invokedFunctionArn);
    if (isAccountEvent(eventName)) return checkAccount(event, eventId, eventName, ownAccount);
    const request = parseBucketRequest(eventName, detail.requestParameters);
    const { bucket } = request;
    if (CANNOT_MAKE_PUBLIC.has(eventName)) {
      return { status: 'skipped', reason: `${eventName} cannot make a bucket public`, bucket };
    }
    if (isExcluded(bucket, params)) {
      logger.info('bucket excluded', { bucket, eventName });
      return { status: 'excluded', bucket };
    }

    const account = eventAccount(event);
    const region = detail.awsRegion;
    const target = {
      key: eventId,
      notice: {
        rule: environment.ruleName,
        bucket,
        accountId: account,
        region,
        actor: actorOf(detail),
        request: request.description,
      },
    };
    let clients: BucketClients;
    let state: BucketState;
    let accountBlock: PublicAccessBlockFlags | null;
    try {
      clients = bucketClients(account, region, ownAccount);
      [state, accountBlock] = await Promise.all([
        readBucketState(clients.s3, bucket, account),
        loadAccountPublicAccessBlock(clients.s3control, account),
      ]);
    } catch (error) {
      if (error instanceof BucketGoneError) {
        logger.info('bucket gone', { bucket, reason: error.message });
        return { status: 'gone', bucket };
      }
      return fail(target, { kind: 'unreadable', error: messageOf(error) }, error);
    }
    return remediate({ ...target, clients, eventName }, state, accountBlock);
  };
}

function skipReason(event: CloudTrailEvent, self: SelfIdentity): string | undefined {
  const { detail } = event;
  if (detail.eventSource !== S3_EVENT_SOURCE) {
    throw new InputError(
      `Invalid event: detail.eventSource is ${detail.eventSource}, expected ${S3_EVENT_SOURCE}`,
    );
  }
  if (detail.errorCode !== undefined) return `the call failed (${detail.errorCode}) and changed nothing`;
  if (isOwnCall(event, self)) return 'made by this responder';
  return undefined;
}

/** `arn:aws:lambda:us-east-1:123456789012:function:name` → `123456789012`. */
function accountOfFunction(functionArn: string | undefined): string | undefined {
  const account = functionArn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}
