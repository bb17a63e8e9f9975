/**
 * What organisation mode needs in every member account, deployed by the StackSet (and, as a plain stack, in
 * the management account, which service-managed StackSets never reach):
 * - in the home region only (IAM is global): the role each deployed function assumes, each trusting exactly
 *   that function's roles in the administrator account, by ARN, one per region that deploys it;
 * - in every region: rules that forward the responders' CloudTrail events and Plumbline's compliance changes
 *   from the default bus to the central bus, through a role, with a dead-letter queue and an alarm on its
 *   depth (no action: the topic is in the administrator account).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  App,
  Aws,
  CfnCondition,
  CfnParameter,
  CliCredentialsStackSynthesizer,
  Fn,
  Stack,
  type StackProps,
  Tags,
  Validations,
} from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { InventoryStrategy } from '../../shared/aws/config-inventory.ts';
import { InputError } from '../../shared/core/model.ts';
import {
  deployedFunctions,
  deployedInRegion,
  eventFunctions,
  eventPattern,
  type FunctionName,
  functionActions,
  functionRoleArn,
  functionRoleName,
  lambdaFunctionName,
  memberRoles,
  ROLE_NAME_LIMIT,
} from '../catalog.ts';
import { AccessLogsBucket, ConfigRecorder } from '../constructs/audit-setup.ts';
import {
  acknowledgeWildcards,
  deadLetterDepthAlarm,
  grantStatements,
} from '../constructs/plumbline-function.ts';
import { functionId, toEventPattern } from '../constructs/suite-functions.ts';
import type { configRecorderSettings } from '../settings.ts';
import { DEAD_LETTER_RETENTION } from '../tuning.ts';

/** Server access logs delivered under a bucket policy, so every bucket can keep ACLs disabled. */
export const ACCESS_LOGS_BY_BUCKET_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';

export interface MemberStackProps extends StackProps {
  /** The `namePrefix` setting of the administrator deployment: its function roles' names start with it. */
  namePrefix: string;
  executionRoleName: string;
  eventBusName: string;
  /** The regions of the administrator account's functions, whose roles the member roles trust. */
  regions: readonly string[];
  /** The one of `regions` whose stack instance creates the (global) IAM roles. */
  homeRegion: string;
  /** The responders are deployed: their member roles exist and their events are forwarded. */
  responders: boolean;
  /** How the Config-rule functions read the inventory: their member roles get only those Config reads. */
  inventory: InventoryStrategy;
  /** Default for the AdminAccountId parameter (the StackSet always passes it). */
  adminAccountId?: string | undefined;
  /** Tags for every resource (the StackSet's template is synthesised apart from the app's tags). */
  resourceTags: Record<string, string>;
  /**
   * `createConfigRecorder`: AWS Config's recorder, delivery channel and bucket in every account and region
   * (global types in the home region only), as account mode creates them.
   */
  configRecorder?: ReturnType<typeof configRecorderSettings> | undefined;
}

export class MemberStack extends Stack {
  readonly adminAccountId: CfnParameter;
  readonly isHomeRegion: CfnCondition;
  readonly roles: Record<string, iam.Role> = {};
  readonly forwardingRules: events.Rule[] = [];
  readonly deadLetters: sqs.Queue;
  readonly deadLettersAlarm: cloudwatch.Alarm;
  readonly recorder?: ConfigRecorder;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    // No assets and no bootstrap: deployable with plain credentials, and a clean StackSet template.
    super(scope, id, { synthesizer: new CliCredentialsStackSynthesizer(), ...props });
    for (const [key, value] of Object.entries(props.resourceTags)) Tags.of(this).add(key, value);
    this.adminAccountId = new CfnParameter(this, 'AdminAccountId', {
      type: 'String',
      allowedPattern: '^\\d{12}$',
      constraintDescription: 'a 12-digit account id',
      description: 'The account that hosts the Plumbline functions and the central event bus',
      default: props.adminAccountId,
    });
    const admin = this.adminAccountId.valueAsString;
    this.isHomeRegion = new CfnCondition(this, 'IsHomeRegion', {
      expression: Fn.conditionEquals(Aws.REGION, homeRegion(props)),
    });

    // Only the roles of the deployed functions: without the responders, no member role can write.
    for (const { roleName, function: name } of memberRoles(
      props.executionRoleName,
      deployedFunctions(props.responders),
    )) {
      const grants = functionActions(name, props.inventory);
      // Its function's role in each region that deploys it (a global rule's: the home region's only).
      const regions = props.regions.filter((region) => deployedInRegion(name, region === props.homeRegion));
      checkTrustPolicyLength(roleName, name, regions, props.namePrefix);
      const role = new iam.Role(this, `${roleName}Role`, {
        roleName,
        description: `Assumed by the Plumbline function ${lambdaFunctionName(name, props.namePrefix)} of account ${admin}`,
        // Exactly the function's roles (named, so their ARNs are known), never a path: a role someone else
        // creates in the administrator account, under any path, is not trusted.
        assumedBy: new iam.AccountPrincipal(admin).withConditions({
          // As `Fn::Sub`, the shortest rendering: the template body grows by one ARN per function and region.
          ArnEquals: {
            'aws:PrincipalArn': trustedFunctionRoles(
              `\${AWS::Partition}`,
              `\${${this.adminAccountId.logicalId}}`,
              name,
              regions,
              props.namePrefix,
            ).map((arn) => Fn.sub(arn)),
          },
        }),
        // One global role serves every region, so region-scoped ARNs take any region of this account.
        inlinePolicies: {
          Plumbline: new iam.PolicyDocument({
            statements: grantStatements(grants, {
              partition: Aws.PARTITION,
              region: '*',
              account: Aws.ACCOUNT_ID,
            }),
          }),
        },
      });
      (role.node.defaultChild as iam.CfnRole).cfnOptions.condition = this.isHomeRegion;
      acknowledgeWildcards(role, grants, { region: '*' });
      this.roles[roleName] = role;
    }

    if (props.configRecorder) {
      const { createServiceLinkedRole, ...recorder } = props.configRecorder;
      // With a central bucket (`configDeliveryBucket`) nothing is created here to log access to.
      const accessLogs = recorder.deliveryBucket
        ? undefined
        : new AccessLogsBucket(this, 'AccessLogs', { retentionDays: recorder.retentionDays }).bucket;
      this.recorder = new ConfigRecorder(this, 'Config', {
        ...recorder,
        accessLogs,
        // One template for every region: global types (IAM) are recorded in the home region only.
        includeGlobalResourceTypes: Fn.conditionIf(this.isHomeRegion.logicalId, true, false),
        // IAM is global: the home region's instance creates the role (the StackSet deploys it first).
        createServiceLinkedRole,
        serviceLinkedRoleCondition: this.isHomeRegion,
      });
    }

    const centralBus = events.EventBus.fromEventBusArn(
      this,
      'CentralBus',
      `arn:${Aws.PARTITION}:events:${Aws.REGION}:${admin}:event-bus/${props.eventBusName}`,
    );
    const forwarder = new iam.Role(this, 'ForwarderRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      // The EventBus targets below grant it events:PutEvents on the central bus, and nothing else.
      description: 'Lets EventBridge forward Plumbline events to the central bus',
    });
    this.deadLetters = new sqs.Queue(this, 'ForwardingDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    const deadLetters = this.deadLetters;
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the forwarding rules; it needs none of its own',
    });
    // Like every other dead-letter queue, an alarm on its depth. It has no action: the notification topic is
    // in the administrator account, under a name CloudFormation chose and a key and topic policy that admit
    // that account's alarms only; the alarm shows in this account's CloudWatch console (see infra/README.md).
    this.deadLettersAlarm = deadLetterDepthAlarm(
      this,
      'ForwardingDeadLettersAlarm',
      deadLetters,
      `Plumbline could not forward an event to the central bus in account ${admin}: it is kept in this account's forwarding dead-letter queue for ${DEAD_LETTER_RETENTION.toDays()} days`,
    );

    for (const name of eventFunctions(props.responders)) {
      this.forwardingRules.push(
        new events.Rule(this, `Forward${functionId(name)}Events`, {
          description: `Forwards the events ${lambdaFunctionName(name, props.namePrefix)} acts on to the central Plumbline bus`,
          eventPattern: toEventPattern(eventPattern(name, props.namePrefix)),
          targets: [new targets.EventBus(centralBus, { role: forwarder, deadLetterQueue: deadLetters })],
        }),
      );
    }
  }
}

function homeRegion(props: MemberStackProps): string {
  if (!props.regions.includes(props.homeRegion)) {
    throw new InputError(
      `The member template's home region ${props.homeRegion} is not one of the regions ${props.regions.join(', ')}`,
    );
  }
  return props.homeRegion;
}

/** The exact ARNs of `name`'s roles in the administrator account, one per region. */
export function trustedFunctionRoles(
  partition: string,
  adminAccountId: string,
  name: FunctionName,
  regions: readonly string[],
  namePrefix: string,
): string[] {
  return regions.map((region) => functionRoleArn(partition, adminAccountId, name, region, namePrefix));
}

/** IAM's default quota on a role trust policy (characters, without white space; adjustable to 4,096). */
export const TRUST_POLICY_LIMIT = 2048;

/**
 * The trust policy lists the function's role in each region that deploys it: fail the synth, naming the
 * setting, when it would exceed IAM's quota in the member accounts (or a function role's name IAM's 64
 * characters).
 */
function checkTrustPolicyLength(
  roleName: string,
  name: FunctionName,
  regions: readonly string[],
  namePrefix: string,
): void {
  for (const region of regions) {
    const functionRole = functionRoleName(name, region, namePrefix);
    if (functionRole.length > ROLE_NAME_LIMIT) {
      throw new InputError(
        `Invalid context plumbline:namePrefix=${JSON.stringify(namePrefix)} with plumbline:regions (${region}): ` +
          `the role name ${functionRole} is ${functionRole.length} characters; IAM accepts ${ROLE_NAME_LIMIT}: choose a shorter prefix`,
      );
    }
  }
  // The policy as IAM measures it, with the longest partition name and a 12-digit account.
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws-us-gov:iam::123456789012:root' },
        Action: 'sts:AssumeRole',
        Condition: {
          ArnEquals: {
            'aws:PrincipalArn': trustedFunctionRoles('aws-us-gov', '123456789012', name, regions, namePrefix),
          },
        },
      },
    ],
  };
  const length = JSON.stringify(policy).length;
  if (length > TRUST_POLICY_LIMIT) {
    throw new InputError(
      `Invalid context plumbline:regions=${JSON.stringify(regions.join(','))}: the member role ${roleName} would trust ` +
        `${regions.length} function roles (${name} in each region), a trust policy of ` +
        `${length} characters; IAM accepts ${TRUST_POLICY_LIMIT} by default: list fewer regions`,
    );
  }
}

/** CloudFormation's quota on a template passed as `TemplateBody` (bytes), a StackSet's included. */
export const TEMPLATE_BODY_LIMIT = 51_200;

/**
 * The member template as the StackSet's `TemplateBody`: synthesised in an app of its own, without the CDK
 * bootstrap parameter or metadata (StackSet instances never see the CDK). It grows by one ARN per function and
 * region (each member role trusts its function's role in each region that deploys it): fail the synth, naming
 * the setting, when CloudFormation would refuse it.
 */
export function memberTemplateBody(props: MemberStackProps): string {
  const outdir = mkdtempSync(join(tmpdir(), 'plumbline-member-'));
  try {
    // The same S3 setting as the app (plumbline.ts): access logs delivered under a bucket policy.
    const app = new App({
      outdir,
      analyticsReporting: false,
      context: { [ACCESS_LOGS_BY_BUCKET_POLICY]: true },
    });
    const stack = new MemberStack(app, 'PlumblineMember', props);
    const body = JSON.stringify(app.synth().getStackArtifact(stack.artifactId).template);
    const size = Buffer.byteLength(body, 'utf8');
    if (size > TEMPLATE_BODY_LIMIT) {
      throw new InputError(
        `Invalid context plumbline:regions=${JSON.stringify(props.regions.join(','))}: the member template would be ` +
          `${size} bytes (a member role per function, each trusting its function's role in each region by ARN); ` +
          `CloudFormation accepts a TemplateBody of ${TEMPLATE_BODY_LIMIT}: list fewer regions`,
      );
    }
    return body;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
