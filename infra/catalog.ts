/**
 * What the app deploys, function by function: names, what triggers each, and the API actions each one
 * calls (the only ones its role gets). The stacks read this; nothing here creates a resource.
 */
import type { InventoryStrategy } from '../shared/aws/config-inventory.ts';
import { complianceChangeEventPattern, DEFAULT_RULE_PREFIX } from '../shared/core/compliance-change.ts';
import { HANDLED_EVENTS } from '../shared/rules/public-bucket/responder.ts';
import { SECURITY_GROUP_EVENT_NAMES } from '../shared/rules/security-group/events.ts';

export const CONFIG_RULE_FUNCTIONS = ['security-group', 'required-tags', 'public-bucket'] as const;
export const RESPONDER_FUNCTIONS = ['sg-drift-revert', 'public-bucket-remediate'] as const;
export const NOTIFIER_FUNCTION = 'compliance-notifier' as const;

export type ConfigRuleFunction = (typeof CONFIG_RULE_FUNCTIONS)[number];
export type ResponderFunction = (typeof RESPONDER_FUNCTIONS)[number];
export type EventFunction = ResponderFunction | typeof NOTIFIER_FUNCTION;
export type FunctionName = ConfigRuleFunction | EventFunction;

/** The functions EventBridge invokes: the responders (unless turned off) and the notifier. */
export function eventFunctions(responders: boolean): EventFunction[] {
  return responders ? [...RESPONDER_FUNCTIONS, NOTIFIER_FUNCTION] : [NOTIFIER_FUNCTION];
}

/** Every function a deployment with (or without) the responders creates. */
export function deployedFunctions(responders: boolean): FunctionName[] {
  return [...CONFIG_RULE_FUNCTIONS, ...eventFunctions(responders)];
}

export const ALL_FUNCTIONS: readonly FunctionName[] = [
  ...CONFIG_RULE_FUNCTIONS,
  ...RESPONDER_FUNCTIONS,
  NOTIFIER_FUNCTION,
];

/** The `namePrefix` setting's default: every fixed name starts with `<prefix>-`. */
export const DEFAULT_NAME_PREFIX = 'plumbline';

/** Config rule names are `<prefix>-<rule>`; the notifier recognises them (and `OrgConfigRule-<prefix>-…`). */
export const RULE_PREFIX = DEFAULT_RULE_PREFIX;
export const rulePrefix = (prefix = DEFAULT_NAME_PREFIX) => `${prefix}-`;
export const configRuleName = (rule: ConfigRuleFunction, prefix = DEFAULT_NAME_PREFIX) =>
  `${rulePrefix(prefix)}${rule}`;
export const lambdaFunctionName = (name: FunctionName, prefix = DEFAULT_NAME_PREFIX) => `${prefix}-${name}`;

/** Each function's role lives under its own IAM path, `/<prefix>/<function>/`. */
export const rolePath = (name: FunctionName, prefix = DEFAULT_NAME_PREFIX) => `/${prefix}/${name}/`;

/**
 * Organisation mode: the function's role in `region` has this name, so that its ARN is known at synth and a
 * member role can trust exactly it (IAM is global: one role per function and region).
 */
export const functionRoleName = (name: FunctionName, region: string, prefix = DEFAULT_NAME_PREFIX) =>
  `${prefix}-${name}-${region}`;

/** IAM's limit on a role name. */
export const ROLE_NAME_LIMIT = 64;

/** `arn:<partition>:iam::<account>:role/<prefix>/<function>/<prefix>-<function>-<region>` */
export const functionRoleArn = (
  partition: string,
  account: string,
  name: FunctionName,
  region: string,
  prefix = DEFAULT_NAME_PREFIX,
) =>
  `arn:${partition}:iam::${account}:role${rolePath(name, prefix)}${functionRoleName(name, region, prefix)}`;

export const RULE_DESCRIPTIONS: Record<ConfigRuleFunction, string> = {
  'security-group':
    'Plumbline: security groups open beyond what was declared (blocked ports, baseline drift).',
  'required-tags': 'Plumbline: resources missing required tags or carrying values outside the allowed set.',
  'public-bucket':
    'Plumbline: S3 buckets that are public by ACL or policy, with Block Public Access considered.',
};

export const FUNCTION_DESCRIPTIONS: Record<FunctionName, string> = {
  ...RULE_DESCRIPTIONS,
  'sg-drift-revert':
    'Plumbline: reverts security-group drift from the declared baseline; blocked ports opened to the world are reported or revoked (blockedPortsMode).',
  'public-bucket-remediate':
    "Plumbline: checks a bucket when CloudTrail reports an ACL, policy or Block Public Access change; reports it, or (mode enforce) turns on the bucket's Block Public Access.",
  'compliance-notifier':
    'Plumbline: tells people when a Plumbline rule changes compliance, and who changed what.',
};

/** The EventBridge patterns, shared by the responders' rules and the member accounts' forwarding rules. */
export interface EventPatternSpec {
  source: string[];
  'detail-type': string[];
  detail: Record<string, unknown>;
}

const cloudTrailPattern = (service: string, eventNames: readonly string[]): EventPatternSpec => ({
  source: [`aws.${service}`],
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: {
    eventSource: [`${service}.amazonaws.com`],
    eventName: [...eventNames],
    // A failed call changed nothing: never wake a responder for it.
    errorCode: [{ exists: false }],
  },
});

export const EVENT_PATTERNS: Record<EventFunction, EventPatternSpec> = {
  // The calls each responder handles, as its own module lists them.
  'sg-drift-revert': cloudTrailPattern('ec2', SECURITY_GROUP_EVENT_NAMES),
  'public-bucket-remediate': cloudTrailPattern('s3', HANDLED_EVENTS),
  'compliance-notifier': complianceChangeEventPattern({ rulePrefix: RULE_PREFIX, notifyAllRules: false }),
};

/**
 * API actions, by resource scope. `account` means the statement's resources are the function's own account
 * (or, in a member account, that account): the stacks fill in partition, region and account.
 */
export interface ActionGrant {
  actions: string[];
  /** `*` for actions without resource-level permissions; otherwise ARN patterns with `{partition}`… */
  resources: string[];
  /** Restrict to resources owned by the account the role is in (for S3, whose ARNs carry no account). */
  ownAccountOnly?: boolean;
  /** Why `*` or a wildcard is the narrowest scope the API allows (shown in the cdk-nag acknowledgement). */
  wildcardReason?: string;
}

/**
 * The reads of a periodic run's inventory scan, by the `inventory` setting (`PLUMBLINE_INVENTORY`, see
 * `shared/aws/config-inventory.ts`): a function is granted only the calls of the strategy it is deployed with.
 */
export const INVENTORY_ACTIONS: Record<InventoryStrategy, readonly string[]> = {
  select: ['config:SelectResourceConfig'],
  list: ['config:ListDiscoveredResources', 'config:BatchGetResourceConfig'],
};

function configReadWrite(inventory: InventoryStrategy): ActionGrant[] {
  const actions = [
    'config:PutEvaluations',
    'config:GetResourceConfigHistory',
    ...INVENTORY_ACTIONS[inventory],
  ];
  return [
    {
      actions,
      resources: ['*'],
      wildcardReason: `AWS Config ${actions.map((action) => action.replace('config:', '')).join(', ')} support no resource-level permissions`,
    },
    {
      actions: ['config:GetComplianceDetailsByConfigRule'],
      resources: ['arn:{partition}:config:{region}:{account}:config-rule/*'],
      wildcardReason:
        'Config rule ARNs end in an id Config assigns at creation; the stale-result clean-up reads the rule that invoked it',
    },
  ];
}

/**
 * Each function's actions, for a deployment that reads the inventory with `inventory`. The Config-rule
 * functions share the same grant objects, so that a role serving all three holds each statement once.
 */
function actionsFor(inventory: InventoryStrategy): Record<FunctionName, ActionGrant[]> {
  const configGrants = configReadWrite(inventory);
  return {
    'security-group': configGrants,
    'required-tags': configGrants,
    'public-bucket': [
      ...configGrants,
      {
        actions: ['s3:GetAccountPublicAccessBlock'],
        resources: ['*'],
        wildcardReason: 's3:GetAccountPublicAccessBlock is an account-level action with no resource type',
      },
    ],
    'sg-drift-revert': [
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
    'public-bucket-remediate': [
      {
        actions: [
          's3:GetBucketAcl',
          's3:GetBucketPolicy',
          's3:GetBucketPublicAccessBlock',
          's3:GetBucketOwnershipControls',
          's3:PutBucketPublicAccessBlock',
        ],
        resources: ['arn:{partition}:s3:::*'],
        ownAccountOnly: true,
        wildcardReason:
          "the responder acts on whichever bucket CloudTrail reports; aws:ResourceAccount limits it to this account's buckets",
      },
      {
        // ListAllMyBuckets: an account-level Block Public Access change re-checks every bucket of the account.
        actions: ['s3:GetAccountPublicAccessBlock', 's3:ListAllMyBuckets'],
        resources: ['*'],
        wildcardReason:
          's3:GetAccountPublicAccessBlock and s3:ListAllMyBuckets are account-level actions with no resource type',
      },
    ],
    'compliance-notifier': [
      {
        actions: ['cloudtrail:LookupEvents'],
        resources: ['*'],
        wildcardReason: 'cloudtrail:LookupEvents supports no resource-level permissions',
      },
      {
        // The resource's name for the message (a security group's name), read from Config's inventory.
        actions: ['config:ListDiscoveredResources'],
        resources: ['*'],
        wildcardReason: 'config:ListDiscoveredResources supports no resource-level permissions',
      },
    ],
  };
}

const ACTIONS_BY_INVENTORY: Record<InventoryStrategy, Record<FunctionName, ActionGrant[]>> = {
  select: actionsFor('select'),
  list: actionsFor('list'),
};

/** Each function's actions with the default inventory strategy (`select`). */
export const ACTIONS: Record<FunctionName, ActionGrant[]> = ACTIONS_BY_INVENTORY.select;

/** The actions `name` calls when the Config-rule functions read the inventory with `inventory`. */
export function functionActions(name: FunctionName, inventory: InventoryStrategy): ActionGrant[] {
  return ACTIONS_BY_INVENTORY[inventory][name];
}

/**
 * Organisation mode: the role each function assumes in a member account. The Config-rule functions share the
 * execution role named by the `ExecutionRoleName` rule parameter (read-only plus PutEvaluations); each
 * responder and the notifier get their own, so that a flaw in one can never use another's permissions.
 */
export function memberRoleName(executionRoleName: string, name: FunctionName): string {
  return (CONFIG_RULE_FUNCTIONS as readonly string[]).includes(name)
    ? executionRoleName
    : `${executionRoleName}-${name}`;
}

/** The member roles of the `deployed` functions, each with the functions that may assume it. */
export function memberRoles(
  executionRoleName: string,
  deployed: readonly FunctionName[],
): { roleName: string; functions: FunctionName[] }[] {
  const roles = new Map<string, FunctionName[]>();
  for (const name of deployed) {
    const roleName = memberRoleName(executionRoleName, name);
    roles.set(roleName, [...(roles.get(roleName) ?? []), name]);
  }
  return [...roles].map(([roleName, functions]) => ({ roleName, functions }));
}

/** The pattern of `name`'s trigger (and forwarding rule) for a deployment whose rule names start with `<prefix>-`. */
export function eventPattern(name: EventFunction, prefix = DEFAULT_NAME_PREFIX): EventPatternSpec {
  return name === NOTIFIER_FUNCTION
    ? complianceChangeEventPattern({ rulePrefix: rulePrefix(prefix), notifyAllRules: false })
    : EVENT_PATTERNS[name];
}
