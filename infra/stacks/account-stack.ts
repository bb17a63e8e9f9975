/**
 * Account mode: everything in one account and region. Config rules invoke the rule functions, CloudTrail
 * events on the default bus invoke the responders, compliance changes invoke the notifier; every notice and
 * alarm reaches one encrypted topic.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct, IDependable } from 'constructs';
import { DEPLOY_PARAMETERS_VARIABLE } from '../../shared/lambda/suite.ts';
import {
  CONFIG_RULE_FUNCTIONS,
  configRuleName,
  deployedInRegion,
  eventFunctions,
  type FunctionName,
  functionActions,
  isPeriodicOnly,
  NOTIFIER_FUNCTION,
  ruleDescription,
} from '../catalog.ts';
import { AccessLogsBucket, AuditTrail, ConfigRecorder } from '../constructs/audit-setup.ts';
import { AccountConfigRule } from '../constructs/config-rules.ts';
import { DeployParameters } from '../constructs/deploy-parameters.ts';
import { NotificationTopic } from '../constructs/notification-topic.ts';
import type { PlumblineFunction } from '../constructs/plumbline-function.ts';
import { eventFunction, eventTrigger, functionId, ruleFunction } from '../constructs/suite-functions.ts';
import { configRecorderSettings, type DeploymentSettings } from '../settings.ts';
import { INPUT_PARAMETERS_LIMIT, type LoadedSuite, ruleInputParameters, ruleScope } from '../suite.ts';

export interface AccountStackProps extends StackProps {
  settings: DeploymentSettings;
  suite: LoadedSuite;
  bundles: Record<FunctionName, string>;
  /** The home region (`homeRegion`, else the first listed): it records global resources and holds the trail. */
  primaryRegion: boolean;
}

export class AccountStack extends Stack {
  readonly topic: NotificationTopic;
  readonly functions: Partial<Record<FunctionName, PlumblineFunction>> = {};
  readonly recorder?: ConfigRecorder;
  readonly trail?: AuditTrail;
  readonly primaryRegion: boolean;

  constructor(scope: Construct, id: string, props: AccountStackProps) {
    super(scope, id, props);
    const { settings, suite, bundles } = props;
    this.primaryRegion = props.primaryRegion;
    this.topic = new NotificationTopic(this, 'Notifications', { emails: settings.notificationEmails });

    const createTrail = settings.createTrail && props.primaryRegion;
    const createBucket = settings.createConfigRecorder && settings.configDeliveryBucket === undefined;
    const accessLogs =
      createBucket || createTrail
        ? new AccessLogsBucket(this, 'AccessLogs', {
            retentionDays: Math.max(settings.configRetentionDays, settings.trailRetentionDays),
          }).bucket
        : undefined;
    let ruleDependencies: IDependable[] = [];
    if (settings.createConfigRecorder) {
      const { createServiceLinkedRole, ...recorder } = configRecorderSettings(settings);
      this.recorder = new ConfigRecorder(this, 'Config', {
        ...recorder,
        accessLogs,
        includeGlobalResourceTypes: props.primaryRegion,
        // IAM is global: the home region's stack creates it, the others depend on that stack.
        createServiceLinkedRole: createServiceLinkedRole && props.primaryRegion,
      });
      ruleDependencies = this.recorder.ready;
    }
    if (createTrail && accessLogs) {
      this.trail = new AuditTrail(this, 'CloudTrail', {
        retentionDays: settings.trailRetentionDays,
        accessLogs,
        namePrefix: settings.namePrefix,
      });
    }

    const functionProps = { settings, bundles, topic: this.topic.topic };
    const deployParameters = new DeployParameters(this, suite);
    // A rule of global resources (IAM, the account) runs in the home region only: once an account.
    const rules = CONFIG_RULE_FUNCTIONS.filter((rule) => deployedInRegion(rule, props.primaryRegion));
    for (const rule of rules) {
      const fn = ruleFunction(this, rule, functionProps);
      fn.grantActions(functionActions(rule, settings.inventory));
      new AccountConfigRule(this, `${functionId(rule)}ConfigRule`, {
        ruleName: configRuleName(rule, settings.namePrefix),
        description: ruleDescription(rule),
        function: fn.function,
        resourceTypes: ruleScope(suite, rule),
        inputParameters: deployParameters.accountInputParameters(
          rule,
          ruleInputParameters(suite, rule, {}, INPUT_PARAMETERS_LIMIT.account),
        ),
        frequency: settings.periodicFrequency,
        periodicOnly: isPeriodicOnly(rule),
        dependsOn: ruleDependencies,
      });
      this.functions[rule] = fn;
    }

    for (const name of eventFunctions(settings.responders)) {
      const fn = eventFunction(this, name, functionProps);
      if (name !== NOTIFIER_FUNCTION) {
        fn.function.addEnvironment(DEPLOY_PARAMETERS_VARIABLE, deployParameters.responderEnvironment(name));
      }
      eventTrigger(this, name, fn, { description: '', namePrefix: settings.namePrefix });
      this.functions[name] = fn;
    }
  }
}
