/**
 * The functions of the suite and their triggers, built the same way in account and organisation mode: the
 * stacks add only what differs (who the functions act as, which bus the triggers listen on).
 */
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import {
  type EventFunction,
  eventPattern,
  type FunctionName,
  functionActions,
  lambdaFunctionName,
  NOTIFIER_FUNCTION,
  rulePrefix,
} from '../catalog.ts';
import type { DeploymentSettings } from '../settings.ts';
import { CONFIG_RULE_TUNING, EVENT_DELIVERY, NOTIFIER_TUNING, RESPONDER_TUNING } from '../tuning.ts';
import { PlumblineFunction } from './plumbline-function.ts';

export interface SuiteFunctionProps {
  settings: DeploymentSettings;
  bundles: Record<FunctionName, string>;
  topic: sns.ITopic;
  /** Organisation mode: each function's role name (its ARN must be known at synth); otherwise CloudFormation's. */
  roleName?: (name: FunctionName) => string;
}

function createFunction(
  scope: Construct,
  name: FunctionName,
  props: SuiteFunctionProps,
  tuning: typeof CONFIG_RULE_TUNING,
  reservedConcurrency: number,
): PlumblineFunction {
  return new PlumblineFunction(scope, functionId(name), {
    name,
    namePrefix: props.settings.namePrefix,
    bundleDir: bundleDirOf(props.bundles, name),
    tuning,
    logRetentionDays: props.settings.logRetentionDays,
    logLevel: props.settings.logLevel,
    alarmTopic: props.topic,
    reservedConcurrency,
    roleName: props.roleName?.(name),
  });
}

/**
 * A Config-rule function, with no grant yet: the stack decides whether it acts as itself or a member role,
 * and grants the Config reads of the inventory strategy set here (`PLUMBLINE_INVENTORY`, always explicit, so
 * that the function never reads the inventory with calls its role was not given).
 */
export function ruleFunction(
  scope: Construct,
  rule: FunctionName,
  props: SuiteFunctionProps,
): PlumblineFunction {
  const fn = createFunction(scope, rule, props, CONFIG_RULE_TUNING, props.settings.ruleConcurrency);
  fn.function.addEnvironment('PLUMBLINE_INVENTORY', props.settings.inventory);
  return fn;
}

/**
 * A responder or the notifier: its own grants, publishing to the topic, and the recursion guard (a
 * responder never reacts to calls made by its own role) or the notifier's rule prefix.
 */
export function eventFunction(
  scope: Construct,
  name: EventFunction,
  props: SuiteFunctionProps,
): PlumblineFunction {
  const responder = name !== NOTIFIER_FUNCTION;
  const fn = createFunction(
    scope,
    name,
    props,
    responder ? RESPONDER_TUNING : NOTIFIER_TUNING,
    props.settings.eventConcurrency,
  );
  fn.grantActions(functionActions(name, props.settings.inventory));
  fn.allowPublish(props.topic);
  fn.function.addEnvironment('PLUMBLINE_TOPIC_ARN', props.topic.topicArn);
  // The notifier's filter, and the `rule` attribute of the responders' notices.
  fn.function.addEnvironment('PLUMBLINE_RULE_PREFIX', rulePrefix(props.settings.namePrefix));
  if (responder) fn.function.addEnvironment('PLUMBLINE_FUNCTION_ROLE_ARN', fn.role.roleArn);
  return fn;
}

/** The EventBridge rule that invokes the function, with delivery retries and its dead-letter queue. */
export function eventTrigger(
  scope: Construct,
  name: EventFunction,
  fn: PlumblineFunction,
  options: { description: string; namePrefix: string; eventBus?: events.IEventBus },
): events.Rule {
  return new events.Rule(scope, `${functionId(name)}Trigger`, {
    description: `Invokes ${lambdaFunctionName(name, options.namePrefix)}${options.description}`,
    ...(options.eventBus ? { eventBus: options.eventBus } : {}),
    eventPattern: toEventPattern(eventPattern(name, options.namePrefix)),
    targets: [
      new targets.LambdaFunction(fn.function, {
        deadLetterQueue: fn.deadLetterQueue,
        retryAttempts: EVENT_DELIVERY.retryAttempts,
        maxEventAge: EVENT_DELIVERY.maxEventAge,
      }),
    ],
  });
}

/** `security-group` → `SecurityGroup`: readable construct ids, stable logical ids. */
export function functionId(name: FunctionName): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** The catalog's patterns are written as EventBridge JSON; the CDK names two fields differently. */
export function toEventPattern(pattern: {
  source: string[];
  'detail-type': string[];
  detail: Record<string, unknown>;
}): events.EventPattern {
  return { source: pattern.source, detailType: pattern['detail-type'], detail: pattern.detail };
}

function bundleDirOf(bundles: Record<FunctionName, string>, name: FunctionName): string {
  const dir = bundles[name];
  if (dir === undefined) throw new Error(`No bundle directory for the function ${name}`);
  return dir;
}
