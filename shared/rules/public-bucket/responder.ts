/**
 * The pure half of the `public-bucket-remediate` responder: which CloudTrail events it handles, what each
 * request did (for the notification), and the notice it sends.
 *
 * Request shapes (CloudTrail records of S3 management events; Amazon S3 User Guide, "CloudTrail log file
 * entries for Amazon S3" and "Amazon S3 CloudTrail events"): `requestParameters.bucketName` always;
 * `PutBucketAcl` the ACL as `AccessControlPolicy.AccessControlList.Grant` or a canned ACL as `x-amz-acl: ["…"]`;
 * `PutBucketPolicy` the policy as the object `bucketPolicy`; `PutBucketPublicAccessBlock` the flags as
 * `PublicAccessBlockConfiguration`; `CreateBucket` an optional `x-amz-acl`.
 */
import * as z from 'zod';
import { buildAnnotation } from '../../core/annotation.ts';
import type { Actor } from '../../core/cloudtrail.ts';
import { DEFAULT_RULE_PREFIX } from '../../core/compliance-change.ts';
import { describeZodError, InputError, type PublicAccessBlockFlags } from '../../core/model.ts';
import type { Notice } from '../../core/notification.ts';
import { grantsFromCloudTrail, PUBLIC_CANNED_ACLS, publicGrants } from './acl.ts';
import type { Exposure } from './analyse.ts';
import { BLOCK_SETTINGS, describeFlags, flagsFromApi, isOn } from './block.ts';
import { RESPONDER_NAME } from './parameters.ts';

/** The Config rule whose findings the responder acts on, for the notice's `rule` attribute. */
export const RULE_NAME = `${DEFAULT_RULE_PREFIX}public-bucket`;
export const S3_EVENT_SOURCE = 's3.amazonaws.com';
export const HANDLED_EVENTS = [
  'PutBucketAcl',
  'PutBucketPolicy',
  'DeleteBucketPolicy',
  'PutBucketPublicAccessBlock',
  'DeleteBucketPublicAccessBlock',
  'CreateBucket',
] as const;
export type HandledEvent = (typeof HANDLED_EVENTS)[number];

export function isHandledEvent(eventName: string): eventName is HandledEvent {
  return (HANDLED_EVENTS as readonly string[]).includes(eventName);
}

/** Events that can only take public access away: nothing to check. */
export const CANNOT_MAKE_PUBLIC: ReadonlySet<HandledEvent> = new Set(['DeleteBucketPolicy']);

const headerList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : [value]))
  .optional();

const requestSchema = z.looseObject({
  bucketName: z.string().min(1).max(255),
  'x-amz-acl': headerList,
  AccessControlPolicy: z.unknown().optional(),
  PublicAccessBlockConfiguration: z
    .looseObject({
      BlockPublicAcls: z.boolean().optional(),
      IgnorePublicAcls: z.boolean().optional(),
      BlockPublicPolicy: z.boolean().optional(),
      RestrictPublicBuckets: z.boolean().optional(),
    })
    .optional(),
  bucketPolicy: z.unknown().optional(),
});

export interface BucketRequest {
  bucket: string;
  /** What the request did, in words: `PutBucketAcl: canned ACL public-read`. */
  description: string;
}

/** Reads the request of a handled event; an InputError names the field when its shape is wrong. */
export function parseBucketRequest(eventName: HandledEvent, requestParameters: unknown): BucketRequest {
  const parsed = requestSchema.safeParse(requestParameters);
  if (!parsed.success) {
    throw new InputError(
      `Invalid ${eventName} event: ${describeZodError(parsed.error, 'detail.requestParameters', requestParameters)}`,
    );
  }
  const request = parsed.data;
  return { bucket: request.bucketName, description: `${eventName}${detailOf(eventName, request)}` };
}

function detailOf(eventName: HandledEvent, request: z.infer<typeof requestSchema>): string {
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
    case 'PutBucketPublicAccessBlock': {
      const flags = flagsFromApi(request.PublicAccessBlockConfiguration ?? {});
      const off = BLOCK_SETTINGS.filter((setting) => !isOn(flags, setting));
      return off.length > 0 ? `: ${off.join(', ')} off` : ': all four settings on';
    }
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
    rule: RULE_NAME,
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
