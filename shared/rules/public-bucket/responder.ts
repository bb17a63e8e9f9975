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
import { grantsFromCloudTrail, PUBLIC_CANNED_ACLS, publicGrants } from './acl.ts';
import type { Exposure } from './analyse.ts';
import { BLOCK_SETTINGS, describeFlags, flagsFromApi, isOn } from './block.ts';
import { RESPONDER_NAME } from './parameters.ts';

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
