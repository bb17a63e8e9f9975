/**
 * The AWS Config custom rules that invoke the Config-rule functions: on every configuration change of the
 * rule's resource types (oversized items included) and periodically, or periodically only for the rules
 * whose facts Config does not record.
 */
import { Stack } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, type IDependable } from 'constructs';
import type { PeriodicFrequency } from '../settings.ts';

export const TRIGGER_TYPES = [
  'ConfigurationItemChangeNotification',
  'OversizedConfigurationItemChangeNotification',
  'ScheduledNotification',
] as const;

interface RuleProps {
  ruleName: string;
  description: string;
  function: lambda.IFunction;
  resourceTypes: readonly string[];
  frequency: PeriodicFrequency;
  /** Triggered on a schedule only, with no scope (`Rule.trigger: 'periodic'`). */
  periodicOnly?: boolean;
}

/** The message types that trigger the rule: every one, or only the schedule for a periodic-only rule. */
function triggerTypes(props: RuleProps): readonly (typeof TRIGGER_TYPES)[number][] {
  return props.periodicOnly ? ['ScheduledNotification'] : TRIGGER_TYPES;
}

export interface AccountConfigRuleProps extends RuleProps {
  /** `InputParameters`: values, or `Fn::If` that leave a blank deploy-time parameter out. */
  inputParameters: Record<string, unknown>;
  /** Resources the rule must wait for (the recorder, when this app creates it). */
  dependsOn?: readonly IDependable[];
}

/** A custom Config rule in this account. Config may invoke the function only on behalf of this account. */
export class AccountConfigRule extends Construct {
  readonly rule: config.CfnConfigRule;

  constructor(scope: Construct, id: string, props: AccountConfigRuleProps) {
    super(scope, id);
    const permission = configInvokePermission(this, props.function, Stack.of(this).account);
    this.rule = new config.CfnConfigRule(this, 'Rule', {
      configRuleName: props.ruleName,
      description: props.description,
      source: {
        owner: 'CUSTOM_LAMBDA',
        sourceIdentifier: props.function.functionArn,
        sourceDetails: triggerTypes(props).map((messageType) => ({
          eventSource: 'aws.config',
          messageType,
          maximumExecutionFrequency: messageType === 'ScheduledNotification' ? props.frequency : undefined,
        })),
      },
      scope: props.periodicOnly ? undefined : { complianceResourceTypes: [...props.resourceTypes] },
      inputParameters: props.inputParameters,
      maximumExecutionFrequency: props.frequency,
    });
    this.rule.addResourceDependency(
      permission,
      'Config checks that it may invoke the function when the rule is created',
    );
    for (const dependency of props.dependsOn ?? []) this.rule.node.addDependency(dependency);
  }
}

export interface OrganizationConfigRuleProps extends RuleProps {
  excludedAccounts: readonly string[];
  /** `InputParameters`, a JSON string (possibly built at deploy time from parameters). */
  inputParameters: string;
}

/**
 * An organisation custom rule: AWS Config creates it in every member account (as `OrgConfigRule-<name>-…`)
 * and each invokes the function here, in the administrator account.
 */
export class OrganizationConfigRule extends Construct {
  readonly rule: config.CfnOrganizationConfigRule;

  constructor(scope: Construct, id: string, props: OrganizationConfigRuleProps) {
    super(scope, id);
    // Config invokes the function on behalf of each member account, and AWS offers no narrower permission
    // for that. AddPermission (https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html):
    // SourceAccount takes one 12-digit account; SourceArn's account field must be one 12-digit account or
    // empty (no wildcard), and the member rules' ARNs carry the member's account; PrincipalOrgID becomes an
    // aws:PrincipalOrgID condition, which IAM sets only for principals that belong to an organisation
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html), never for
    // the config.amazonaws.com service principal, so it would refuse every evaluation. What holds instead:
    // the function can only assume the execution role inside this organisation (aws:ResourceOrgID), so an
    // invocation from elsewhere reads and writes nothing, and its reserved concurrency caps what such noise
    // can take from the responders. infra/README.md ("The invoke permission") documents this.
    const permission = configInvokePermission(this, props.function);
    this.rule = new config.CfnOrganizationConfigRule(this, 'Rule', {
      organizationConfigRuleName: props.ruleName,
      excludedAccounts: props.excludedAccounts.length > 0 ? [...props.excludedAccounts] : undefined,
      organizationCustomRuleMetadata: {
        description: props.description,
        lambdaFunctionArn: props.function.functionArn,
        organizationConfigRuleTriggerTypes: [...triggerTypes(props)],
        resourceTypesScope: props.periodicOnly ? undefined : [...props.resourceTypes],
        inputParameters: props.inputParameters,
        maximumExecutionFrequency: props.frequency,
      },
    });
    this.rule.addResourceDependency(
      permission,
      'Config checks that it may invoke the function when the rule is created',
    );
  }
}

/** `lambda:InvokeFunction` for `config.amazonaws.com`; the rule depends on it (Config checks it on create). */
function configInvokePermission(
  scope: Construct,
  fn: lambda.IFunction,
  sourceAccount?: string,
): lambda.CfnPermission {
  return new lambda.CfnPermission(scope, 'InvokePermission', {
    action: 'lambda:InvokeFunction',
    functionName: fn.functionArn,
    principal: 'config.amazonaws.com',
    sourceAccount,
  });
}
