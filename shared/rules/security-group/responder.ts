/**
 * The pure side of the `sg-drift-revert` responder: its settings (environment and suite configuration), the
 * outcome of an execution, and the notice that tells people what changed, who changed it and what was done.
 */
import { buildAnnotation } from '../../core/annotation.ts';
import { type Actor, ROLE_ARN } from '../../core/cloudtrail.ts';
import {
  type Environment,
  executionRoleNameFromEnv,
  rulePrefixFromEnv,
  topicArnFromEnv,
} from '../../core/environment.ts';
import { ParameterError, type SuiteSettings } from '../../core/model.ts';
import type { Notice, Outcome } from '../../core/notification.ts';
import type { GroupState } from './permissions.ts';
import { describeRule } from './permissions.ts';
import type { BlockedPortsMode, ChangeCause, PlannedChange, RemediationPlan } from './plan.ts';

export const RESPONDER_NAME = 'sg-drift-revert';
/** The Config rule whose findings the responder acts on (after the deployment's rule prefix), for the notice's `rule` attribute. */
export const RULE_ID = 'security-group';
export const DEFAULT_BLOCKED_PORTS_MODE: BlockedPortsMode = 'report';
const BLOCKED_PORTS_MODES: readonly BlockedPortsMode[] = ['enforce', 'report', 'off'];
const SETTING_KEYS = ['blockedPortsMode', 'selfRoleArns'];

export interface DriftRevertSettings {
  /** What to do with world-open rules on `rules.security-group.blockedPorts`. */
  blockedPortsMode: BlockedPortsMode;
  /** Further exact role ARNs whose calls are the responder's own (added to the function's role). */
  selfRoleArns: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown, path: string, pattern: RegExp, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ParameterError(path, value, `expected a list of ${what}`);
  return value.map((entry, index) => {
    if (typeof entry !== 'string' || !pattern.test(entry)) {
      throw new ParameterError(`${path}[${index}]`, entry, `expected ${what.replace(/s$/, '')}`);
    }
    return entry;
  });
}

/** Validates `responders["sg-drift-revert"]`; errors name the setting (`responders.sg-drift-revert.…`). */
export function parseDriftRevertSettings(suite: SuiteSettings): DriftRevertSettings {
  const path = `responders.${RESPONDER_NAME}`;
  const responders = suite.responders;
  if (responders !== undefined && !isRecord(responders)) {
    throw new ParameterError('responders', responders, 'expected a map of responder name → settings');
  }
  const input = responders?.[RESPONDER_NAME];
  if (input === undefined || input === null) {
    return { blockedPortsMode: DEFAULT_BLOCKED_PORTS_MODE, selfRoleArns: [] };
  }
  if (!isRecord(input)) throw new ParameterError(path, input, 'expected { blockedPortsMode, selfRoleArns }');
  if (input.selfRoleNames !== undefined) {
    throw new ParameterError(
      `${path}.selfRoleNames`,
      input.selfRoleNames,
      'no longer supported: a role name can be taken by an IAM user or by a role in another account; list the exact role ARNs in selfRoleArns instead',
    );
  }
  for (const key of Object.keys(input)) {
    if (!SETTING_KEYS.includes(key)) {
      throw new ParameterError(
        `${path}.${key}`,
        input[key],
        `unknown setting (expected one of: ${SETTING_KEYS.join(', ')})`,
      );
    }
  }
  const mode = input.blockedPortsMode ?? DEFAULT_BLOCKED_PORTS_MODE;
  if (typeof mode !== 'string' || !BLOCKED_PORTS_MODES.includes(mode as BlockedPortsMode)) {
    throw new ParameterError(`${path}.blockedPortsMode`, mode, 'expected enforce, report or off');
  }
  return {
    blockedPortsMode: mode as BlockedPortsMode,
    selfRoleArns: stringList(input.selfRoleArns, `${path}.selfRoleArns`, ROLE_ARN, 'role ARNs'),
  };
}

export interface DriftRevertEnvironment {
  topicArn: string;
  /** Organisation mode: the role to assume in an event's account when it is not the function's. */
  executionRoleName?: string | undefined;
  /** The deployment's Config rule name, `<PLUMBLINE_RULE_PREFIX>security-group`, for the notice's `rule`. */
  ruleName: string;
}

/**
 * Reads `PLUMBLINE_TOPIC_ARN` (required), `PLUMBLINE_EXECUTION_ROLE_NAME` and `PLUMBLINE_RULE_PREFIX`; errors
 * name the variable.
 */
export function driftRevertEnvironment(env: Environment): DriftRevertEnvironment {
  return {
    topicArn: topicArnFromEnv(env),
    executionRoleName: executionRoleNameFromEnv(env),
    ruleName: `${rulePrefixFromEnv(env)}${RULE_ID}`,
  };
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
  /** The deployment's name of the Config rule (`DriftRevertEnvironment.ruleName`). */
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
