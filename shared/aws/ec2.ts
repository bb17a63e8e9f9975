/**
 * The EC2 adapter: reading a security group (`DescribeSecurityGroups`, and `DescribeSecurityGroupRules` for
 * calls that name only rule ids), building the API's `IpPermission`s from rules, and executing a remediation
 * plan with at most one revoke and one authorize call per direction. `securityGroupPort` is what the
 * `sg-drift-revert` spec is given.
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
  type EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { InputError } from '../core/model.ts';
import { logger } from '../lambda/logger.ts';
import type { GroupTarget } from '../rules/security-group/events.ts';
import {
  type Direction,
  type GroupState,
  groupStateFromApi,
  ruleKey,
  rulesFromApiPermissions,
  type SgRule,
} from '../rules/security-group/permissions.ts';
import type { PlannedChange, RemediationPlan } from '../rules/security-group/plan.ts';
import type { ChangeResult, SecurityGroupPort } from '../rules/security-group/responder.ts';
import { errorText } from './clients.ts';

const ALREADY_REVOKED = 'InvalidPermission.NotFound';
const ALREADY_AUTHORIZED = 'InvalidPermission.Duplicate';
const GROUP_NOT_FOUND = ['InvalidGroup.NotFound', 'InvalidGroupId.NotFound', 'InvalidGroupId.Malformed'];
const RULE_NOT_FOUND = ['InvalidSecurityGroupRuleId.NotFound', 'InvalidSecurityGroupRuleId.Malformed'];

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function failure(call: string, error: unknown): Error {
  return new Error(`${call} failed: ${errorText(error)}`, { cause: error });
}

/** The group with this id, or undefined when it does not exist (any more). */
async function describeGroupById(ec2: EC2Client, groupId: string): Promise<GroupState | undefined> {
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
async function describeGroupByName(ec2: EC2Client, groupName: string): Promise<GroupState | undefined> {
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
async function groupIdOfRules(ec2: EC2Client, ruleIds: readonly string[]): Promise<string | undefined> {
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
async function findGroup(ec2: EC2Client, target: GroupTarget): Promise<GroupState | undefined> {
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
async function executePlan(ec2: EC2Client, plan: RemediationPlan): Promise<ChangeResult[]> {
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

/** The `IpPermission` shape of the EC2 API (structurally the SDK's), built from rules. */
export interface IpPermissionInput {
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges?: { CidrIp: string; Description?: string }[];
  Ipv6Ranges?: { CidrIpv6: string; Description?: string }[];
  PrefixListIds?: { PrefixListId: string; Description?: string }[];
  UserIdGroupPairs?: { GroupId: string; UserId?: string; Description?: string }[];
}

/**
 * Batches rules into as few `IpPermission`s as possible: one per protocol and port range, every peer listed in
 * it. Descriptions go along when asked (authorize); a revoke matches without them.
 */
export function toIpPermissions(rules: readonly SgRule[], withDescriptions: boolean): IpPermissionInput[] {
  const byTraffic = new Map<string, IpPermissionInput>();
  for (const rule of rules) {
    const key = `${rule.protocol} ${rule.fromPort ?? '*'} ${rule.toPort ?? '*'}`;
    let permission = byTraffic.get(key);
    if (permission === undefined) {
      permission = {
        IpProtocol: rule.protocol,
        ...(rule.fromPort !== undefined ? { FromPort: rule.fromPort } : {}),
        ...(rule.toPort !== undefined ? { ToPort: rule.toPort } : {}),
      };
      byTraffic.set(key, permission);
    }
    addPeer(permission, rule, withDescriptions && rule.description ? { Description: rule.description } : {});
  }
  return [...byTraffic.values()];
}

function addPeer(permission: IpPermissionInput, rule: SgRule, description: { Description?: string }): void {
  const peer = rule.peer;
  switch (peer.kind) {
    case 'cidr':
      permission.IpRanges = [...(permission.IpRanges ?? []), { CidrIp: peer.value, ...description }];
      break;
    case 'cidrIpv6':
      permission.Ipv6Ranges = [...(permission.Ipv6Ranges ?? []), { CidrIpv6: peer.value, ...description }];
      break;
    case 'prefixList':
      permission.PrefixListIds = [
        ...(permission.PrefixListIds ?? []),
        { PrefixListId: peer.value, ...description },
      ];
      break;
    case 'group':
      permission.UserIdGroupPairs = [
        ...(permission.UserIdGroupPairs ?? []),
        {
          GroupId: peer.value,
          ...(peer.userId ? { UserId: peer.userId } : {}),
          ...description,
        },
      ];
      break;
  }
}

/** The `sg-drift-revert` spec's port onto EC2 in one account and Region. */
export function securityGroupPort(ec2: EC2Client): SecurityGroupPort {
  return {
    findGroup: (target) => findGroup(ec2, target),
    executePlan: (plan) => executePlan(ec2, plan),
  };
}
