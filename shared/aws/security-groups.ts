/**
 * EC2 side of the security-group guardrail: reading a group (`DescribeSecurityGroups`, and
 * `DescribeSecurityGroupRules` for calls that name only rule ids), executing a remediation plan with at most one
 * revoke and one authorize call per direction, and the `sg-drift-revert` responder that ties CloudTrail events,
 * the pure planner and SNS together.
 *
 * Idempotent: `InvalidPermission.NotFound` on a revoke and `InvalidPermission.Duplicate` on an authorize mean the
 * work is already done (for a batch, the group is read again and only what remains is retried), and a revoke's
 * `UnknownIpPermissions` were already gone.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import type { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import {
  actorOf,
  eventAccount,
  functionRoleArnsFromEnv,
  isOwnCall,
  parseCloudTrailEvent,
  type SelfIdentity,
} from '../core/cloudtrail.ts';
import { InputError } from '../core/model.ts';
import type { Outcome } from '../core/notification.ts';
import type { SuiteConfig } from '../core/suite-config.ts';
import { logger } from '../lambda/logger.ts';
import { bundledSuiteConfig } from '../lambda/suite.ts';
import { resolveBaseline } from '../rules/security-group/baselines.ts';
import {
  type GroupTarget,
  isSecurityGroupEvent,
  readSecurityGroupCall,
} from '../rules/security-group/events.ts';
import { parseSecurityGroupParameters } from '../rules/security-group/parameters.ts';
import {
  type Direction,
  type GroupState,
  groupStateFromApi,
  ruleKey,
  rulesFromApiPermissions,
  type SgRule,
  toIpPermissions,
} from '../rules/security-group/permissions.ts';
import { type PlannedChange, planRemediation, type RemediationPlan } from '../rules/security-group/plan.ts';
import {
  type ChangeResult,
  type DriftRevertEnvironment,
  describeChangeResult,
  describePlannedChange,
  driftRevertEnvironment,
  failureNotice,
  type NoticeInput,
  outcomeOf,
  parseDriftRevertSettings,
  RESPONDER_NAME,
  remediationNotice,
} from '../rules/security-group/responder.ts';
import { assumedRoleCredentials, roleArn } from './assume-role.ts';
import { clientCache, clientSettings } from './clients.ts';
import { publishNotice } from './notify.ts';

const ALREADY_REVOKED = 'InvalidPermission.NotFound';
const ALREADY_AUTHORIZED = 'InvalidPermission.Duplicate';
const GROUP_NOT_FOUND = ['InvalidGroup.NotFound', 'InvalidGroupId.NotFound', 'InvalidGroupId.Malformed'];
const RULE_NOT_FOUND = ['InvalidSecurityGroupRuleId.NotFound', 'InvalidSecurityGroupRuleId.Malformed'];

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function failure(call: string, error: unknown): Error {
  return new Error(`${call} failed: ${errorText(error)}`, { cause: error });
}

/** The group with this id, or undefined when it does not exist (any more). */
export async function describeGroupById(ec2: EC2Client, groupId: string): Promise<GroupState | undefined> {
  try {
    const response = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    const group = response.SecurityGroups?.find((candidate) => candidate.GroupId === groupId);
    return group === undefined ? undefined : groupStateFromApi(group);
  } catch (error) {
    if (GROUP_NOT_FOUND.includes(errorName(error))) return undefined;
    throw failure(`DescribeSecurityGroups for ${groupId}`, error);
  }
}

/** The default VPC's group with this name (`GroupNames` only looks there), or undefined. */
export async function describeGroupByName(
  ec2: EC2Client,
  groupName: string,
): Promise<GroupState | undefined> {
  try {
    const response = await ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: [groupName] }));
    const [group, ...others] = response.SecurityGroups ?? [];
    if (others.length > 0) throw new Error(`more than one security group is named ${groupName}`);
    return group === undefined ? undefined : groupStateFromApi(group);
  } catch (error) {
    if (GROUP_NOT_FOUND.includes(errorName(error))) return undefined;
    throw failure(`DescribeSecurityGroups for the group named ${groupName}`, error);
  }
}

/** The group that holds these security-group rules, or undefined when none of them exists any more. */
export async function groupIdOfRules(
  ec2: EC2Client,
  ruleIds: readonly string[],
): Promise<string | undefined> {
  try {
    const response = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [...ruleIds] }),
    );
    return response.SecurityGroupRules?.find((rule) => rule.GroupId)?.GroupId;
  } catch (error) {
    if (RULE_NOT_FOUND.includes(errorName(error))) return undefined;
    throw failure(`DescribeSecurityGroupRules for ${ruleIds.join(', ')}`, error);
  }
}

/**
 * The group a call named: by id, by name (default VPC), or through its rule ids. Undefined when the named group
 * no longer exists; an error when only rule ids were given and none of them can be found (the group is unknown).
 */
export async function findGroup(ec2: EC2Client, target: GroupTarget): Promise<GroupState | undefined> {
  if (target.groupId) return describeGroupById(ec2, target.groupId);
  if (target.groupName) return describeGroupByName(ec2, target.groupName);
  const groupId = await groupIdOfRules(ec2, target.ruleIds);
  if (groupId === undefined) {
    throw new InputError(
      `Cannot tell which security group was changed: the event names no group and its rules (${target.ruleIds.join(', ')}) no longer exist`,
    );
  }
  return describeGroupById(ec2, groupId);
}

type Action = PlannedChange['action'];

async function send(
  ec2: EC2Client,
  action: Action,
  direction: Direction,
  groupId: string,
  rules: readonly SgRule[],
) {
  const IpPermissions = toIpPermissions(rules, action === 'authorize');
  const input = { GroupId: groupId, IpPermissions };
  if (action === 'revoke') {
    const response =
      direction === 'ingress'
        ? await ec2.send(new RevokeSecurityGroupIngressCommand(input))
        : await ec2.send(new RevokeSecurityGroupEgressCommand(input));
    return rulesFromApiPermissions(direction, response.UnknownIpPermissions, 'UnknownIpPermissions');
  }
  if (direction === 'ingress') await ec2.send(new AuthorizeSecurityGroupIngressCommand(input));
  else await ec2.send(new AuthorizeSecurityGroupEgressCommand(input));
  return [];
}

const STEPS: readonly [Action, Direction][] = [
  ['revoke', 'ingress'],
  ['revoke', 'egress'],
  ['authorize', 'ingress'],
  ['authorize', 'egress'],
];

/**
 * Makes the plan's enforced changes: revokes first (freeing room under the rules-per-group quota), then
 * authorizations, each direction in one batched call. Never throws: each change's result says what happened.
 */
export async function executePlan(ec2: EC2Client, plan: RemediationPlan): Promise<ChangeResult[]> {
  const results = new Map<PlannedChange, ChangeResult>();
  for (const change of plan.changes) {
    if (!change.enforce) results.set(change, { change, status: 'reported' });
  }
  for (const [action, direction] of STEPS) {
    const changes = plan.changes.filter(
      (change) => change.enforce && change.action === action && change.rule.direction === direction,
    );
    if (changes.length === 0) continue;
    for (const result of await executeStep(ec2, plan.groupId, action, direction, changes)) {
      results.set(result.change, result);
    }
  }
  return plan.changes.flatMap((change) => results.get(change) ?? []);
}

/** Applied, except those EC2 reported as already gone (a revoke's `UnknownIpPermissions`). */
function appliedResults(changes: readonly PlannedChange[], alreadyGone: readonly SgRule[]): ChangeResult[] {
  const gone = new Set(alreadyGone.map(ruleKey));
  return changes.map((change) => ({
    change,
    status: gone.has(ruleKey(change.rule)) ? 'already-done' : 'applied',
  }));
}

function failedResults(changes: readonly PlannedChange[], error: string): ChangeResult[] {
  return changes.map((change) => ({ change, status: 'failed', error }));
}

function doneResults(changes: readonly PlannedChange[]): ChangeResult[] {
  return changes.map((change) => ({ change, status: 'already-done' }));
}

async function executeStep(
  ec2: EC2Client,
  groupId: string,
  action: Action,
  direction: Direction,
  changes: readonly PlannedChange[],
): Promise<ChangeResult[]> {
  const idempotentCode = action === 'revoke' ? ALREADY_REVOKED : ALREADY_AUTHORIZED;
  const call = `${action === 'revoke' ? 'Revoke' : 'Authorize'}SecurityGroup${direction === 'ingress' ? 'Ingress' : 'Egress'}`;
  const attempt = async (batch: readonly PlannedChange[]) => {
    try {
      const alreadyGone = await send(
        ec2,
        action,
        direction,
        groupId,
        batch.map((change) => change.rule),
      );
      return appliedResults(batch, alreadyGone);
    } catch (error) {
      if (errorName(error) === idempotentCode) return undefined;
      return failedResults(batch, `${call}: ${errorText(error)}`);
    }
  };
  const first = await attempt(changes);
  if (first !== undefined) return first;
  if (changes.length === 1) return doneResults(changes);
  // Part of the batch was already done, so EC2 refused all of it: read the group, redo only what is left.
  logger.info('batch partly done already; reading the group again', { groupId, call, code: idempotentCode });
  let current: GroupState | undefined;
  try {
    current = await describeGroupById(ec2, groupId);
  } catch (error) {
    return failedResults(changes, errorText(error));
  }
  if (current === undefined) return failedResults(changes, `security group ${groupId} no longer exists`);
  const present = new Set(current[direction].map(ruleKey));
  const remaining = changes.filter((change) => present.has(ruleKey(change.rule)) === (action === 'revoke'));
  const done = doneResults(changes.filter((change) => !remaining.includes(change)));
  if (remaining.length === 0) return done;
  return [...done, ...((await attempt(remaining)) ?? doneResults(remaining))];
}

// ---- The responder ----

export interface DriftRevertOptions {
  sns: SNSClient;
  sts?: STSClient;
  /** The EC2 client for the function's own account and region. */
  ec2?: EC2Client;
  /** Builds an EC2 client for another region or account; `credentials` undefined means the function's role. */
  createEc2Client?: (region: string, credentials?: AwsCredentialIdentityProvider) => EC2Client;
  environment?: () => DriftRevertEnvironment;
  selfIdentity?: () => SelfIdentity;
  suiteConfig?: () => SuiteConfig;
  region?: string;
  now?: () => Date;
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

interface AccountClient {
  ec2: EC2Client;
  /** Assumed-role credentials in a member account; undefined for the function's own role. */
  credentials?: AwsCredentialIdentityProvider | undefined;
}

/** `arn:aws:lambda:us-east-1:123456789012:function:name` → `123456789012`. */
function accountOfFunction(functionArn: string | undefined): string | undefined {
  const account = functionArn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/**
 * The `sg-drift-revert` function: CloudTrail security-group call → the group's state → plan → revoke/authorize →
 * one SNS notice. Skips failed calls and its own calls; throws on failure (after notifying `failed` or
 * `partial` where it can), so EventBridge retries and the dead-letter queue keeps what still fails.
 */
export function createDriftRevert(options: DriftRevertOptions) {
  const readEnvironment = options.environment ?? (() => driftRevertEnvironment(process.env));
  const readSelf = options.selfIdentity ?? (() => ({ roleArns: functionRoleArnsFromEnv(process.env) }));
  const suiteConfig = options.suiteConfig ?? bundledSuiteConfig;
  const ownRegion = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const now = options.now ?? (() => new Date());
  const createEc2 =
    options.createEc2Client ??
    ((region: string, credentials?: AwsCredentialIdentityProvider) =>
      new EC2Client({ ...clientSettings(credentials), region }));
  let sts = options.sts;
  let environment: DriftRevertEnvironment | undefined;
  const ec2For = clientCache((key): AccountClient => {
    const [region = ownRegion, assumeArn] = key.split('|');
    if (!assumeArn) return { ec2: region === ownRegion && options.ec2 ? options.ec2 : createEc2(region) };
    sts ??= new STSClient(clientSettings());
    const credentials = assumedRoleCredentials(sts, assumeArn, `plumbline-${RESPONDER_NAME}`);
    return { ec2: createEc2(region, credentials), credentials };
  });

  function clientFor(
    accountId: string,
    region: string,
    ownAccount: string | undefined,
    roleName: string | undefined,
  ): AccountClient {
    if (ownAccount === undefined || accountId === ownAccount) return ec2For(region);
    if (roleName === undefined) {
      throw new InputError(
        `The event is from account ${accountId}, not the function's account ${ownAccount}: set PLUMBLINE_EXECUTION_ROLE_NAME to act there`,
      );
    }
    return ec2For(`${region}|${roleArn(accountId, roleName, region)}`);
  }

  async function notifyFailure(input: NoticeInput, error: Error, topicArn: string): Promise<void> {
    try {
      await publishNotice(options.sns, topicArn, failureNotice(input, error));
    } catch (publishError) {
      logger.error('could not notify the failure', {
        error: publishError as Error,
        groupId: input.group.groupId,
      });
    }
  }

  return async (input: unknown, context?: { invokedFunctionArn?: string }): Promise<DriftRevertResult> => {
    // Validated on the first invocation rather than at import, so a bundle loads without its environment.
    environment ??= readEnvironment();
    const event = parseCloudTrailEvent(input);
    const detail = event.detail;
    if (detail.eventSource !== 'ec2.amazonaws.com' || !isSecurityGroupEvent(detail.eventName)) {
      return skip(`not a security-group call: ${detail.eventSource} ${detail.eventName}`);
    }
    if (detail.errorCode) return skip(`the call failed (${detail.errorCode}) and changed nothing`);
    const suite = suiteConfig();
    const settings = parseDriftRevertSettings(suite.settings);
    const self: SelfIdentity = {
      roleArns: [...readSelf().roleArns, ...settings.selfRoleArns],
      executionRoleName: environment.executionRoleName,
    };
    if (isOwnCall(event, self)) return skip(`own call (${detail.userIdentity.arn ?? 'unknown caller'})`);
    const call = readSecurityGroupCall(detail);
    const params = parseSecurityGroupParameters(suite.rules['security-group'] ?? {}, suite.settings);
    const accountId = eventAccount(event);
    const region = detail.awsRegion;
    const target = clientFor(
      accountId,
      region,
      accountOfFunction(context?.invokedFunctionArn),
      environment.executionRoleName,
    );
    const ec2 = target.ec2;
    const { topicArn, ruleName } = environment;
    const noticeInput = (group: NoticeInput['group']): NoticeInput => ({
      rule: ruleName,
      group,
      accountId,
      region,
      actor: actorOf(detail),
      callChanges: call.changes,
      when: now().toISOString(),
    });

    let group: GroupState | undefined;
    let plan: RemediationPlan;
    try {
      await target.credentials?.(); // one clear error naming the role, before any EC2 call
      group = await findGroup(ec2, call.target);
      if (group === undefined) {
        return skip(
          `security group ${call.target.groupId ?? call.target.groupName ?? call.target.ruleIds.join(', ')} no longer exists`,
        );
      }
      plan = planRemediation(group, resolveBaseline(group, params.baselines), {
        blocked: params.blocked,
        maxOpenPrefix: params.maxOpenPrefix,
        mode: settings.blockedPortsMode,
      });
    } catch (error) {
      const groupId = group?.groupId ?? call.target.groupId;
      if (groupId !== undefined)
        await notifyFailure(noticeInput(group ?? { groupId }), error as Error, topicArn);
      throw error;
    }
    if (plan.changes.length === 0) {
      logger.info('nothing to revert', {
        groupId: group.groupId,
        baseline: plan.baseline?.name,
        eventName: call.eventName,
      });
      return {
        status: 'handled',
        groupId: group.groupId,
        baseline: plan.baseline?.name,
        outcome: 'no-change',
        plan: [],
      };
    }
    logger.info('remediation plan', {
      groupId: group.groupId,
      baseline: plan.baseline,
      blockedPortsMode: plan.blockedPortsMode,
      changes: plan.changes.map((change) => describePlannedChange(change, plan)),
    });
    const results = await executePlan(ec2, plan);
    const outcome = outcomeOf(results);
    const lines = results.map((result) => describeChangeResult(result, plan));
    logger.info('remediation done', { groupId: group.groupId, outcome, results: lines });
    let messageId: string | undefined;
    try {
      messageId = await publishNotice(
        options.sns,
        topicArn,
        remediationNotice(noticeInput(group), plan, results),
      );
    } catch (error) {
      logger.error('could not publish the notice', {
        error: error as Error,
        groupId: group.groupId,
        outcome,
        results: lines,
      });
      if (outcome !== 'failed' && outcome !== 'partial') throw error;
    }
    if (outcome === 'failed' || outcome === 'partial') {
      const failed = results
        .filter((result) => result.status === 'failed')
        .map((result) => describeChangeResult(result, plan));
      throw new Error(`${RESPONDER_NAME}: ${outcome} on ${group.groupId}: ${failed.join('; ')}`);
    }
    return {
      status: 'handled',
      groupId: group.groupId,
      baseline: plan.baseline?.name,
      outcome,
      plan: lines,
      messageId,
    };
  };
}

function skip(reason: string): DriftRevertResult {
  logger.info('event skipped', { reason });
  return { status: 'skipped', reason };
}
