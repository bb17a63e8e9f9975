/**
 * Organisation mode, in the delegated administrator account, one stack per region: the functions, the
 * organisation Config rules that evaluate every member account, the central event bus the member accounts
 * forward CloudTrail events to, and (home region) the StackSet that creates the member roles and forwarding
 * rules in every account of the target OUs, including accounts that join later.
 */
import { Aws, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { DEPLOY_PARAMETERS_VARIABLE } from '../../shared/lambda/suite.ts';
import {
  CONFIG_RULE_FUNCTIONS,
  configRuleName,
  deployedInRegion,
  eventFunctions,
  type FunctionName,
  functionRoleName,
  isPeriodicOnly,
  memberRoleName,
  NOTIFIER_FUNCTION,
  ruleDescription,
} from '../catalog.ts';
import { AccessLogsBucket, AuditTrail } from '../constructs/audit-setup.ts';
import { OrganizationConfigRule } from '../constructs/config-rules.ts';
import { DeployParameters } from '../constructs/deploy-parameters.ts';
import { NotificationTopic } from '../constructs/notification-topic.ts';
import type { PlumblineFunction } from '../constructs/plumbline-function.ts';
import { eventFunction, eventTrigger, functionId, ruleFunction } from '../constructs/suite-functions.ts';
import type { DeploymentSettings } from '../settings.ts';
import { INPUT_PARAMETERS_LIMIT, type LoadedSuite, ruleInputParameters, ruleScope } from '../suite.ts';
import { STACKSET_OPERATION } from '../tuning.ts';

/**
 * The StackSet's roll-out. When its instances create Config's service-linked role (global, home region only),
 * the home region goes first and the others after, so that no recorder names a role not yet created.
 */
export function stackSetOperation(
  settings: DeploymentSettings,
): cloudformation.CfnStackSet.OperationPreferencesProperty {
  const homeRegion = settings.homeRegion;
  if (
    !(settings.createConfigRecorder && settings.createConfigServiceLinkedRole) ||
    homeRegion === undefined
  ) {
    return { ...STACKSET_OPERATION };
  }
  return {
    ...STACKSET_OPERATION,
    regionConcurrencyType: 'SEQUENTIAL',
    regionOrder: [homeRegion, ...settings.regions.filter((region) => region !== homeRegion)],
  };
}

/** The StackSet of the member template: `<prefix>-member`. */
export const memberStackSetName = (namePrefix: string) => `${namePrefix}-member`;

/**
 * The accounts the organisation rules skip: `excludedAccounts` (which the StackSet skips too) and the
 * management account, which no service-managed StackSet reaches, unless `evaluateManagementAccount` says its
 * member stacks are deployed there (`stacks=member`).
 */
export function ruleExcludedAccounts(settings: DeploymentSettings): string[] {
  const management =
    settings.managementAccountId && !settings.evaluateManagementAccount ? [settings.managementAccountId] : [];
  return [...new Set([...settings.excludedAccounts, ...management])];
}

export interface OrganizationStackProps extends StackProps {
  settings: DeploymentSettings & { organizationId: string; managementAccountId: string };
  suite: LoadedSuite;
  bundles: Record<FunctionName, string>;
  /** The member template; set on the home region's stack only, which owns the StackSet. */
  memberTemplateBody?: string | undefined;
}

export class OrganizationStack extends Stack {
  readonly topic: NotificationTopic;
  readonly bus: events.EventBus;
  readonly busPolicy: events.CfnEventBusPolicy;
  readonly functions: Partial<Record<FunctionName, PlumblineFunction>> = {};
  readonly stackSet?: cloudformation.CfnStackSet;
  readonly trail?: AuditTrail;

  constructor(scope: Construct, id: string, props: OrganizationStackProps) {
    super(scope, id, props);
    const { settings, suite, bundles } = props;
    const organizationId = settings.organizationId;
    this.topic = new NotificationTopic(this, 'Notifications', { emails: settings.notificationEmails });

    this.bus = new events.EventBus(this, 'CentralBus', { eventBusName: settings.eventBusName });
    // Any account of this organisation may put events on the bus (its forwarding rules do, through a role).
    this.busPolicy = new events.CfnEventBusPolicy(this, 'CentralBusPolicy', {
      eventBusName: this.bus.eventBusName,
      statementId: 'OrganizationAccountsForwardEvents',
      statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: this.bus.eventBusArn,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
      },
    });

    if (props.memberTemplateBody !== undefined) {
      this.stackSet = new cloudformation.CfnStackSet(this, 'MemberStackSet', {
        stackSetName: memberStackSetName(settings.namePrefix),
        description: 'Plumbline: execution roles and event forwarding in every member account',
        permissionModel: 'SERVICE_MANAGED',
        autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
        callAs: settings.stackSetCallAs,
        capabilities: ['CAPABILITY_NAMED_IAM'],
        managedExecution: { Active: true },
        operationPreferences: stackSetOperation(settings),
        parameters: [{ parameterKey: 'AdminAccountId', parameterValue: Aws.ACCOUNT_ID }],
        stackInstancesGroup: [
          {
            // The same accounts as the organisation rules: every account but the excluded ones.
            deploymentTargets: {
              organizationalUnitIds: [...settings.organizationalUnitIds],
              ...(settings.excludedAccounts.length > 0
                ? { accounts: [...settings.excludedAccounts], accountFilterType: 'DIFFERENCE' }
                : {}),
            },
            regions: [...settings.regions],
          },
        ],
        templateBody: props.memberTemplateBody,
      });
      if (settings.createTrail) {
        const accessLogs = new AccessLogsBucket(this, 'AccessLogs', {
          retentionDays: settings.trailRetentionDays,
        });
        this.trail = new AuditTrail(this, 'CloudTrail', {
          retentionDays: settings.trailRetentionDays,
          accessLogs: accessLogs.bucket,
          namePrefix: settings.namePrefix,
          organization: { id: organizationId, managementAccountId: settings.managementAccountId },
        });
      }
    }

    // Named roles: the member roles trust exactly these ARNs (one role per function and region, IAM is global).
    const region = this.region;
    const functionProps = {
      settings,
      bundles,
      topic: this.topic.topic,
      roleName: (name: FunctionName) => functionRoleName(name, region, settings.namePrefix),
    };
    const excludedAccounts = ruleExcludedAccounts(settings);
    const deployParameters = new DeployParameters(this, suite);
    // A rule of global resources (IAM, the account) runs in the home region only: once an account.
    const homeRegion = this.region === settings.homeRegion;
    for (const rule of CONFIG_RULE_FUNCTIONS.filter((name) => deployedInRegion(name, homeRegion))) {
      const fn = ruleFunction(this, rule, functionProps);
      // The runtime assumes ExecutionRoleName, this rule's own member role, in the evaluated account for every
      // read and write, this account included: the function itself needs nothing else.
      const memberRole = memberRoleName(settings.executionRoleName, rule);
      this.allowAssume(fn, memberRole, organizationId);
      const orgRule = new OrganizationConfigRule(this, `${functionId(rule)}ConfigRule`, {
        ruleName: configRuleName(rule, settings.namePrefix),
        description: ruleDescription(rule),
        function: fn.function,
        resourceTypes: ruleScope(suite, rule),
        inputParameters: deployParameters.organizationInputParameters(
          rule,
          ruleInputParameters(
            suite,
            rule,
            { ExecutionRoleName: memberRole },
            INPUT_PARAMETERS_LIMIT.organization,
          ),
          memberRole,
        ),
        frequency: settings.periodicFrequency,
        periodicOnly: isPeriodicOnly(rule),
        excludedAccounts,
      });
      // The first evaluations start as soon as the rule exists: let the member roles exist first.
      if (this.stackSet)
        orgRule.rule.addResourceDependency(
          this.stackSet,
          'the member roles must exist before the first evaluation',
        );
      this.functions[rule] = fn;
    }

    for (const name of eventFunctions(settings.responders)) {
      const memberRole = memberRoleName(settings.executionRoleName, name);
      // Its own grants act on this account's resources; member accounts' through the member role.
      const fn = eventFunction(this, name, functionProps);
      this.allowAssume(fn, memberRole, organizationId);
      fn.function.addEnvironment('PLUMBLINE_EXECUTION_ROLE_NAME', memberRole);
      if (name !== NOTIFIER_FUNCTION) {
        fn.function.addEnvironment(DEPLOY_PARAMETERS_VARIABLE, deployParameters.responderEnvironment(name));
      }
      eventTrigger(this, name, fn, {
        description: " for events forwarded from the organisation's accounts",
        namePrefix: settings.namePrefix,
        eventBus: this.bus,
      });
      this.functions[name] = fn;
    }
  }

  /** sts:AssumeRole on the member role of that name, in any account of this organisation only. */
  private allowAssume(fn: PlumblineFunction, roleName: string, organizationId: string): void {
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Aws.PARTITION}:iam::*:role/${roleName}`],
        conditions: { StringEquals: { 'aws:ResourceOrgID': organizationId } },
      }),
    );
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${roleName}]`,
      reason:
        'The function acts in whichever member account the event comes from; aws:ResourceOrgID limits the role to accounts of this organisation',
    });
  }
}
