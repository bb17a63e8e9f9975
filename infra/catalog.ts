/**
 * What the app deploys, function by function: names, what triggers each, and the API actions each one
 * calls (the only ones its role gets). Everything here is derived from the rules registry and the responder
 * specs (`shared/rules/index.ts`): a rule or responder added there is deployed without an edit here. The
 * stacks read this; nothing here creates a resource.
 */
import type { InventoryStrategy } from '../shared/aws/config-inventory.ts';
import { isGlobalResourceType } from '../shared/core/account-item.ts';
import { complianceNotifierSpec, DEFAULT_RULE_PREFIX } from '../shared/core/compliance-change.ts';
import { type ActionGrant, type AnyRule, InputError } from '../shared/core/model.ts';
import type { AnyResponderSpec } from '../shared/core/responder.ts';
import { RESPONDERS, RULES } from '../shared/rules/index.ts';

export type { ActionGrant };

/** One Config-rule function per registry rule, named after the rule. */
export const CONFIG_RULE_FUNCTIONS: readonly string[] = RULES.map((rule) => rule.name);
/** One function per responder spec, named after the spec. */
export const RESPONDER_FUNCTIONS: readonly string[] = RESPONDERS.map((responder) => responder.name);
export const NOTIFIER_FUNCTION = complianceNotifierSpec.name;

/** A registry rule's name. */
export type ConfigRuleFunction = string;
/** A responder spec's name. */
export type ResponderFunction = string;
export type EventFunction = string;
export type FunctionName = string;

function registryRule(name: string): AnyRule {
  const rule = RULES.find((candidate) => candidate.name === name);
  if (rule === undefined) throw new Error(`No rule named ${name} in shared/rules/index.ts`);
  return rule;
}

function responderSpec(name: string): AnyResponderSpec {
  const responder = RESPONDERS.find((candidate) => candidate.name === name);
  if (responder === undefined) throw new Error(`No responder named ${name} in shared/rules/index.ts`);
  return responder;
}

/**
 * Whether the rule's Config rule is triggered on a schedule only (`Rule.trigger: 'periodic'`): for rules whose
 * facts Config does not record (IAM's credential report and account summary), as the managed rules they
 * stand in for. Such a rule has no scope: a periodic rule's scope filters nothing Config sends.
 */
export const isPeriodicOnly = (rule: ConfigRuleFunction): boolean =>
  registryRule(rule).trigger === 'periodic';

/**
 * Whether the rule judges only global resources (IAM users, the account itself): its Config rule is created in
 * the home region only, so that each account's IAM users are judged once, not once a region.
 */
export const isGlobalRule = (rule: ConfigRuleFunction): boolean =>
  registryRule(rule).resourceTypes.every(isGlobalResourceType);

/** Whether `name` is a Config-rule function (a registry rule). */
export const isConfigRuleFunction = (name: string): boolean => CONFIG_RULE_FUNCTIONS.includes(name);

/**
 * Whether the stack of a region deploys the function `name` (and its Config rule): a global rule's only in the
 * home region, every other function in every region. Both modes.
 */
export const deployedInRegion = (name: FunctionName, homeRegion: boolean): boolean =>
  homeRegion || !(isConfigRuleFunction(name) && isGlobalRule(name));

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

/** AWS Config and Lambda take at most 256 characters of description. */
export const DESCRIPTION_LIMIT = 256;

const described = (text: string) => {
  const description = `Plumbline: ${text}`;
  return description.length <= DESCRIPTION_LIMIT
    ? description
    : `${description.slice(0, DESCRIPTION_LIMIT - 1)}…`;
};

/** The Config rule's description: the rule's own (`Rule.description`). */
export const ruleDescription = (rule: ConfigRuleFunction): string =>
  described(registryRule(rule).description);

/** The Lambda function's description: the rule's, the responder spec's, or the notifier's. */
export function functionDescription(name: FunctionName): string {
  if (name === NOTIFIER_FUNCTION) return described(complianceNotifierSpec.description);
  if (isConfigRuleFunction(name)) return ruleDescription(name);
  return described(responderSpec(name).description);
}

/** The EventBridge patterns, shared by the responders' rules and the member accounts' forwarding rules. */
export interface EventPatternSpec {
  source: string[];
  'detail-type': string[];
  detail: Record<string, unknown>;
}

/** The CloudTrail calls a responder spec names (`eventSource`, `eventNames`), failed calls left out. */
const cloudTrailPattern = (responder: AnyResponderSpec): EventPatternSpec => ({
  source: [`aws.${responder.eventSource.replace(/\.amazonaws\.com$/, '')}`],
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: {
    eventSource: [responder.eventSource],
    eventName: [...responder.eventNames],
    // A failed call changed nothing: never wake a responder for it.
    errorCode: [{ exists: false }],
  },
});

export const EVENT_PATTERNS: Record<EventFunction, EventPatternSpec> = {
  ...Object.fromEntries(RESPONDERS.map((responder) => [responder.name, cloudTrailPattern(responder)])),
  [NOTIFIER_FUNCTION]: complianceNotifierSpec.eventPattern(RULE_PREFIX),
};

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
 * What a rule declares beyond the Config runtime's reads and writes: `readActions` (account-level reads for
 * its account facts, granted on `*`) and `grants` (scoped ones).
 */
export function ruleGrants(rule: AnyRule): ActionGrant[] {
  const reads = rule.readActions ?? [];
  return [
    ...(reads.length > 0
      ? [
          {
            actions: [...reads],
            resources: ['*'],
            wildcardReason: `${reads.join(', ')} ${reads.length === 1 ? 'is an account-level read' : 'are account-level reads'} with no resource type (the ${rule.name} rule's account facts)`,
          },
        ]
      : []),
    ...(rule.grants ?? []),
  ];
}

/**
 * Each function's actions, for a deployment that reads the inventory with `inventory`: a Config-rule
 * function the runtime's reads and writes plus what its rule declares; a responder what its spec declares.
 */
function actionsFor(inventory: InventoryStrategy): Record<FunctionName, ActionGrant[]> {
  const configGrants = configReadWrite(inventory);
  return {
    ...Object.fromEntries(RULES.map((rule) => [rule.name, [...configGrants, ...ruleGrants(rule)]])),
    ...Object.fromEntries(RESPONDERS.map((responder) => [responder.name, [...responder.grants]])),
    [NOTIFIER_FUNCTION]: [...complianceNotifierSpec.grants],
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
  const grants = ACTIONS_BY_INVENTORY[inventory][name];
  if (grants === undefined) throw new Error(`No function named ${name} in the catalog`);
  return grants;
}

/**
 * Organisation mode: the longest suffix a member role name takes, `-<function>` (IAM's 64 characters bound
 * `executionRoleName` by it).
 */
export const MEMBER_ROLE_SUFFIX_LENGTH = Math.max(...ALL_FUNCTIONS.map((name) => name.length + 1));

/**
 * Organisation mode: the role `name` assumes in a member account, `<executionRoleName>-<function>`. One per
 * function, each Config-rule function's included: each holds only its function's actions (only an IAM rule's
 * role reads IAM) and trusts only its function's roles, so that a flaw in one can never use another's
 * permissions, and each trust policy lists one role per region.
 */
export function memberRoleName(executionRoleName: string, name: FunctionName): string {
  if (!ALL_FUNCTIONS.includes(name)) throw new Error(`No function named ${name} in the catalog`);
  const roleName = `${executionRoleName}-${name}`;
  if (roleName.length > ROLE_NAME_LIMIT) {
    throw new InputError(
      `Invalid context plumbline:executionRoleName=${JSON.stringify(executionRoleName)}: the member role name ` +
        `${roleName} is ${roleName.length} characters; IAM accepts ${ROLE_NAME_LIMIT}: choose a shorter executionRoleName`,
    );
  }
  return roleName;
}

/** The member roles of the `deployed` functions: one per function, with the function that may assume it. */
export function memberRoles(
  executionRoleName: string,
  deployed: readonly FunctionName[],
): { roleName: string; function: FunctionName }[] {
  return deployed.map((name) => ({ roleName: memberRoleName(executionRoleName, name), function: name }));
}

/** The pattern of `name`'s trigger (and forwarding rule) for a deployment whose rule names start with `<prefix>-`. */
export function eventPattern(name: EventFunction, prefix = DEFAULT_NAME_PREFIX): EventPatternSpec {
  if (name === NOTIFIER_FUNCTION) {
    return complianceNotifierSpec.eventPattern(rulePrefix(prefix));
  }
  return cloudTrailPattern(responderSpec(name));
}
