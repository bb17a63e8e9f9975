/**
 * `s3-versioning-enable`: when CloudTrail reports that a bucket's versioning was suspended, the bucket's
 * versioning is read again (`GetBucketVersioning`) and, when still not enabled, reported or (mode enforce)
 * enabled again with `PutBucketVersioning` Status Enabled. Reversible (versioning can be suspended again),
 * and it never widens access. MFA delete is never sent: a bucket with MFA delete enabled only changes its
 * versioning state with the root user's MFA code (S3 User Guide, "Configuring MFA delete"), so such a bucket
 * is reported, never written.
 *
 * Request shape (CloudTrail record of `PutBucketVersioning`; S3 User Guide, "Amazon S3 CloudTrail events";
 * the body as `VersioningConfiguration` with `Status` Enabled or Suspended and, when sent, `MfaDelete`):
 * `requestParameters.bucketName`, `requestParameters.VersioningConfiguration.Status`.
 */
import * as z from 'zod';
import { buildAnnotation } from '../../core/annotation.ts';
import type { Actor } from '../../core/cloudtrail.ts';
import { describeZodError, InputError, type SuiteSettings } from '../../core/model.ts';
import type { Notice } from '../../core/notification.ts';
import {
  parseResponderSettings,
  REMEDIATION_MODES,
  type RemediationMode,
  type RemediationOutcome,
  type ResponderCall,
  type ResponderSpec,
  remediateResource,
  remediationModeSchema,
} from '../../core/responder.ts';
import { BUCKET_TYPE } from '../public-bucket/configuration-item.ts';
import { isBucketName } from '../public-bucket/parameters.ts';
import { BucketGoneError, S3_EVENT_SOURCE } from '../public-bucket/responder.ts';
import { planVersioning, type VersioningPlan } from './remediation.ts';
import { type BucketVersioning, versioningStatusReason } from './versioning.ts';

export const RESPONDER_NAME = 's3-versioning-enable';
export const RULE_ID = 's3-versioning';
export const VERSIONING_EVENTS = ['PutBucketVersioning'] as const;

// ---- Settings ----

export interface VersioningResponderSettings {
  /** `report` (the default) only notifies; `enforce` enables versioning again. */
  mode: RemediationMode;
  /** Buckets whose versioning may stay suspended, by exact name: never read, never written. */
  excludedBuckets: readonly string[];
}

const settingsSchema = z.strictObject({
  mode: remediationModeSchema,
  excludedBuckets: z
    .array(
      z.string().refine(isBucketName, {
        error: 'expected an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens; no wildcards)',
      }),
    )
    .max(1000)
    .default([]),
});

/** Reads `responders["s3-versioning-enable"]`; absent means report mode and no exclusion. */
export function parseVersioningResponderSettings(settings: SuiteSettings): VersioningResponderSettings {
  return parseResponderSettings<VersioningResponderSettings>(settings, RESPONDER_NAME, settingsSchema);
}

// ---- The request ----

const requestSchema = z.looseObject({
  bucketName: z.string().min(1).max(255),
  VersioningConfiguration: z
    .looseObject({ Status: z.string().max(64).optional(), MfaDelete: z.string().max(64).optional() })
    .optional(),
});

export interface VersioningRequest {
  bucket: string;
  /** The status the call set; undefined when the request named none. */
  status?: string | undefined;
  /** What the request did, in words: `PutBucketVersioning: Status Suspended`. */
  description: string;
}

/** Reads a `PutBucketVersioning` request; an InputError names the field when its shape is wrong. */
export function parseVersioningRequest(requestParameters: unknown): VersioningRequest {
  const parsed = requestSchema.safeParse(requestParameters);
  if (!parsed.success) {
    throw new InputError(
      `Invalid PutBucketVersioning event: ${describeZodError(parsed.error, 'detail.requestParameters', requestParameters)}`,
    );
  }
  const { bucketName, VersioningConfiguration: configuration } = parsed.data;
  const parts = [
    configuration?.Status !== undefined ? `Status ${configuration.Status}` : 'no Status',
    ...(configuration?.MfaDelete !== undefined ? [`MfaDelete ${configuration.MfaDelete}`] : []),
  ];
  return {
    bucket: bucketName,
    status: configuration?.Status,
    description: `PutBucketVersioning: ${parts.join(', ')}`,
  };
}

// ---- The notice ----

/** `state`: the bucket's versioning as read; `mfa-delete`: reported, never written (MFA delete is on). */
export type VersioningOutcome =
  | RemediationOutcome<BucketVersioning>
  | { kind: 'mfa-delete'; state: BucketVersioning };

export interface VersioningNoticeInput {
  rule: string;
  bucket: string;
  accountId: string;
  region: string;
  actor: Actor;
  request: string;
  outcome: VersioningOutcome;
  when: Date;
}

function changeLine(outcome: VersioningOutcome): string {
  switch (outcome.kind) {
    case 'applied':
      return 'enabled versioning (PutBucketVersioning Status Enabled; MFA delete unchanged)';
    case 'planned':
      return `would enable versioning (MFA delete unchanged); set responders.${RESPONDER_NAME}.mode to enforce to do it`;
    case 'mfa-delete':
      return 'not enabled: the bucket has MFA delete enabled, so its versioning state changes only with the root user’s MFA code; enable versioning by hand';
    case 'failed':
      return `enabling versioning failed: ${outcome.error}`;
    case 'unreadable':
      return `reading the bucket's versioning failed: ${outcome.error}`;
  }
}

const HEADLINES: Record<VersioningOutcome['kind'], string> = {
  applied: 'versioning was suspended: enabled again',
  planned: 'versioning suspended (report mode: left as it is)',
  'mfa-delete': 'versioning suspended (MFA delete: left as it is)',
  failed: 'versioning suspended: enabling it failed',
  unreadable: 'could not be checked',
};

const OUTCOMES: Record<VersioningOutcome['kind'], Notice['outcome']> = {
  applied: 'applied',
  planned: 'planned',
  'mfa-delete': 'planned',
  failed: 'failed',
  unreadable: 'failed',
};

/** The one message for every outcome: the bucket, who suspended versioning, its state, what was done. */
export function versioningNotice(input: VersioningNoticeInput): Notice {
  const { outcome } = input;
  const { kind } = outcome;
  const reason = outcome.kind === 'unreadable' ? undefined : versioningStatusReason(outcome.state);
  return {
    kind: 'remediation',
    headline: HEADLINES[kind],
    source: RESPONDER_NAME,
    rule: input.rule,
    resource: { type: BUCKET_TYPE, id: input.bucket, accountId: input.accountId, region: input.region },
    compliance: kind === 'applied' ? 'COMPLIANT' : kind === 'unreadable' ? undefined : 'NON_COMPLIANT',
    previousCompliance: kind === 'applied' ? 'NON_COMPLIANT' : undefined,
    annotation: reason ? buildAnnotation('NON_COMPLIANT', [reason]) : undefined,
    actor: input.actor,
    changes: [`request: ${input.request}`, changeLine(outcome)],
    outcome: OUTCOMES[kind],
    when: input.when.toISOString(),
  };
}

// ---- The spec ----

/** What the responder reads and writes in S3, in the call's account and Region (`shared/aws/s3.ts`). */
export interface VersioningPort {
  /** The bucket's versioning now; a {@link BucketGoneError} when it is gone. */
  readVersioning(bucket: string, expectedOwner: string): Promise<BucketVersioning>;
  /** Sends the plan's `PutBucketVersioning` (Status Enabled, no MFA delete). */
  enableVersioning(plan: VersioningPlan, expectedOwner: string): Promise<void>;
}

export type VersioningResult =
  | { status: 'skipped'; reason: string; bucket?: string }
  | { status: 'excluded' | 'gone' | 'enabled'; bucket: string }
  | {
      status: 'versioning-enabled' | 'reported' | 'needs-mfa' | 'redelivered';
      bucket: string;
      messageId?: string | undefined;
    };

type VersioningCall = ResponderCall<VersioningResponderSettings, VersioningPort>;

async function enableVersioning(call: VersioningCall): Promise<VersioningResult> {
  const request = parseVersioningRequest(call.detail.requestParameters);
  const { bucket } = request;
  if (request.status === 'Enabled') {
    return { status: 'skipped', reason: 'the call enabled versioning', bucket };
  }
  if (call.settings.excludedBuckets.includes(bucket)) {
    call.log.info('bucket excluded', { bucket });
    return { status: 'excluded', bucket };
  }
  return remediateResource(call, {
    read: (port) => port.readVersioning(bucket, call.accountId),
    goneError: BucketGoneError,
    plan: planVersioning,
    reportOnly: (versioning) => versioning.mfaDelete,
    apply: (port, plan) => port.enableVersioning(plan, call.accountId),
    notice: (outcome) =>
      versioningNotice({
        rule: call.ruleName,
        bucket,
        accountId: call.accountId,
        region: call.region,
        actor: call.actor,
        request: request.description,
        outcome:
          outcome.kind === 'planned' && outcome.state.mfaDelete
            ? { ...outcome, kind: 'mfa-delete' }
            : outcome,
        when: call.now(),
      }),
    redelivered: (resource, messageId) => ({ status: 'redelivered', bucket: resource, messageId }),
    gone: (error) => {
      call.log.info('bucket gone', { bucket, reason: error.message });
      return { status: 'gone', bucket };
    },
    unchanged: () => {
      call.log.info('versioning enabled', { bucket });
      return { status: 'enabled', bucket };
    },
    reported: (versioning, messageId) => {
      call.log.info('suspended versioning reported', { bucket, mfaDelete: versioning.mfaDelete, messageId });
      return { status: versioning.mfaDelete ? 'needs-mfa' : 'reported', bucket, messageId };
    },
    applied: (_versioning, messageId) => {
      call.log.info('versioning enabled again', { bucket, messageId });
      return { status: 'versioning-enabled', bucket, messageId };
    },
  });
}

/**
 * `s3-versioning-enable`: CloudTrail PutBucketVersioning (suspended) → the bucket's versioning, read again →
 * (enforce) versioning enabled → SNS. Excluded buckets are left alone. Failures notify `failed` where
 * possible, then throw so that EventBridge retries and the dead-letter queue keeps the event.
 */
export const versioningEnableResponder: ResponderSpec<
  VersioningResponderSettings,
  VersioningPort,
  VersioningResult
> = {
  name: RESPONDER_NAME,
  rule: RULE_ID,
  description:
    'checks a bucket when CloudTrail reports its versioning suspended; reports it, or (mode enforce) enables versioning again (MFA delete untouched).',
  eventSource: S3_EVENT_SOURCE,
  eventNames: VERSIONING_EVENTS,
  grants: [
    {
      actions: ['s3:GetBucketVersioning', 's3:PutBucketVersioning'],
      resources: ['arn:{partition}:s3:::*'],
      ownAccountOnly: true,
      wildcardReason:
        "the responder acts on whichever bucket CloudTrail reports; aws:ResourceAccount limits it to this account's buckets",
    },
  ],
  deploySetting: { key: 'mode', values: REMEDIATION_MODES, fallback: 'report' },
  responderSettings: parseVersioningResponderSettings,
  settings: (suite) => parseVersioningResponderSettings(suite.settings),
  handle: enableVersioning,
};
