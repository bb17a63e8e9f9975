/**
 * `rds-snapshot-private`: when CloudTrail reports a change to who may restore an RDS snapshot, the snapshot's
 * `restore` attribute is read again from RDS and, when it includes `all` (public), reported or (mode
 * enforce) made private by removing `all` only: the accounts it is shared with by name keep their access,
 * and nothing is ever added. Reversible: the owner can add `all` back.
 *
 * Request shapes (CloudTrail records RDS request parameters with the API's member names, first letter lower
 * case; RDS User Guide, "Monitoring Amazon RDS API calls in AWS CloudTrail"; members from the RDS API
 * Reference, "ModifyDBSnapshotAttribute" and "ModifyDBClusterSnapshotAttribute"): `dBSnapshotIdentifier` or
 * `dBClusterSnapshotIdentifier`, `attributeName` (`restore` manages sharing), `valuesToAdd`, `valuesToRemove`
 * (account ids, or `all`).
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
import { planSnapshotPrivate, type SnapshotPrivatePlan } from './remediation.ts';
import {
  DB_CLUSTER_SNAPSHOT_TYPE,
  DB_SNAPSHOT_TYPE,
  PUBLIC_VALUE,
  publicSnapshotMessage,
  RESTORE_ATTRIBUTE,
  type SnapshotSharing,
  sharedAccounts,
} from './snapshot.ts';

export const RESPONDER_NAME = 'rds-snapshot-private';
export const RULE_ID = 'rds-snapshot-not-public';
export const RDS_EVENT_SOURCE = 'rds.amazonaws.com';
export const SNAPSHOT_EVENTS = ['ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute'] as const;
export type SnapshotEvent = (typeof SNAPSHOT_EVENTS)[number];

// ---- Settings ----

export interface SnapshotResponderSettings {
  /** `report` (the default) only notifies; `enforce` removes `all` from the snapshot's restore attribute. */
  mode: RemediationMode;
}

const settingsSchema = z.strictObject({ mode: remediationModeSchema });

/** Reads `responders["rds-snapshot-private"]`; absent means report mode. */
export function parseSnapshotResponderSettings(settings: SuiteSettings): SnapshotResponderSettings {
  return parseResponderSettings<SnapshotResponderSettings>(settings, RESPONDER_NAME, settingsSchema);
}

// ---- The request ----

/** RDS snapshot identifiers: 1 to 255 letters, digits and hyphens, starting with a letter. */
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9-]{0,254}$/;
/** A snapshot ARN: `arn:<partition>:rds:<region>:<account>:snapshot:<id>` (or `cluster-snapshot`). */
const SNAPSHOT_ARN =
  /^arn:aws[a-z-]*:rds:([a-z0-9-]+):(\d{12}):(snapshot|cluster-snapshot):([A-Za-z][A-Za-z0-9-]{0,254})$/;

const snapshotReference = z
  .string()
  .max(1011)
  .refine((value) => IDENTIFIER.test(value) || SNAPSHOT_ARN.test(value), {
    error:
      'expected an RDS snapshot identifier (letters, digits and hyphens, starting with a letter) or its ARN',
  });
const attributeValues = z.array(z.string().max(256)).max(1000).optional();
const common = {
  attributeName: z.string().min(1).max(256),
  valuesToAdd: attributeValues,
  valuesToRemove: attributeValues,
};
/** Each event's request, its snapshot field read as `reference`. */
const REQUEST_SCHEMAS = {
  ModifyDBSnapshotAttribute: z
    .looseObject({ dBSnapshotIdentifier: snapshotReference, ...common })
    .transform(({ dBSnapshotIdentifier, ...rest }) => ({ ...rest, reference: dBSnapshotIdentifier })),
  ModifyDBClusterSnapshotAttribute: z
    .looseObject({ dBClusterSnapshotIdentifier: snapshotReference, ...common })
    .transform(({ dBClusterSnapshotIdentifier, ...rest }) => ({
      ...rest,
      reference: dBClusterSnapshotIdentifier,
    })),
};

export interface SnapshotTarget {
  identifier: string;
  isCluster: boolean;
}

export interface SnapshotRequest {
  target: SnapshotTarget;
  attributeName: string;
  /** What the request did, in words: `ModifyDBSnapshotAttribute restore: added all`. */
  description: string;
}

/**
 * Reads the request of a snapshot attribute event; an InputError names the field when its shape is wrong,
 * or when an ARN names a snapshot of another account or Region (never acted on: not this call's).
 */
export function parseSnapshotRequest(
  eventName: SnapshotEvent,
  requestParameters: unknown,
  where: { accountId: string; region: string },
): SnapshotRequest {
  const isCluster = eventName === 'ModifyDBClusterSnapshotAttribute';
  const field = isCluster ? 'dBClusterSnapshotIdentifier' : 'dBSnapshotIdentifier';
  const parsed = REQUEST_SCHEMAS[eventName].safeParse(requestParameters);
  if (!parsed.success) {
    throw new InputError(
      `Invalid ${eventName} event: ${describeZodError(parsed.error, 'detail.requestParameters', requestParameters)}`,
    );
  }
  const request = parsed.data;
  const { reference } = request;
  const arn = SNAPSHOT_ARN.exec(reference);
  if (arn !== null) {
    const [, region, account, type] = arn;
    if (
      account !== where.accountId ||
      region !== where.region ||
      (type === 'cluster-snapshot') !== isCluster
    ) {
      throw new InputError(
        `Invalid ${eventName} event: detail.requestParameters.${field}: ${reference} is not a ${isCluster ? 'DB cluster' : 'DB'} snapshot of account ${where.accountId} in ${where.region}`,
      );
    }
  }
  const identifier = arn?.[4] ?? reference;
  const changes = [
    request.valuesToAdd?.length ? `added ${request.valuesToAdd.join(', ')}` : '',
    request.valuesToRemove?.length ? `removed ${request.valuesToRemove.join(', ')}` : '',
  ].filter((part) => part !== '');
  return {
    target: { identifier, isCluster },
    attributeName: request.attributeName,
    description: `${eventName} ${request.attributeName}: ${changes.length > 0 ? changes.join('; ') : 'no values'}`,
  };
}

// ---- The notice ----

/** `state`: the snapshot's sharing as read. */
export type SnapshotOutcome = RemediationOutcome<SnapshotSharing>;

export interface SnapshotNoticeInput {
  rule: string;
  target: SnapshotTarget;
  accountId: string;
  region: string;
  actor: Actor;
  request: string;
  outcome: SnapshotOutcome;
  when: Date;
}

function keptLine(sharing: SnapshotSharing): string {
  const accounts = sharedAccounts(sharing);
  return accounts.length > 0
    ? `; still shared with ${accounts.join(', ')} (named accounts keep their access)`
    : '; shared with no account by name';
}

function changeLine(outcome: SnapshotOutcome): string {
  const remove = `"${PUBLIC_VALUE}" from the ${RESTORE_ATTRIBUTE} attribute`;
  switch (outcome.kind) {
    case 'applied':
      return `removed ${remove}${keptLine(outcome.state)}`;
    case 'planned':
      return `would remove ${remove}${keptLine(outcome.state)}; set responders.${RESPONDER_NAME}.mode to enforce to do it`;
    case 'failed':
      return `removing ${remove} failed: ${outcome.error}`;
    case 'unreadable':
      return `reading the snapshot's attributes failed: ${outcome.error}`;
  }
}

const HEADLINES: Record<SnapshotOutcome['kind'], string> = {
  applied: 'was public: made private',
  planned: 'is public (report mode: left as it is)',
  failed: 'is public: making it private failed',
  unreadable: 'could not be checked',
};

/** The one message for every outcome: the snapshot, who changed it and how, why it is public, what was done. */
export function snapshotNotice(input: SnapshotNoticeInput): Notice {
  const { outcome } = input;
  const { kind } = outcome;
  return {
    kind: 'remediation',
    headline: HEADLINES[kind],
    source: RESPONDER_NAME,
    rule: input.rule,
    resource: {
      type: input.target.isCluster ? DB_CLUSTER_SNAPSHOT_TYPE : DB_SNAPSHOT_TYPE,
      id: input.target.identifier,
      accountId: input.accountId,
      region: input.region,
    },
    compliance: kind === 'applied' ? 'COMPLIANT' : kind === 'unreadable' ? undefined : 'NON_COMPLIANT',
    previousCompliance: kind === 'applied' ? 'NON_COMPLIANT' : undefined,
    annotation:
      outcome.kind === 'unreadable'
        ? undefined
        : buildAnnotation('NON_COMPLIANT', [
            { code: 'public-snapshot', message: publicSnapshotMessage(outcome.state) },
          ]),
    actor: input.actor,
    changes: [`request: ${input.request}`, changeLine(outcome)],
    outcome: kind === 'unreadable' ? 'failed' : kind,
    when: input.when.toISOString(),
  };
}

// ---- The spec ----

/** The snapshot no longer exists: nothing to read or fix. */
export class SnapshotGoneError extends Error {
  constructor(
    readonly identifier: string,
    reason: string,
  ) {
    super(`Snapshot ${identifier} is gone: ${reason}`);
    this.name = 'SnapshotGoneError';
  }
}

/** What the responder reads and writes in RDS, in the call's account and Region (`shared/aws/rds.ts`). */
export interface SnapshotPort {
  /** The snapshot's `restore` attribute as RDS has it now; a {@link SnapshotGoneError} when it is gone. */
  readSharing(target: SnapshotTarget): Promise<SnapshotSharing>;
  /** Sends the plan's Modify…SnapshotAttribute call (it removes `all`, nothing else). */
  makePrivate(plan: SnapshotPrivatePlan): Promise<void>;
}

export type SnapshotResult =
  | { status: 'skipped'; reason: string; snapshot?: string }
  | { status: 'not-public' | 'gone'; snapshot: string; sharedWith?: string[] }
  | {
      status: 'made-private' | 'reported' | 'redelivered';
      snapshot: string;
      sharedWith?: string[];
      messageId?: string | undefined;
    };

type SnapshotCall = ResponderCall<SnapshotResponderSettings, SnapshotPort>;

async function makeSnapshotPrivate(call: SnapshotCall): Promise<SnapshotResult> {
  const eventName = call.detail.eventName as SnapshotEvent;
  const request = parseSnapshotRequest(eventName, call.detail.requestParameters, call);
  const snapshot = request.target.identifier;
  if (request.attributeName !== RESTORE_ATTRIBUTE) {
    const reason = `attribute ${request.attributeName} does not say who may restore the snapshot`;
    call.log.info('event skipped', { snapshot, reason });
    return { status: 'skipped', reason, snapshot };
  }
  return remediateResource(call, {
    read: (port) => port.readSharing(request.target),
    goneError: SnapshotGoneError,
    plan: planSnapshotPrivate,
    apply: (port, plan) => port.makePrivate(plan),
    notice: (outcome) =>
      snapshotNotice({
        rule: call.ruleName,
        target: request.target,
        accountId: call.accountId,
        region: call.region,
        actor: call.actor,
        request: request.description,
        outcome,
        when: call.now(),
      }),
    redelivered: (resource, messageId) => ({ status: 'redelivered', snapshot: resource, messageId }),
    gone: (error) => {
      call.log.info('snapshot gone', { snapshot, reason: error.message });
      return { status: 'gone', snapshot };
    },
    unchanged: (sharing) => {
      const sharedWith = sharedAccounts(sharing);
      call.log.info('snapshot not public', { snapshot, sharedWith });
      return { status: 'not-public', snapshot, sharedWith };
    },
    reported: (sharing, messageId) => {
      const sharedWith = sharedAccounts(sharing);
      call.log.info('public snapshot reported', { snapshot, sharedWith, messageId });
      return { status: 'reported', snapshot, sharedWith, messageId };
    },
    applied: (sharing, messageId) => {
      const sharedWith = sharedAccounts(sharing);
      call.log.info('public snapshot made private', { snapshot, sharedWith, messageId });
      return { status: 'made-private', snapshot, sharedWith, messageId };
    },
  });
}

/**
 * `rds-snapshot-private`: CloudTrail ModifyDB(Cluster)SnapshotAttribute → the snapshot's restore attribute,
 * read again → (enforce) `all` removed → SNS. Failures notify `failed` where possible, then throw so that
 * EventBridge retries and the dead-letter queue keeps the event.
 */
export const snapshotPrivateResponder: ResponderSpec<
  SnapshotResponderSettings,
  SnapshotPort,
  SnapshotResult
> = {
  name: RESPONDER_NAME,
  rule: RULE_ID,
  description:
    "checks an RDS snapshot when CloudTrail reports a change to who may restore it; reports it when public, or (mode enforce) removes 'all' from its restore attribute, keeping named accounts.",
  eventSource: RDS_EVENT_SOURCE,
  eventNames: SNAPSHOT_EVENTS,
  grants: [
    {
      actions: ['rds:DescribeDBSnapshotAttributes', 'rds:ModifyDBSnapshotAttribute'],
      resources: ['arn:{partition}:rds:{region}:{account}:snapshot:*'],
      wildcardReason:
        'the responder acts on whichever DB snapshot CloudTrail reports, in this account and region only',
    },
    {
      actions: ['rds:DescribeDBClusterSnapshotAttributes', 'rds:ModifyDBClusterSnapshotAttribute'],
      resources: ['arn:{partition}:rds:{region}:{account}:cluster-snapshot:*'],
      wildcardReason:
        'the responder acts on whichever DB cluster snapshot CloudTrail reports, in this account and region only',
    },
  ],
  deploySetting: { key: 'mode', values: REMEDIATION_MODES, fallback: 'report' },
  responderSettings: parseSnapshotResponderSettings,
  settings: (suite) => parseSnapshotResponderSettings(suite.settings),
  handle: makeSnapshotPrivate,
};
