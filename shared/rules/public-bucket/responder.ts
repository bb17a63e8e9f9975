/**
 * The pure half of the `public-bucket-remediate` responder: which CloudTrail events it handles, what each
 * request did (for the notification), and the notice it sends.
 *
 * Request shapes (CloudTrail records of S3 management events; Amazon S3 User Guide, "CloudTrail log file
 * entries for Amazon S3" and "Amazon S3 CloudTrail events"): `requestParameters.bucketName` always;
 * `PutBucketAcl` the ACL as `AccessControlPolicy.AccessControlList.Grant` or a canned ACL as `x-amz-acl: ["…"]`;
 * `PutBucketPolicy` the policy as the object `bucketPolicy`; `PutBucketPublicAccessBlock` the flags as
 * `PublicAccessBlockConfiguration`; `CreateBucket` an optional `x-amz-acl`; `PutBucketOwnershipControls` the
 * body as `OwnershipControls.Rule.ObjectOwnership` (read only for the notice: the bucket is read afresh).
 *
 * Account level: S3 Control's PutPublicAccessBlock and DeletePublicAccessBlock are recorded with
 * `eventSource` `s3.amazonaws.com` and the names `PutAccountPublicAccessBlock` and
 * `DeleteAccountPublicAccessBlock` (S3 User Guide, "Amazon S3 CloudTrail events" → "Amazon S3 account-level
 * actions tracked by CloudTrail logging", https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html);
 * their request carries no bucket, only `PublicAccessBlockConfiguration` (Put): the account is the event's.
 */
import * as z from 'zod';
import { buildAnnotation } from '../../core/annotation.ts';
import type { Actor } from '../../core/cloudtrail.ts';
import { describeZodError, InputError, type PublicAccessBlockFlags } from '../../core/model.ts';
import type { Notice } from '../../core/notification.ts';
import { messageOf, type ResponderCall, type ResponderSpec, redeliverPending } from '../../core/responder.ts';
import type { SuiteConfig } from '../../core/suite-config.ts';
import { grantsFromCloudTrail, PUBLIC_CANNED_ACLS, publicGrants } from './acl.ts';
import { analyseBucket, type BucketState, type Exposure } from './analyse.ts';
import { BLOCK_SETTINGS, describeFlags, flagsFromApi, isOn } from './block.ts';
import {
  type PublicBucketParams,
  parsePublicBucketParameters,
  parseResponderSettings,
  RESPONDER_MODES,
  RESPONDER_NAME,
  type ResponderSettings,
} from './parameters.ts';
import { countedExposures, isExcluded } from './verdict.ts';

/** The Config rule whose findings the responder acts on (after the deployment's rule prefix), for the notice's `rule` attribute. */
export const RULE_ID = 'public-bucket';
export const S3_EVENT_SOURCE = 's3.amazonaws.com';
export const BUCKET_EVENTS = [
  'PutBucketAcl',
  'PutBucketPolicy',
  'DeleteBucketPolicy',
  'PutBucketPublicAccessBlock',
  'DeleteBucketPublicAccessBlock',
  'CreateBucket',
  // ACLs back in force (ObjectWriter, BucketOwnerPreferred, or no controls at all): a public ACL counts again.
  'PutBucketOwnershipControls',
  'DeleteBucketOwnershipControls',
] as const;
/** Account-level Block Public Access changes: every bucket of the account is checked again. */
export const ACCOUNT_EVENTS = ['PutAccountPublicAccessBlock', 'DeleteAccountPublicAccessBlock'] as const;
export const HANDLED_EVENTS = [...BUCKET_EVENTS, ...ACCOUNT_EVENTS] as const;
export type BucketEvent = (typeof BUCKET_EVENTS)[number];
export type AccountEvent = (typeof ACCOUNT_EVENTS)[number];
export type HandledEvent = (typeof HANDLED_EVENTS)[number];

export function isHandledEvent(eventName: string): eventName is HandledEvent {
  return (HANDLED_EVENTS as readonly string[]).includes(eventName);
}

export function isAccountEvent(eventName: HandledEvent): eventName is AccountEvent {
  return (ACCOUNT_EVENTS as readonly string[]).includes(eventName);
}

/**
 * Whether any bucket can be public under this account-level Block Public Access: not when the account
 * ignores public ACLs and restricts public policies (the two settings that neutralise what exists).
 */
export function accountAllowsPublicBuckets(accountBlock: PublicAccessBlockFlags | null): boolean {
  return !(isOn(accountBlock, 'IgnorePublicAcls') && isOn(accountBlock, 'RestrictPublicBuckets'));
}

/** Events that can only take public access away: nothing to check. */
export const CANNOT_MAKE_PUBLIC: ReadonlySet<HandledEvent> = new Set(['DeleteBucketPolicy']);

const blockFlagsSchema = z
  .looseObject({
    BlockPublicAcls: z.boolean().optional(),
    IgnorePublicAcls: z.boolean().optional(),
    BlockPublicPolicy: z.boolean().optional(),
    RestrictPublicBuckets: z.boolean().optional(),
  })
  .optional();

const ownershipRule = z.looseObject({ ObjectOwnership: z.string().optional() });

const headerList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : [value]))
  .optional();

const requestSchema = z.looseObject({
  bucketName: z.string().min(1).max(255),
  'x-amz-acl': headerList,
  AccessControlPolicy: z.unknown().optional(),
  PublicAccessBlockConfiguration: blockFlagsSchema,
  bucketPolicy: z.unknown().optional(),
  OwnershipControls: z
    .looseObject({ Rule: z.union([ownershipRule, z.array(ownershipRule)]).optional() })
    .optional(),
});

const accountRequestSchema = z
  .looseObject({ PublicAccessBlockConfiguration: blockFlagsSchema })
  .nullish()
  .transform((value) => value ?? {});

export interface BucketRequest {
  bucket: string;
  /** What the request did, in words: `PutBucketAcl: canned ACL public-read`. */
  description: string;
}

/** Reads the request of a bucket event; an InputError names the field when its shape is wrong. */
export function parseBucketRequest(eventName: BucketEvent, requestParameters: unknown): BucketRequest {
  const parsed = requestSchema.safeParse(requestParameters);
  if (!parsed.success) {
    throw new InputError(
      `Invalid ${eventName} event: ${describeZodError(parsed.error, 'detail.requestParameters', requestParameters)}`,
    );
  }
  const request = parsed.data;
  return { bucket: request.bucketName, description: `${eventName}${detailOf(eventName, request)}` };
}

/** What an account-level call did, in words: `PutAccountPublicAccessBlock: account RestrictPublicBuckets off`. */
export function describeAccountRequest(eventName: AccountEvent, requestParameters: unknown): string {
  const parsed = accountRequestSchema.safeParse(requestParameters);
  if (!parsed.success) {
    throw new InputError(
      `Invalid ${eventName} event: ${describeZodError(parsed.error, 'detail.requestParameters', requestParameters)}`,
    );
  }
  if (eventName === 'DeleteAccountPublicAccessBlock')
    return `${eventName}: account Block Public Access removed`;
  return `${eventName}: account ${settingsOff(parsed.data.PublicAccessBlockConfiguration)}`;
}

function settingsOff(configuration: z.infer<typeof blockFlagsSchema>): string {
  const flags = flagsFromApi(configuration ?? {});
  const off = BLOCK_SETTINGS.filter((setting) => !isOn(flags, setting));
  return off.length > 0 ? `${off.join(', ')} off` : 'all four settings on';
}

function objectOwnershipOf(request: z.infer<typeof requestSchema>): string | undefined {
  const rule = request.OwnershipControls?.Rule;
  return (Array.isArray(rule) ? rule[0] : rule)?.ObjectOwnership;
}

function detailOf(eventName: BucketEvent, request: z.infer<typeof requestSchema>): string {
  const canned = request['x-amz-acl']?.[0];
  switch (eventName) {
    case 'PutBucketAcl': {
      if (canned !== undefined) return `: canned ACL ${canned}`;
      const grants = grantsFromCloudTrail(request.AccessControlPolicy);
      const granted = grants.ok
        ? publicGrants(grants.grants).map((grant) => grant.message.replace(/^ACL /, ''))
        : [];
      return granted.length > 0 ? `: ${granted.join('; ')}` : ': new bucket ACL';
    }
    case 'CreateBucket':
      return canned !== undefined && canned in PUBLIC_CANNED_ACLS ? `: canned ACL ${canned}` : '';
    case 'PutBucketPolicy':
      return ': new bucket policy';
    case 'PutBucketPublicAccessBlock':
      return `: ${settingsOff(request.PublicAccessBlockConfiguration)}`;
    case 'PutBucketOwnershipControls': {
      const ownership = objectOwnershipOf(request);
      if (ownership === undefined) return ': new Object Ownership';
      return `: Object Ownership ${ownership} (${ownership === 'BucketOwnerEnforced' ? 'ACLs disabled' : 'ACLs in force'})`;
    }
    case 'DeleteBucketOwnershipControls':
      return ': Object Ownership controls removed (ACLs in force)';
    case 'DeleteBucketPublicAccessBlock':
      return ': bucket Block Public Access removed';
    case 'DeleteBucketPolicy':
      return ': bucket policy removed';
  }
}

export type RemediationOutcome =
  | { kind: 'applied'; before: PublicAccessBlockFlags | null }
  | { kind: 'planned'; before: PublicAccessBlockFlags | null }
  | { kind: 'failed'; error: string }
  | { kind: 'unreadable'; error: string };

export interface RemediationNoticeInput {
  /** The deployment's name of the Config rule, `<PLUMBLINE_RULE_PREFIX>public-bucket`. */
  rule: string;
  bucket: string;
  accountId: string;
  region: string;
  actor: Actor;
  request: string;
  findings: readonly Exposure[];
  problems?: readonly string[];
  outcome: RemediationOutcome;
  when: Date;
}

const ALL_FOUR = BLOCK_SETTINGS.join(', ');

function changeLine(outcome: RemediationOutcome): string {
  switch (outcome.kind) {
    case 'applied':
      return `turned on bucket Block Public Access: ${ALL_FOUR} (before: ${describeFlags(outcome.before)})`;
    case 'planned':
      return `would turn on bucket Block Public Access: ${ALL_FOUR} (now: ${describeFlags(outcome.before)}); set responders.${RESPONDER_NAME}.mode to enforce to do it`;
    case 'failed':
      return `turning on bucket Block Public Access failed: ${outcome.error}`;
    case 'unreadable':
      return `reading the bucket failed: ${outcome.error}`;
  }
}

const HEADLINES: Record<RemediationOutcome['kind'], string> = {
  applied: 'was public: Block Public Access turned on',
  planned: 'is public (report mode: left as it is)',
  failed: 'is public: blocking it failed',
  unreadable: 'could not be checked',
};

const OUTCOMES: Record<RemediationOutcome['kind'], Notice['outcome']> = {
  applied: 'applied',
  planned: 'planned',
  failed: 'failed',
  unreadable: 'failed',
};

/** The one message for every outcome: the bucket, who changed it and how, what makes it public, what was done. */
export function remediationNotice(input: RemediationNoticeInput): Notice {
  const reasons = [
    ...(input.problems ?? []).map((problem) => ({
      code: 'unreadable-state',
      message: `cannot tell whether public: ${problem}`,
    })),
    ...input.findings.map((finding) => ({ code: finding.code, message: finding.cause })),
  ];
  const { kind } = input.outcome;
  return {
    kind: 'remediation',
    headline: HEADLINES[kind],
    source: RESPONDER_NAME,
    rule: input.rule,
    resource: { type: 'AWS::S3::Bucket', id: input.bucket, accountId: input.accountId, region: input.region },
    compliance: kind === 'applied' ? 'COMPLIANT' : kind === 'unreadable' ? undefined : 'NON_COMPLIANT',
    previousCompliance: kind === 'applied' ? 'NON_COMPLIANT' : undefined,
    annotation: reasons.length > 0 ? buildAnnotation('NON_COMPLIANT', reasons) : undefined,
    actor: input.actor,
    changes: [`request: ${input.request}`, changeLine(input.outcome)],
    outcome: OUTCOMES[kind],
    when: input.when.toISOString(),
  };
}

// ---- The spec ----

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

export interface ListedBucket {
  name: string;
  /** The bucket's region, when ListBuckets gives it. */
  region?: string | undefined;
}

/** What the responder reads and writes in S3, in the call's account and Region (`shared/aws/s3.ts`). */
export interface BucketPort {
  /** The bucket's ACL, policy, Block Public Access and ownership; a {@link BucketGoneError} when it is gone. */
  readBucket(bucket: string, expectedOwner: string): Promise<BucketState>;
  /** The account-level Block Public Access; null when the account has none. */
  readAccountBlock(accountId: string): Promise<PublicAccessBlockFlags | null>;
  /** Every bucket of the account, a page at a time. */
  listBuckets(): AsyncIterable<ListedBucket[]>;
  /** Turns on all four Block Public Access settings of the bucket. */
  blockBucket(bucket: string, expectedOwner: string): Promise<void>;
}

export interface PublicBucketConfiguration {
  /** The rule's parameters (`rules["public-bucket"]`), so that exclusions mean the same everywhere. */
  params: PublicBucketParams;
  settings: ResponderSettings;
}

/** The rule's parameters and the responder's settings. */
export function publicBucketConfiguration(suite: SuiteConfig): PublicBucketConfiguration {
  // `ExecutionRoleName` is the Config runtime's own parameter (config-runtime.ts), not the rule's.
  const { ExecutionRoleName: _runtimeOnly, ...raw } = suite.rules[RULE_ID] ?? {};
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

export type PublicBucketResult =
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

/** How many buckets an account-level event checks at once. */
const BUCKET_CONCURRENCY = 8;

type PublicBucketCall = ResponderCall<PublicBucketConfiguration, BucketPort>;

type NoticeBase = Pick<
  RemediationNoticeInput,
  'rule' | 'bucket' | 'accountId' | 'region' | 'actor' | 'request'
>;

/** One bucket to judge and, in enforce mode, to block: `key` names its notice for a retry of the event. */
interface BucketJob {
  key: string;
  notice: NoticeBase;
}

/** Notifies (best effort: the runtime logs a notice it cannot publish), then rethrows for the retry. */
async function fail(
  call: PublicBucketCall,
  job: BucketJob,
  outcome: RemediationOutcome,
  error: unknown,
  findings: readonly Exposure[] = [],
): Promise<never> {
  const notice = remediationNotice({ ...job.notice, findings, outcome, when: call.now() });
  await call.publish(job.key, notice).catch(() => {});
  throw error;
}

/** Judges one bucket from its current state and, when public, blocks it (enforce) or reports it. */
async function remediate(
  call: PublicBucketCall,
  port: BucketPort,
  job: BucketJob,
  state: BucketState,
  accountBlock: PublicAccessBlockFlags | null,
): Promise<BucketResult> {
  const { params, settings } = call.settings;
  const { bucket } = job.notice;
  const analysis = analyseBucket(state, accountBlock);
  const findings = countedExposures(analysis, params);
  const summary = findings.map((finding) => finding.cause);
  const { problems } = analysis;
  const notice = (outcome: RemediationOutcome) =>
    remediationNotice({ ...job.notice, findings, problems, outcome, when: call.now() });
  if (findings.length === 0 && problems.length > 0) {
    // Nothing proven public, but part of the state is unreadable: say so rather than stay silent.
    const messageId = await call.publish(job.key, notice({ kind: 'unreadable', error: problems.join('; ') }));
    return { status: 'undetermined', bucket, findings: problems, messageId };
  }
  if (findings.length === 0) {
    call.log.info('bucket not public', {
      bucket,
      eventName: call.detail.eventName,
      exposures: analysis.exposures.length,
    });
    return { status: 'not-public', bucket };
  }
  const before = state.publicAccessBlock;
  if (settings.mode === 'report') {
    const messageId = await call.publish(job.key, notice({ kind: 'planned', before }));
    call.log.info('public bucket reported', { bucket, findings: summary, messageId });
    return { status: 'reported', bucket, findings: summary, messageId };
  }
  try {
    await port.blockBucket(bucket, job.notice.accountId);
  } catch (error) {
    return fail(call, job, { kind: 'failed', error: messageOf(error) }, error, findings);
  }
  const messageId = await call.publish(job.key, notice({ kind: 'applied', before }));
  call.log.info('public bucket blocked', { bucket, findings: summary, messageId });
  return { status: 'blocked', bucket, findings: summary, messageId };
}

/** A notice of an applied change that could not be sent last time, sent now (EventBridge's retry). */
async function redeliver(call: PublicBucketCall, key: string): Promise<BucketResult | undefined> {
  const sent = await redeliverPending(call, key);
  if (sent === undefined) return undefined;
  return { status: 'redelivered', bucket: sent.resource, findings: [], messageId: sent.messageId };
}

/** Reads the bucket afresh, then {@link remediate}; a bucket that is gone is no error. */
async function checkBucket(
  call: PublicBucketCall,
  port: BucketPort,
  job: BucketJob,
  accountBlock: PublicAccessBlockFlags | null,
): Promise<BucketResult> {
  const redelivered = await redeliver(call, job.key);
  if (redelivered !== undefined) return redelivered;
  let state: BucketState;
  try {
    state = await port.readBucket(job.notice.bucket, job.notice.accountId);
  } catch (error) {
    if (error instanceof BucketGoneError) {
      call.log.info('bucket gone', { bucket: job.notice.bucket, reason: error.message });
      return { status: 'gone', bucket: job.notice.bucket };
    }
    return fail(call, job, { kind: 'unreadable', error: messageOf(error) }, error);
  }
  return remediate(call, port, job, state, accountBlock);
}

/**
 * An account-level Block Public Access change: every bucket of the account, page by page, with the same
 * exclusions and the same judgement as for one bucket; one notice a public bucket. A bucket that fails
 * does not stop the others; the event is failed (and retried) at the end.
 */
async function checkAccount(call: PublicBucketCall, eventName: AccountEvent): Promise<PublicBucketResult> {
  const { params } = call.settings;
  const request = describeAccountRequest(eventName, call.detail.requestParameters);
  const account = call.accountId;
  const port = await call.port();
  const accountBlock = await port.readAccountBlock(account);
  if (!accountAllowsPublicBuckets(accountBlock)) {
    return {
      status: 'skipped',
      reason: `account ${account} ignores public ACLs and restricts public policies: no bucket can be public`,
    };
  }
  const results: BucketResult[] = [];
  const errors: string[] = [];
  let listed = 0;
  for await (const page of port.listBuckets()) {
    listed += page.length;
    const jobs = page
      .filter((bucket) => {
        if (!isExcluded(bucket.name, params)) return true;
        results.push({ status: 'excluded', bucket: bucket.name });
        return false;
      })
      .map(
        (bucket): BucketJob => ({
          key: `${call.eventId}|${bucket.name}`,
          notice: {
            rule: call.ruleName,
            bucket: bucket.name,
            accountId: account,
            region: bucket.region ?? call.region,
            actor: call.actor,
            request,
          },
        }),
      );
    for (let start = 0; start < jobs.length; start += BUCKET_CONCURRENCY) {
      const batch = jobs.slice(start, start + BUCKET_CONCURRENCY);
      const settled = await Promise.allSettled(
        batch.map((job) => checkBucket(call, port, job, accountBlock)),
      );
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
  call.log.info('account checked', {
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

async function remediateBucket(call: PublicBucketCall): Promise<PublicBucketResult> {
  const redelivered = await redeliver(call, call.eventId);
  if (redelivered !== undefined) return redelivered;
  const eventName = call.detail.eventName as HandledEvent;
  if (isAccountEvent(eventName)) return checkAccount(call, eventName);
  const request = parseBucketRequest(eventName, call.detail.requestParameters);
  const { bucket } = request;
  if (CANNOT_MAKE_PUBLIC.has(eventName)) {
    return { status: 'skipped', reason: `${eventName} cannot make a bucket public`, bucket };
  }
  if (isExcluded(bucket, call.settings.params)) {
    call.log.info('bucket excluded', { bucket, eventName });
    return { status: 'excluded', bucket };
  }
  const job: BucketJob = {
    key: call.eventId,
    notice: {
      rule: call.ruleName,
      bucket,
      accountId: call.accountId,
      region: call.region,
      actor: call.actor,
      request: request.description,
    },
  };
  let port: BucketPort;
  let state: BucketState;
  let accountBlock: PublicAccessBlockFlags | null;
  try {
    port = await call.port();
    [state, accountBlock] = await Promise.all([
      port.readBucket(bucket, call.accountId),
      port.readAccountBlock(call.accountId),
    ]);
  } catch (error) {
    if (error instanceof BucketGoneError) {
      call.log.info('bucket gone', { bucket, reason: error.message });
      return { status: 'gone', bucket };
    }
    return fail(call, job, { kind: 'unreadable', error: messageOf(error) }, error);
  }
  return remediate(call, port, job, state, accountBlock);
}

/**
 * `public-bucket-remediate`: CloudTrail S3 event → the bucket's current state → the public-bucket analyser →
 * (enforce) bucket Block Public Access → SNS. Leaves excluded buckets untouched; writes only when the bucket
 * is public, so a bucket already blocked costs no write. An account-level Block Public Access change checks
 * every bucket of the account the same way, page by page. Failures notify `failed` where possible, then
 * throw so that EventBridge retries and the dead-letter queue keeps the event.
 */
export const publicBucketResponder: ResponderSpec<PublicBucketConfiguration, BucketPort, PublicBucketResult> =
  {
    name: RESPONDER_NAME,
    rule: RULE_ID,
    description:
      "checks a bucket when CloudTrail reports an ACL, policy or Block Public Access change; reports it, or (mode enforce) turns on the bucket's Block Public Access.",
    eventSource: S3_EVENT_SOURCE,
    eventNames: HANDLED_EVENTS,
    grants: [
      {
        actions: [
          's3:GetBucketAcl',
          's3:GetBucketPolicy',
          's3:GetBucketPublicAccessBlock',
          's3:GetBucketOwnershipControls',
          's3:PutBucketPublicAccessBlock',
        ],
        resources: ['arn:{partition}:s3:::*'],
        ownAccountOnly: true,
        wildcardReason:
          "the responder acts on whichever bucket CloudTrail reports; aws:ResourceAccount limits it to this account's buckets",
      },
      {
        // ListAllMyBuckets: an account-level Block Public Access change re-checks every bucket of the account.
        actions: ['s3:GetAccountPublicAccessBlock', 's3:ListAllMyBuckets'],
        resources: ['*'],
        wildcardReason:
          's3:GetAccountPublicAccessBlock and s3:ListAllMyBuckets are account-level actions with no resource type',
      },
    ],
    deploySetting: { key: 'mode', values: RESPONDER_MODES, fallback: 'report' },
    responderSettings: parseResponderSettings,
    settings: publicBucketConfiguration,
    handle: remediateBucket,
  };
