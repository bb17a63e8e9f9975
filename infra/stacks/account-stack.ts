/**
 * Account mode: everything in one account and region. Config rules invoke the rule functions, CloudTrail
 * events on the default bus invoke the responders, compliance changes invoke the notifier; every notice and
 * alarm reaches one encrypted topic.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { Construct, IDependable } from 'constructs';
import {
  ACTIONS,
  CONFIG_RULE_FUNCTIONS,
  configRuleName,
  EVENT_PATTERNS,
  eventFunctions,
  type FunctionName,
  lambdaFunctionName,
  NOTIFIER_FUNCTION,
  RULE_DESCRIPTIONS,
  RULE_PREFIX,
} from '../catalog.ts';
import { AccessLogsBucket, AuditTrail, ConfigRecorder } from '../constructs/audit-setup.ts';
import { AccountConfigRule } from '../constructs/config-rules.ts';
import { NotificationTopic } from '../constructs/notification-topic.ts';
import { PlumblineFunction } from '../constructs/plumbline-function.ts';
import type { DeploymentSettings } from '../settings.ts';
import { INPUT_PARAMETERS_LIMIT, type LoadedSuite, ruleInputParameters, ruleScope } from '../suite.ts';
import { CONFIG_RULE_TUNING, EVENT_DELIVERY, NOTIFIER_TUNING, RESPONDER_TUNING } from '../tuning.ts';

export interface AccountStackProps extends StackProps {
  settings: DeploymentSettings;
  suite: LoadedSuite;
  bundles: Record<FunctionName, string>;
  /** The first region of a multi-region deployment: it records global resources and holds the trail. */
  primaryRegion: boolean;
}

export class AccountStack extends Stack {
  readonly topic: NotificationTopic;
  readonly functions: Partial<Record<FunctionName, PlumblineFunction>> = {};
  readonly recorder?: ConfigRecorder;
  readonly trail?: AuditTrail;

  constructor(scope: Construct, id: string, props: AccountStackProps) {
    super(scope, id, props);
    const { settings, suite, bundles } = props;
    this.topic = new NotificationTopic(this, 'Notifications', { emails: settings.notificationEmails });

    const createTrail = settings.createTrail && props.primaryRegion;
    const accessLogs =
      settings.createConfigRecorder || createTrail
        ? new AccessLogsBucket(this, 'AccessLogs', {
            retentionDays: Math.max(settings.configRetentionDays, settings.trailRetentionDays),
          }).bucket
        : undefined;
    let ruleDependencies: IDependable[] = [];
    if (settings.createConfigRecorder && accessLogs) {
      this.recorder = new ConfigRecorder(this, 'Config', {
        retentionDays: settings.configRetentionDays,
        accessLogs,
        includeGlobalResourceTypes: props.primaryRegion,
      });
      ruleDependencies = this.recorder.ready;
    }
    if (createTrail && accessLogs) {
      this.trail = new AuditTrail(this, 'CloudTrail', {
        retentionDays: settings.trailRetentionDays,
        accessLogs,
      });
    }

    const common = {
      logRetentionDays: settings.logRetentionDays,
      logLevel: settings.logLevel,
      alarmTopic: this.topic.topic,
    };

    for (const rule of CONFIG_RULE_FUNCTIONS) {
      const fn = new PlumblineFunction(this, functionId(rule), {
        ...common,
        name: rule,
        bundleDir: bundles[rule],
        tuning: CONFIG_RULE_TUNING,
        reservedConcurrency: settings.ruleConcurrency,
      });
      fn.grantActions(ACTIONS[rule]);
      new AccountConfigRule(this, `${functionId(rule)}ConfigRule`, {
        ruleName: configRuleName(rule),
        description: RULE_DESCRIPTIONS[rule],
        function: fn.function,
        resourceTypes: ruleScope(suite, rule),
        inputParameters: ruleInputParameters(suite, rule, {}, INPUT_PARAMETERS_LIMIT.account),
        frequency: settings.periodicFrequency,
        dependsOn: ruleDependencies,
      });
      this.functions[rule] = fn;
    }

    for (const name of eventFunctions(settings.responders)) {
      const responder = name !== NOTIFIER_FUNCTION;
      const fn = new PlumblineFunction(this, functionId(name), {
        ...common,
        name,
        bundleDir: bundles[name],
        tuning: responder ? RESPONDER_TUNING : NOTIFIER_TUNING,
      });
      fn.grantActions(ACTIONS[name]);
      fn.allowPublish(this.topic.topic);
      fn.function.addEnvironment('PLUMBLINE_TOPIC_ARN', this.topic.topic.topicArn);
      if (responder) {
        // The recursion guard: the responder never reacts to its own calls.
        fn.function.addEnvironment('PLUMBLINE_SELF_ROLE_ARNS', fn.role.roleArn);
      } else {
        fn.function.addEnvironment('PLUMBLINE_RULE_PREFIX', RULE_PREFIX);
      }
      new events.Rule(this, `${functionId(name)}Trigger`, {
        description: `Invokes ${lambdaFunctionName(name)}`,
        eventPattern: toEventPattern(EVENT_PATTERNS[name]),
        targets: [
          new targets.LambdaFunction(fn.function, {
            deadLetterQueue: fn.deadLetterQueue,
            retryAttempts: EVENT_DELIVERY.retryAttempts,
            maxEventAge: EVENT_DELIVERY.maxEventAge,
          }),
        ],
      });
      this.functions[name] = fn;
    }
  }
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
