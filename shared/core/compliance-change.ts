/**
 * The EventBridge `Config Rules Compliance Change` event, and what the compliance notifier makes of it:
 * which rules it speaks for, which transitions matter, how a repeat is recognised, and the notice it sends.
 *
 * Shapes: AWS Config Developer Guide, "Example Compliance Change Notification" (the `detail` object:
 * `configRuleName`, `resourceType`, `resourceId`, `awsAccountId`, `awsRegion`, `newEvaluationResult`,
 * `oldEvaluationResult`, `messageType: ComplianceChangeNotification`, `annotation` null when unset) inside the
 * EventBridge envelope (`source: aws.config`, `detail-type: Config Rules Compliance Change`). A resource's
 * first evaluation has no `oldEvaluationResult`.
 */
import * as z from 'zod';
import type { Actor } from './cloudtrail.ts';
import {
  DEFAULT_RULE_PREFIX,
  envError,
  executionRoleNameFromEnv,
  rulePrefixFromEnv,
  topicArnFromEnv,
} from './environment.ts';
import { type ActionGrant, type Compliance, describeZodError, InputError } from './model.ts';
import type { ComplianceState, Notice } from './notification.ts';

export const COMPLIANCE_CHANGE_DETAIL_TYPE = 'Config Rules Compliance Change';
/** AWS Organizations deploys an organization rule to each member account as `OrgConfigRule-<name>-<suffix>`. */
const ORGANIZATION_RULE_PREFIX = 'OrgConfigRule-';

const isoTime = z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO 8601 timestamp');

const evaluationResultSchema = z.looseObject({
  evaluationResultIdentifier: z.looseObject({
    evaluationResultQualifier: z
      .looseObject({
        configRuleName: z.string().optional(),
        resourceType: z.string().optional(),
        resourceId: z.string().optional(),
      })
      .optional(),
    orderingTimestamp: isoTime,
  }),
  complianceType: z.enum(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA']),
  resultRecordedTime: isoTime.optional(),
  configRuleInvokedTime: isoTime.optional(),
  annotation: z.string().nullish(),
  resultToken: z.string().nullish(),
});

const detailSchema = z.looseObject({
  resourceId: z.string().min(1),
  resourceType: z.string().min(1),
  awsRegion: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS Region such as us-east-1'),
  awsAccountId: z.string().regex(/^\d{12}$/, 'must be a 12-digit account id'),
  configRuleName: z.string().min(1),
  configRuleARN: z.string().optional(),
  recordVersion: z.string().optional(),
  messageType: z.literal('ComplianceChangeNotification'),
  newEvaluationResult: evaluationResultSchema,
  oldEvaluationResult: evaluationResultSchema.nullish(),
  notificationCreationTime: isoTime.optional(),
});

export const complianceChangeEventSchema = z.looseObject({
  version: z.string().optional(),
  id: z.string().min(1),
  'detail-type': z.literal(COMPLIANCE_CHANGE_DETAIL_TYPE),
  source: z.literal('aws.config'),
  account: z.string(),
  time: z.string().optional(),
  region: z.string(),
  resources: z.array(z.string()).optional(),
  detail: detailSchema,
});

export interface ComplianceChange {
  /** The EventBridge event id: the same on every redelivery of one event. */
  eventId: string;
  rule: string;
  ruleArn?: string | undefined;
  resource: { type: string; id: string; accountId: string; region: string };
  compliance: ComplianceState;
  /** Undefined on a resource's first evaluation. */
  previousCompliance?: ComplianceState | undefined;
  annotation?: string | undefined;
  previousAnnotation?: string | undefined;
  /** The new result's ordering time: when the evaluated configuration was captured. */
  orderingTimestamp: Date;
}

export function parseComplianceChangeEvent(input: unknown): ComplianceChange {
  const parsed = complianceChangeEventSchema.safeParse(input);
  if (!parsed.success) {
    throw new InputError(
      `Invalid Config compliance change event: ${describeZodError(parsed.error, 'event', input)}`,
    );
  }
  const { id, detail } = parsed.data;
  const previous = detail.oldEvaluationResult ?? undefined;
  return {
    eventId: id,
    rule: detail.configRuleName,
    ruleArn: detail.configRuleARN,
    resource: {
      type: detail.resourceType,
      id: detail.resourceId,
      accountId: detail.awsAccountId,
      region: detail.awsRegion,
    },
    compliance: detail.newEvaluationResult.complianceType,
    previousCompliance: previous?.complianceType,
    annotation: nonEmpty(detail.newEvaluationResult.annotation),
    previousAnnotation: nonEmpty(previous?.annotation),
    orderingTimestamp: new Date(detail.newEvaluationResult.evaluationResultIdentifier.orderingTimestamp),
  };
}

function nonEmpty(text: string | null | undefined): string | undefined {
  return text?.trim() ? text : undefined;
}

export interface NotifierSettings {
  topicArn: string;
  /** Rules whose names start with this (or `OrgConfigRule-` and this) are Plumbline's. */
  rulePrefix: string;
  /** Notify about every Config rule, not only Plumbline's. */
  notifyAllRules: boolean;
  /** How far before the evaluation's ordering time the CloudTrail lookup reaches. */
  lookupWindowMinutes: number;
  /** A role to assume in the resource's account for lookups, when that is not the function's account. */
  executionRoleName?: string | undefined;
}

export { DEFAULT_RULE_PREFIX };
export const DEFAULT_LOOKUP_WINDOW_MINUTES = 15;
/** CloudTrail keeps 90 days of management events for lookup; a day is already a generous window. */
export const MAX_LOOKUP_WINDOW_MINUTES = 24 * 60;

/** Reads and validates the notifier's environment; each error names the variable and its value. */
export function notifierSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): NotifierSettings {
  const topicArn = topicArnFromEnv(env);
  const rulePrefix = rulePrefixFromEnv(env, ' (or set PLUMBLINE_NOTIFY_ALL_RULES=true)');
  return {
    topicArn,
    rulePrefix,
    notifyAllRules: booleanVariable(env, 'PLUMBLINE_NOTIFY_ALL_RULES', false),
    lookupWindowMinutes: windowVariable(env.PLUMBLINE_LOOKUP_WINDOW_MINUTES),
    executionRoleName: executionRoleNameFromEnv(env),
  };
}

function booleanVariable(env: Readonly<Record<string, string | undefined>>, name: string, fallback: boolean) {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw envError(name, raw, 'expected true or false');
}

function windowVariable(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_LOOKUP_WINDOW_MINUTES;
  const minutes = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || minutes < 1 || minutes > MAX_LOOKUP_WINDOW_MINUTES) {
    throw envError(
      'PLUMBLINE_LOOKUP_WINDOW_MINUTES',
      raw,
      `expected a whole number of minutes from 1 to ${MAX_LOOKUP_WINDOW_MINUTES}`,
    );
  }
  return minutes;
}

/** Whether the rule is one the notifier speaks for. */
export function isWatchedRule(
  ruleName: string,
  settings: Pick<NotifierSettings, 'rulePrefix' | 'notifyAllRules'>,
): boolean {
  if (settings.notifyAllRules) return true;
  const deployedName = ruleName.startsWith(ORGANIZATION_RULE_PREFIX)
    ? ruleName.slice(ORGANIZATION_RULE_PREFIX.length)
    : ruleName;
  return deployedName.startsWith(settings.rulePrefix);
}

/**
 * The rule's name without what AWS Organizations adds in a member account: `OrgConfigRule-<name>-<suffix>`
 * gives `<name>` (AWS always appends the suffix), so that one `rule` subscription filter matches the rule
 * deployed in one account and across an organisation. Any other name is returned as it is.
 */
export function plainRuleName(configRuleName: string): string {
  if (!configRuleName.startsWith(ORGANIZATION_RULE_PREFIX)) return configRuleName;
  const name = configRuleName.slice(ORGANIZATION_RULE_PREFIX.length);
  const suffix = name.lastIndexOf('-');
  return suffix > 0 ? name.slice(0, suffix) : name;
}

export type Decision =
  | { notify: true; outcome: 'detected' | 'resolved'; headline: string; compliance: Compliance }
  | { notify: false; reason: string };

/**
 * Whether a change is worth a message: a watched rule, and a transition to NON_COMPLIANT (from anything,
 * including no result at all) or from NON_COMPLIANT back to COMPLIANT. Everything else is skipped with the
 * reason, so the log says why nobody was told.
 */
export function decide(
  change: ComplianceChange,
  settings: Pick<NotifierSettings, 'rulePrefix' | 'notifyAllRules'>,
): Decision {
  if (!isWatchedRule(change.rule, settings)) {
    return { notify: false, reason: `rule ${change.rule} does not start with ${settings.rulePrefix}` };
  }
  const { compliance, previousCompliance } = change;
  if (compliance === previousCompliance) {
    return { notify: false, reason: `compliance unchanged (${compliance})` };
  }
  if (compliance === 'NON_COMPLIANT') {
    const headline = previousCompliance === undefined ? 'is NON_COMPLIANT' : 'turned NON_COMPLIANT';
    return { notify: true, outcome: 'detected', headline, compliance };
  }
  if (compliance === 'COMPLIANT' && previousCompliance === 'NON_COMPLIANT') {
    return { notify: true, outcome: 'resolved', headline: 'is COMPLIANT again', compliance };
  }
  return {
    notify: false,
    reason: `${previousCompliance ?? 'no previous result'} -> ${compliance} is neither a new finding nor a resolution`,
  };
}

/**
 * What makes two events the same transition: the same rule, resource, old and new compliance and ordering
 * time. Config may emit one transition in two events with different ids; a redelivery keeps its id.
 */
export function transitionKey(change: ComplianceChange): string {
  const { resource } = change;
  return [
    resource.accountId,
    resource.region,
    change.rule,
    resource.type,
    resource.id,
    change.previousCompliance ?? '-',
    change.compliance,
    change.orderingTimestamp.toISOString(),
  ].join('|');
}

/** A bounded, least-recently-used set of keys: what a warm function remembers having already sent. */
export class RecentKeys {
  private readonly keys = new Map<string, true>();

  constructor(private readonly capacity = 1000) {}

  has(key: string): boolean {
    if (!this.keys.has(key)) return false;
    this.keys.delete(key);
    this.keys.set(key, true);
    return true;
  }

  add(key: string): void {
    this.keys.delete(key);
    this.keys.set(key, true);
    while (this.keys.size > this.capacity) {
      const oldest = this.keys.keys().next().value;
      if (oldest === undefined) break;
      this.keys.delete(oldest);
    }
  }

  get size(): number {
    return this.keys.size;
  }
}

/** What the lookups found about the change; everything is optional, a lookup may have failed. */
export interface ChangeContext {
  actor?: Actor | undefined;
  actorNote?: string | undefined;
  resourceName?: string | undefined;
}

export function complianceChangeNotice(
  change: ComplianceChange,
  decision: Extract<Decision, { notify: true }>,
  context: ChangeContext = {},
): Notice {
  return {
    kind: 'compliance-change',
    headline: decision.headline,
    source: change.rule,
    // The attribute subscribers filter on; the message itself names the rule as Config does (`source`).
    rule: plainRuleName(change.rule),
    resource: { ...change.resource, name: context.resourceName },
    compliance: decision.compliance,
    previousCompliance: change.previousCompliance,
    annotation: change.annotation,
    previousAnnotation: decision.outcome === 'resolved' ? change.previousAnnotation : undefined,
    actor: context.actor,
    actorNote: context.actor ? undefined : context.actorNote,
    outcome: decision.outcome,
    when: change.orderingTimestamp.toISOString(),
  };
}

/**
 * The EventBridge rule pattern that lets through only what the notifier would act on, so that other rules'
 * changes never invoke it. The handler filters again: the pattern is an optimisation, not the guard.
 */
export function complianceChangeEventPattern(
  settings: Pick<NotifierSettings, 'rulePrefix' | 'notifyAllRules'>,
) {
  return {
    source: ['aws.config'],
    'detail-type': [COMPLIANCE_CHANGE_DETAIL_TYPE],
    detail: {
      messageType: ['ComplianceChangeNotification'],
      newEvaluationResult: { complianceType: ['NON_COMPLIANT', 'COMPLIANT'] },
      ...(settings.notifyAllRules
        ? {}
        : {
            configRuleName: [
              { prefix: settings.rulePrefix },
              { prefix: `${ORGANIZATION_RULE_PREFIX}${settings.rulePrefix}` },
            ],
          }),
    },
  };
}

/**
 * The notifier as the deployment sees it, like a responder spec: its name, description, the API calls it
 * makes (CloudTrail for who changed it, Config for the resource's name) and its trigger.
 */
export const complianceNotifierSpec = {
  name: 'compliance-notifier',
  description: 'tells people when a Plumbline rule changes compliance, and who changed what.',
  grants: [
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
  ] satisfies ActionGrant[],
  /** Plumbline's own rules only: those whose names start with the deployment's `<prefix>-`. */
  eventPattern: (rulePrefix: string) => complianceChangeEventPattern({ rulePrefix, notifyAllRules: false }),
} as const;
