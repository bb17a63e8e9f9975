/**
 * The `sg-drift-revert` responder: CloudTrail security-group call → the group's state (through its EC2 port) →
 * the group's baseline and the blocked-ports policy → revoke/authorize → one notice. Its settings, the outcome
 * of an execution, and the notice that tells people what changed, who changed it and what was done. The
 * runtime around it (environment, own calls, accounts, publishing) is `shared/aws/responder-runtime.ts`.
 */
import * as z from 'zod';
import { buildAnnotation } from '../../core/annotation.ts';
import { type Actor, ROLE_ARN } from '../../core/cloudtrail.ts';
import { ParameterError, type SuiteSettings } from '../../core/model.ts';
import type { Notice, Outcome } from '../../core/notification.ts';
import { parseResponderSettings, type ResponderCall, type ResponderSpec } from '../../core/responder.ts';
import type { SuiteConfig } from '../../core/suite-config.ts';
import { resolveBaseline } from './baselines.ts';
import { type GroupTarget, readSecurityGroupCall, SECURITY_GROUP_EVENT_NAMES } from './events.ts';
import { parseSecurityGroupParameters, type SecurityGroupParams } from './parameters.ts';
import type { GroupState } from './permissions.ts';
import { describeRule } from './permissions.ts';
import {
  type BlockedPortsMode,
  type ChangeCause,
  type PlannedChange,
  planRemediation,
  type RemediationPlan,
} from './plan.ts';

export const RESPONDER_NAME = 'sg-drift-revert';
/** The Config rule whose findings the responder acts on (after the deployment's rule prefix), for the notice's `rule` attribute. */
export const RULE_ID = 'security-group';
export const DEFAULT_BLOCKED_PORTS_MODE: BlockedPortsMode = 'report';
export const BLOCKED_PORTS_MODES = [
  'enforce',
  'report',
  'off',
] as const satisfies readonly BlockedPortsMode[];

export interface DriftRevertSettings {
  /** What to do with world-open rules on `rules.security-group.blockedPorts`. */
  blockedPortsMode: BlockedPortsMode;
  /** Further exact role ARNs whose calls are the responder's own (added to the function's role). */
  selfRoleArns: string[];
}

const settingsSchema = z.strictObject({
  blockedPortsMode: z
    .enum(BLOCKED_PORTS_MODES, { error: 'expected enforce, report or off' })
    .default(DEFAULT_BLOCKED_PORTS_MODE),
  selfRoleArns: z
    .array(z.string().regex(ROLE_ARN, 'expected role ARN'), { error: 'expected a list of role ARNs' })
    .default([]),
});

/** Validates `responders["sg-drift-revert"]`; errors name the setting (`responders.sg-drift-revert.…`). */
export function parseDriftRevertSettings(suite: SuiteSettings): DriftRevertSettings {
  const own = (suite.responders as Record<string, unknown> | null | undefined)?.[RESPONDER_NAME];
  const selfRoleNames = (own as { selfRoleNames?: unknown } | null | undefined)?.selfRoleNames;
  if (selfRoleNames !== undefined) {
    throw new ParameterError(
      `responders.${RESPONDER_NAME}.selfRoleNames`,
      selfRoleNames,
      'no longer supported: a role name can be taken by an IAM user or by a role in another account; list the exact role ARNs in selfRoleArns instead',
    );
  }
  return parseResponderSettings<DriftRevertSettings>(suite, RESPONDER_NAME, settingsSchema);
}

/** What became of one planned change. */
export type ChangeStatus = 'applied' | 'already-done' | 'reported' | 'failed';

export interface ChangeResult {
  change: PlannedChange;
  status: ChangeStatus;
  /** For a failure: the error code and message. */
  error?: string | undefined;
}

export function outcomeOf(results: readonly ChangeResult[]): Outcome {
  if (results.length === 0) return 'no-change';
  const enforced = results.filter((result) => result.status !== 'reported');
  if (enforced.length === 0) return 'planned';
  const failed = enforced.filter((result) => result.status === 'failed').length;
  if (failed === 0) return 'applied';
  return failed === enforced.length ? 'failed' : 'partial';
}

/** The headline; when all that is left to do is held back (a tag-bound group's missing rules), it says so. */
function headlineOf(outcome: Outcome, results: readonly ChangeResult[]): string {
  const heldBack = results.filter((result) => result.change.heldBack === 'tag-bound').length;
  if (heldBack === 0) return HEADLINES[outcome];
  if (outcome === 'planned' && heldBack === results.length) return 'missing rules not restored (tag-bound)';
  if (outcome === 'applied') return 'reverted; missing rules not restored';
  return HEADLINES[outcome];
}

const HEADLINES: Record<Outcome, string> = {
  applied: 'change reverted',
  planned: 'change would be reverted (report mode)',
  partial: 'change partly reverted',
  failed: 'revert failed',
  'no-change': 'matches its baseline',
  detected: 'change detected',
  resolved: 'change resolved',
};

function causeText(cause: ChangeCause, plan: RemediationPlan): string {
  const baseline = plan.baseline?.name ?? '?';
  if (cause === 'extra') return `not in baseline ${baseline}`;
  if (cause === 'missing') return `missing from baseline ${baseline}`;
  if (cause === 'broad-port') return 'opens a blocked port to a range broader than maxOpenPrefixIpv4/Ipv6';
  return 'opens a blocked port to the world';
}

/** `revoked tcp 22 from 0.0.0.0/0 (opens a blocked port to the world)`, and so on for each status. */
export function describeChangeResult(result: ChangeResult, plan: RemediationPlan): string {
  const { change, status } = result;
  const rule = describeRule(change.rule);
  const why = change.causes.map((cause) => causeText(cause, plan)).join('; ');
  const revoke = change.action === 'revoke';
  switch (status) {
    case 'applied':
      return `${revoke ? 'revoked' : 'restored'} ${rule} (${why})`;
    case 'already-done':
      return `${revoke ? 'already revoked' : 'already present'}: ${rule} (${why})`;
    case 'reported':
      if (change.heldBack === 'tag-bound') return `not restored: ${rule} (${why}; ${tagBoundNote(plan)})`;
      return `would ${revoke ? 'revoke' : 'restore'} ${rule} (${why}; report mode)`;
    case 'failed':
      return `failed to ${revoke ? 'revoke' : 'restore'} ${rule} (${why}): ${result.error ?? 'unknown error'}`;
  }
}

/** Why a missing rule of a tag-bound group is reported, not restored, and how to have it restored. */
function tagBoundNote(plan: RemediationPlan): string {
  const name = plan.baseline?.name ?? '?';
  return `the group follows baseline ${name} by ${plan.baseline?.via ?? 'tag'}, which anyone allowed ec2:CreateTags can set, so rules are restored only for groups listed in baselines.${name}.match.groupIds`;
}

/** `revoke tcp 22 from 0.0.0.0/0 (opens a blocked port to the world; enforce)`: a change before it is made. */
export function describePlannedChange(change: PlannedChange, plan: RemediationPlan): string {
  const why = change.causes.map((cause) => causeText(cause, plan)).join('; ');
  const verb = change.action === 'revoke' ? 'revoke' : 'restore';
  const how = change.enforce
    ? 'enforce'
    : change.heldBack === 'tag-bound'
      ? 'report: bound by tag'
      : 'report';
  return `${verb} ${describeRule(change.rule)} (${why}; ${how})`;
}

export interface NoticeInput {
  /** The deployment's name of the Config rule (`ResponderCall.ruleName`). */
  rule: string;
  group: Pick<GroupState, 'groupId' | 'groupName'>;
  accountId: string;
  region: string;
  actor: Actor;
  /** What the reported call did (`SecurityGroupCall.changes`). */
  callChanges: readonly string[];
  when: string;
}

/** The notice for a plan and what became of it. */
export function remediationNotice(
  input: NoticeInput,
  plan: RemediationPlan,
  results: readonly ChangeResult[],
): Notice {
  const outcome = outcomeOf(results);
  return {
    ...noticeBase(input, outcome),
    headline: headlineOf(outcome, results),
    annotation: buildAnnotation('NON_COMPLIANT', plan.reasons),
    changes: [
      ...input.callChanges.map((line) => `event: ${line}`),
      ...results.map((result) => describeChangeResult(result, plan)),
    ],
  };
}

/** The notice for a failure before any change could be planned or made (a baseline problem, a failed read). */
export function failureNotice(input: NoticeInput, error: Error): Notice {
  return {
    ...noticeBase(input, 'failed'),
    annotation: error.message,
    changes: input.callChanges.map((line) => `event: ${line}`),
  };
}

function noticeBase(input: NoticeInput, outcome: Outcome) {
  return {
    kind: 'remediation' as const,
    headline: HEADLINES[outcome],
    source: RESPONDER_NAME,
    rule: input.rule,
    resource: {
      type: 'AWS::EC2::SecurityGroup',
      id: input.group.groupId,
      name: input.group.groupName,
      accountId: input.accountId,
      region: input.region,
    },
    actor: input.actor,
    outcome,
    when: input.when,
  };
}

// ---- The spec ----

/** What the responder reads and writes in EC2, in the call's account and Region (`shared/aws/ec2.ts`). */
export interface SecurityGroupPort {
  /** The group a call named (by id, by name or through its rule ids); undefined when it no longer exists. */
  findGroup(target: GroupTarget): Promise<GroupState | undefined>;
  /** Makes the plan's enforced changes; never throws: each change's result says what happened. */
  executePlan(plan: RemediationPlan): Promise<ChangeResult[]>;
}

export interface DriftRevertConfiguration extends DriftRevertSettings {
  /** The rule's parameters (`rules["security-group"]`): blocked ports, broad-range limits, baselines. */
  params: SecurityGroupParams;
}

export type DriftRevertResult =
  | { status: 'skipped'; reason: string }
  | {
      status: 'handled';
      groupId: string;
      baseline?: string | undefined;
      outcome: Outcome;
      /** Each planned change and what became of it. */
      plan: string[];
      messageId?: string | undefined;
    };

function driftRevertConfiguration(suite: SuiteConfig): DriftRevertConfiguration {
  const settings = parseDriftRevertSettings(suite.settings);
  return { ...settings, params: parseSecurityGroupParameters(suite.rules[RULE_ID] ?? {}, suite.settings) };
}

type DriftRevertCall = ResponderCall<DriftRevertConfiguration, SecurityGroupPort>;

/** Notifies `failed` (best effort) when the group is known, then rethrows for EventBridge's retry. */
async function failBeforePlan(
  call: DriftRevertCall,
  notice: (group: NoticeInput['group']) => NoticeInput,
  group: NoticeInput['group'] | undefined,
  error: unknown,
): Promise<never> {
  if (group !== undefined) {
    await call.publish(call.eventId, failureNotice(notice(group), error as Error)).catch(() => {});
  }
  throw error;
}

async function revertDrift(call: DriftRevertCall): Promise<DriftRevertResult> {
  const request = readSecurityGroupCall(call.detail);
  const { params } = call.settings;
  const noticeInput = (group: NoticeInput['group']): NoticeInput => ({
    rule: call.ruleName,
    group,
    accountId: call.accountId,
    region: call.region,
    actor: call.actor,
    callChanges: request.changes,
    when: call.now().toISOString(),
  });
  let port: SecurityGroupPort;
  let group: GroupState | undefined;
  let plan: RemediationPlan;
  try {
    port = await call.port();
    group = await port.findGroup(request.target);
    if (group === undefined) {
      const named = request.target.groupId ?? request.target.groupName ?? request.target.ruleIds.join(', ');
      call.log.info('event skipped', { reason: `security group ${named} no longer exists` });
      return { status: 'skipped', reason: `security group ${named} no longer exists` };
    }
    plan = planRemediation(group, resolveBaseline(group, params.baselines), {
      blocked: params.blocked,
      maxOpenPrefix: params.maxOpenPrefix,
      mode: call.settings.blockedPortsMode,
    });
  } catch (error) {
    const groupId = group?.groupId ?? request.target.groupId;
    return failBeforePlan(call, noticeInput, group ?? (groupId ? { groupId } : undefined), error);
  }
  const where = { groupId: group.groupId, baseline: plan.baseline?.name };
  if (plan.changes.length === 0) {
    call.log.info('nothing to revert', { ...where, eventName: request.eventName });
    return { status: 'handled', ...where, outcome: 'no-change', plan: [] };
  }
  call.log.info('remediation plan', {
    ...where,
    blockedPortsMode: plan.blockedPortsMode,
    changes: plan.changes.map((change) => describePlannedChange(change, plan)),
  });
  const results = await port.executePlan(plan);
  const outcome = outcomeOf(results);
  const lines = results.map((result) => describeChangeResult(result, plan));
  call.log.info('remediation done', { groupId: group.groupId, outcome, results: lines });
  const failed = outcome === 'failed' || outcome === 'partial';
  let messageId: string | undefined;
  try {
    messageId = await call.publish(call.eventId, remediationNotice(noticeInput(group), plan, results));
  } catch (error) {
    if (!failed) throw error;
  }
  if (failed) {
    const failures = results
      .filter((result) => result.status === 'failed')
      .map((result) => describeChangeResult(result, plan));
    throw new Error(`${RESPONDER_NAME}: ${outcome} on ${group.groupId}: ${failures.join('; ')}`);
  }
  return { status: 'handled', ...where, outcome, plan: lines, messageId };
}

/**
 * `sg-drift-revert`: reverts security-group drift from the declared baseline and reports or revokes blocked
 * ports opened to the world. Throws on failure (after notifying `failed` or `partial` where it can), so
 * EventBridge retries and the dead-letter queue keeps what still fails.
 */
export const driftRevertResponder: ResponderSpec<
  DriftRevertConfiguration,
  SecurityGroupPort,
  DriftRevertResult
> = {
  name: RESPONDER_NAME,
  rule: RULE_ID,
  description:
    'reverts security-group drift from the declared baseline; blocked ports opened to the world are reported or revoked (blockedPortsMode).',
  eventSource: 'ec2.amazonaws.com',
  eventNames: SECURITY_GROUP_EVENT_NAMES,
  grants: [
    {
      actions: ['ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules'],
      resources: ['*'],
      wildcardReason: 'EC2 Describe actions support no resource-level permissions',
    },
    {
      actions: [
        'ec2:RevokeSecurityGroupIngress',
        'ec2:RevokeSecurityGroupEgress',
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:AuthorizeSecurityGroupEgress',
      ],
      resources: [
        'arn:{partition}:ec2:{region}:{account}:security-group/*',
        'arn:{partition}:ec2:{region}:{account}:security-group-rule/*',
      ],
      wildcardReason:
        'the responder reverts drift on whichever security group CloudTrail reports, in this account and region only',
    },
  ],
  deploySetting: {
    key: 'blockedPortsMode',
    values: BLOCKED_PORTS_MODES,
    fallback: DEFAULT_BLOCKED_PORTS_MODE,
  },
  responderSettings: parseDriftRevertSettings,
  settings: driftRevertConfiguration,
  selfRoleArns: (settings) => settings.selfRoleArns,
  handle: revertDrift,
};
