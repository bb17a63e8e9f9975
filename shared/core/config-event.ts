/**
 * The AWS Config custom-rule invocation event, parsed strictly at the edge.
 * Shapes: AWS Config Developer Guide, "Example Events for AWS Config Rules" (configuration item change,
 * oversized configuration item change, periodic) and "Writing AWS Config Custom Lambda Rules"
 * (`invokingEvent` and `ruleParameters` arrive as JSON strings; `resultToken` "TESTMODE" in test invocations).
 */
import * as z from 'zod';
import { type IdentifiedUnreadable, isIdentified } from './evaluate.ts';
import type { ConfigurationItem } from './model.ts';
import { describeZodError, InputError } from './model.ts';
import { CONFIGURATION_ITEM_STATUSES, readConfigurationItem } from './normalise.ts';

/** Rule parameters the Config runtime consumes itself (shared/aws/config-runtime.ts); the rule never sees them. */
export const RUNTIME_PARAMETERS = ['ExecutionRoleName'] as const;

const envelopeSchema = z.looseObject({
  version: z.string().optional(),
  invokingEvent: z.string().min(1),
  ruleParameters: z.string().optional(),
  resultToken: z.string().min(1),
  eventLeftScope: z.boolean().optional(),
  executionRoleArn: z.string().optional(),
  configRuleArn: z.string().optional(),
  configRuleName: z.string().min(1),
  configRuleId: z.string().optional(),
  accountId: z.string().regex(/^\d{12}$/, 'must be a 12-digit account id'),
  evaluationMode: z.string().optional(),
});

const isoTime = z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO 8601 timestamp');

const itemSummarySchema = z.looseObject({
  resourceType: z.string().min(1),
  resourceId: z.string().min(1),
  resourceName: z.string().nullish(),
  awsAccountId: z.string().optional(),
  awsRegion: z.string().min(1),
  configurationItemCaptureTime: isoTime,
  configurationItemStatus: z.enum(CONFIGURATION_ITEM_STATUSES),
  changeType: z.string().optional(),
});

const changeSchema = z.looseObject({
  messageType: z.literal('ConfigurationItemChangeNotification'),
  configurationItem: z.unknown(),
  notificationCreationTime: isoTime.optional(),
});
const oversizedSchema = z.looseObject({
  messageType: z.literal('OversizedConfigurationItemChangeNotification'),
  configurationItemSummary: itemSummarySchema,
  notificationCreationTime: isoTime.optional(),
});
const scheduledSchema = z.looseObject({
  messageType: z.literal('ScheduledNotification'),
  awsAccountId: z.string().optional(),
  notificationCreationTime: isoTime,
});
const MESSAGE_TYPES = [
  'ConfigurationItemChangeNotification',
  'OversizedConfigurationItemChangeNotification',
  'ScheduledNotification',
] as const;

export type ConfigurationItemSummary = z.infer<typeof itemSummarySchema>;

/** A changed item as read: the item, or (malformed, but naming its resource) why it could not be read. */
export type ChangedItem =
  | { item: ConfigurationItem; unreadable?: undefined }
  | { unreadable: IdentifiedUnreadable; item?: undefined };

export type ConfigRuleMessage =
  | { type: 'change'; changed: ChangedItem; notificationCreationTime?: Date | undefined }
  | { type: 'oversized'; summary: ConfigurationItemSummary }
  | { type: 'scheduled'; notificationCreationTime: Date };

export interface ConfigRuleInvocation {
  ruleName: string;
  accountId: string;
  resultToken: string;
  testMode: boolean;
  eventLeftScope: boolean;
  /** `ruleParameters` parsed: a flat object, values as Config passes them. */
  ruleParameters: Record<string, unknown>;
  message: ConfigRuleMessage;
}

/** Parses a Config rule invocation; every error names the field (`invokingEvent.messageType`, …) and value. */
export function parseConfigRuleEvent(input: unknown): ConfigRuleInvocation {
  const envelope = envelopeSchema.safeParse(input);
  if (!envelope.success)
    throw new InputError(`Invalid Config rule event: ${describeZodError(envelope.error, 'event', input)}`);
  const event = envelope.data;
  const invoking = parseJsonField(event.invokingEvent, 'invokingEvent');
  const ruleParameters =
    event.ruleParameters === undefined || event.ruleParameters.trim() === ''
      ? {}
      : parseJsonField(event.ruleParameters, 'ruleParameters');
  return {
    ruleName: event.configRuleName,
    accountId: event.accountId,
    resultToken: event.resultToken,
    testMode: event.resultToken === 'TESTMODE',
    eventLeftScope: event.eventLeftScope === true,
    ruleParameters,
    message: parseMessage(invoking),
  };
}

function parseJsonField(text: string, field: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError(`Invalid Config rule event: ${field} is not valid JSON: ${preview(text)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputError(`Invalid Config rule event: ${field} must be a JSON object, got ${preview(text)}`);
  }
  return parsed as Record<string, unknown>;
}

function parseMessage(invoking: Record<string, unknown>): ConfigRuleMessage {
  const messageType = invoking.messageType;
  switch (messageType) {
    case 'ConfigurationItemChangeNotification': {
      const message = checked(changeSchema, invoking);
      if (message.configurationItem == null) {
        throw new InputError('Invalid Config rule event: invokingEvent.configurationItem is missing');
      }
      const { item, unreadable } = readConfigurationItem(
        message.configurationItem,
        'invokingEvent.configurationItem',
      );
      let changed: ChangedItem;
      if (unreadable === undefined) changed = { item };
      // An item that does not even say which resource it is cannot be given a verdict: the event is bad.
      else if (isIdentified(unreadable)) changed = { unreadable };
      else throw new InputError(unreadable.problem);
      return {
        type: 'change',
        changed,
        notificationCreationTime:
          message.notificationCreationTime === undefined
            ? undefined
            : new Date(message.notificationCreationTime),
      };
    }
    case 'OversizedConfigurationItemChangeNotification':
      return { type: 'oversized', summary: checked(oversizedSchema, invoking).configurationItemSummary };
    case 'ScheduledNotification':
      return {
        type: 'scheduled',
        notificationCreationTime: new Date(checked(scheduledSchema, invoking).notificationCreationTime),
      };
    default:
      throw new InputError(
        `Invalid Config rule event: invokingEvent.messageType=${preview(JSON.stringify(messageType) ?? 'undefined')} is not one of ${MESSAGE_TYPES.join(', ')}`,
      );
  }
}

function checked<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new InputError(
      `Invalid Config rule event: ${describeZodError(parsed.error, 'invokingEvent', value)}`,
    );
  }
  return parsed.data;
}

function preview(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
