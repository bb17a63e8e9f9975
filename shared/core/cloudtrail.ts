/**
 * The envelope of a CloudTrail management event delivered by EventBridge (`detail-type`
 * "AWS API Call via CloudTrail"). Shapes: CloudTrail User Guide, "CloudTrail record contents" and
 * "userIdentity element"; EventBridge User Guide, "Events from AWS services".
 */
import * as z from 'zod';
import { describeZodError, InputError } from './model.ts';

const sessionIssuer = z.looseObject({
  type: z.string().optional(),
  arn: z.string().optional(),
  userName: z.string().optional(),
  accountId: z.string().optional(),
});

export const userIdentitySchema = z.looseObject({
  type: z.string().optional(),
  arn: z.string().optional(),
  principalId: z.string().optional(),
  accountId: z.string().optional(),
  invokedBy: z.string().optional(),
  sessionContext: z.looseObject({ sessionIssuer: sessionIssuer.optional() }).optional(),
});

export const cloudTrailDetailSchema = z.looseObject({
  eventVersion: z.string().optional(),
  eventID: z.string().optional(),
  eventTime: z.string(),
  eventSource: z.string(),
  eventName: z.string(),
  awsRegion: z.string(),
  sourceIPAddress: z.string().optional(),
  userAgent: z.string().optional(),
  userIdentity: userIdentitySchema,
  recipientAccountId: z.string().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  requestParameters: z.record(z.string(), z.unknown()).nullish(),
  responseElements: z.record(z.string(), z.unknown()).nullish(),
});

export const cloudTrailEventSchema = z.looseObject({
  id: z.string().optional(),
  'detail-type': z.literal('AWS API Call via CloudTrail'),
  source: z.string(),
  account: z.string(),
  region: z.string(),
  time: z.string().optional(),
  detail: cloudTrailDetailSchema,
});

export type CloudTrailDetail = z.infer<typeof cloudTrailDetailSchema>;
export type CloudTrailEvent = z.infer<typeof cloudTrailEventSchema>;

export function parseCloudTrailEvent(input: unknown): CloudTrailEvent {
  const parsed = cloudTrailEventSchema.safeParse(input);
  if (!parsed.success)
    throw new InputError(`Invalid CloudTrail event: ${describeZodError(parsed.error, 'event', input)}`);
  return parsed.data;
}

/** The account the call was made in: `recipientAccountId`, else the EventBridge envelope's account. */
export function eventAccount(event: CloudTrailEvent): string {
  return event.detail.recipientAccountId ?? event.account;
}

/** Who made the call, for findings and notifications. */
export interface Actor {
  arn?: string | undefined;
  eventName?: string | undefined;
  sourceIp?: string | undefined;
  eventTime?: string | undefined;
  userAgent?: string | undefined;
}

export function actorOf(detail: CloudTrailDetail): Actor {
  return {
    arn: detail.userIdentity.arn ?? detail.userIdentity.invokedBy,
    eventName: detail.eventName,
    sourceIp: detail.sourceIPAddress,
    eventTime: detail.eventTime,
    userAgent: detail.userAgent,
  };
}

/** The partition of a region: `aws-cn` for `cn-*`, `aws-us-gov` for `us-gov-*`, otherwise `aws`. */
export function partitionOfRegion(region: string): string {
  return region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

/** An IAM role ARN, with its optional path: `arn:aws:iam::123456789012:role/plumbline/fn/name`. */
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** An IAM role name (no path). */
export const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * How a responder recognises its own API calls, so that it never reacts to them (no loops). Only exact role
 * ARNs: a name can be taken by an IAM user, a federated user or a role in another account.
 */
export interface SelfIdentity {
  /** Exact IAM role ARNs (path included) the responder acts as: its function role, `selfRoleArns`. */
  roleArns: readonly string[];
  /** Organisation mode: the member execution role, whose ARN is built in the event's own account. */
  executionRoleName?: string | undefined;
}

/**
 * True only when the call was made with a session of one of the responder's own roles: `userIdentity.type`
 * `AssumedRole`, `sessionIssuer.type` `Role`, and `sessionIssuer.arn` exactly the function's role ARN (or a
 * configured one) or the member execution role's ARN in the event's account. Shapes: CloudTrail User Guide,
 * "CloudTrail userIdentity element" (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
 */
export function isOwnCall(event: CloudTrailEvent, self: SelfIdentity): boolean {
  const identity = event.detail.userIdentity;
  const issuer = identity.sessionContext?.sessionIssuer;
  if (identity.type !== 'AssumedRole' || issuer?.type !== 'Role' || issuer.arn === undefined) return false;
  return ownRoleArns(event, self).includes(issuer.arn);
}

/** The exact role ARNs whose sessions are the responder's own, for this event. */
export function ownRoleArns(event: CloudTrailEvent, self: SelfIdentity): string[] {
  const arns = [...self.roleArns];
  if (self.executionRoleName !== undefined) {
    const partition = partitionOfRegion(event.detail.awsRegion);
    arns.push(`arn:${partition}:iam::${eventAccount(event)}:role/${self.executionRoleName}`);
  }
  return arns;
}

/**
 * The function's own role ARN from `PLUMBLINE_FUNCTION_ROLE_ARN` (set by infra to the exact ARN, path
 * included). The former name-based `PLUMBLINE_SELF_ROLE_NAMES` is refused: names can be spoofed.
 */
export function functionRoleArnsFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string[] {
  if (env.PLUMBLINE_SELF_ROLE_NAMES !== undefined && env.PLUMBLINE_SELF_ROLE_NAMES.trim() !== '') {
    throw new InputError(
      `Invalid environment variable PLUMBLINE_SELF_ROLE_NAMES=${JSON.stringify(env.PLUMBLINE_SELF_ROLE_NAMES)}: own calls are no longer recognised by role name (an IAM user or another account's role can take the name); remove it and set PLUMBLINE_FUNCTION_ROLE_ARN to the exact role ARN`,
    );
  }
  const arn = env.PLUMBLINE_FUNCTION_ROLE_ARN?.trim();
  if (arn === undefined || arn === '') return [];
  if (!ROLE_ARN.test(arn)) {
    throw new InputError(
      `Invalid environment variable PLUMBLINE_FUNCTION_ROLE_ARN=${JSON.stringify(arn)}: expected an IAM role ARN (arn:aws:iam::123456789012:role/path/name)`,
    );
  }
  return [arn];
}
