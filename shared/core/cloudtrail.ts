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

/** How a responder recognises its own API calls, so that it never reacts to them (no loops). */
export interface SelfIdentity {
  /** IAM role ARNs the responder acts as (its own role; member-account execution roles). */
  roleArns: readonly string[];
  /** Role names, for the execution role that has the same name in every member account. */
  roleNames: readonly string[];
}

/** True when the call was made by one of the responder's own roles. */
export function isOwnCall(detail: CloudTrailDetail, self: SelfIdentity): boolean {
  const issuer = detail.userIdentity.sessionContext?.sessionIssuer;
  const issuerArn = issuer?.arn;
  if (issuerArn && self.roleArns.includes(issuerArn)) return true;
  const issuerName = issuer?.userName ?? issuerArn?.split('/').pop();
  if (issuerName && self.roleNames.includes(issuerName)) return true;
  // Assumed-role ARNs look like arn:aws:sts::123456789012:assumed-role/RoleName/session.
  const assumed = /:assumed-role\/([^/]+)\//.exec(detail.userIdentity.arn ?? '');
  return assumed?.[1] !== undefined && self.roleNames.includes(assumed[1]);
}

/** Reads the responder's identity from the environment (`PLUMBLINE_SELF_ROLE_ARNS`, `PLUMBLINE_SELF_ROLE_NAMES`). */
export function selfIdentityFromEnv(env: NodeJS.ProcessEnv = process.env): SelfIdentity {
  const list = (value: string | undefined) =>
    (value ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
  return { roleArns: list(env.PLUMBLINE_SELF_ROLE_ARNS), roleNames: list(env.PLUMBLINE_SELF_ROLE_NAMES) };
}
