/**
 * One Plumbline function: the bundle from `npm run build`, its own role (only the actions it calls), its own
 * log group with retention, a dead-letter queue for events that still fail after Lambda's retries, and
 * alarms on errors and dead letters that notify the topic.
 */
import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  type ActionGrant,
  type FunctionName,
  functionDescription,
  lambdaFunctionName,
  rolePath,
} from '../catalog.ts';
import { ALARM_PERIOD, DEAD_LETTER_RETENTION, type FunctionTuning } from '../tuning.ts';

export interface PlumblineFunctionProps {
  name: FunctionName;
  /** The `namePrefix` setting: the function is `<prefix>-<name>`, its role under `/<prefix>/<name>/`. */
  namePrefix: string;
  /** `dist/<name>`: the bundle and the suite configuration shipped beside it. */
  bundleDir: string;
  tuning: FunctionTuning;
  logRetentionDays: number;
  logLevel: string;
  alarmTopic: sns.ITopic;
  reservedConcurrency: number;
  /** An explicit role name, so that the role's ARN is known at synth (organisation mode: the member roles trust it). */
  roleName?: string | undefined;
}

export class PlumblineFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  readonly logGroup: logs.LogGroup;
  readonly errorsAlarm: cloudwatch.Alarm;
  readonly deadLettersAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PlumblineFunctionProps) {
    super(scope, id);
    const functionName = lambdaFunctionName(props.name, props.namePrefix);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      path: rolePath(props.name, props.namePrefix),
      roleName: props.roleName,
      description: `Role of the ${functionName} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the function (Lambda on-failure destination and EventBridge target DLQ); a dead-letter queue of a dead-letter queue would hide failures, and the alarm on its depth notifies people instead',
    });

    this.function = new lambda.Function(this, 'Function', {
      functionName,
      description: functionDescription(props.name),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(props.bundleDir),
      memorySize: props.tuning.memoryMb,
      timeout: props.tuning.timeout,
      role: this.role,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: {
        POWERTOOLS_SERVICE_NAME: functionName,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        // The bundles ship source maps: stack traces in the logs point at the TypeScript source.
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Plumbline targets Node.js 22 (the bundles are built for node22 and tested on it); the runtime moves with the project, not ahead of it',
    });

    this.function.configureAsyncInvoke({
      retryAttempts: props.tuning.asyncRetries,
      maxEventAge: props.tuning.asyncMaxEventAge,
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });

    const alarmAction = new cloudwatchActions.SnsAction(props.alarmTopic);
    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription: `${functionName} failed: see its log group ${this.logGroup.logGroupName}`,
      metric: this.function.metricErrors({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.errorsAlarm.addAlarmAction(alarmAction);
    this.deadLettersAlarm = deadLetterDepthAlarm(
      this,
      'DeadLettersAlarm',
      this.deadLetterQueue,
      `${functionName} gave up on an event: it is kept in its dead-letter queue for ${DEAD_LETTER_RETENTION.toDays()} days`,
    );
    this.deadLettersAlarm.addAlarmAction(alarmAction);
  }

  /** Lets the function publish to the (KMS-encrypted) topic. */
  allowPublish(topic: sns.ITopic): void {
    topic.grantPublish(this.role);
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        "Publishing to an SSE-KMS topic takes kms:GenerateDataKey* and kms:Decrypt (Amazon SNS Developer Guide, 'Encryption at rest'); the grant covers the topic's own key only",
    });
  }

  /** Grants the catalog's actions on the account the function runs in. */
  grantActions(grants: readonly ActionGrant[]): void {
    addGrants(this.role, grants);
  }
}

/** Where `{partition}`, `{region}` and `{account}` in a grant's resources point. */
export interface GrantScope {
  partition: string;
  region: string;
  account: string;
}

/** The catalog's grants as policy statements in `scope` (S3 ones limited to the account's own buckets). */
export function grantStatements(grants: readonly ActionGrant[], scope: GrantScope): iam.PolicyStatement[] {
  return grants.map(
    (grant) =>
      new iam.PolicyStatement({
        actions: [...grant.actions],
        resources: grant.resources.map((resource) =>
          resource
            .replaceAll('{partition}', scope.partition)
            .replaceAll('{region}', scope.region)
            .replaceAll('{account}', scope.account),
        ),
        conditions: grant.ownAccountOnly
          ? { StringEquals: { 'aws:ResourceAccount': scope.account } }
          : undefined,
      }),
  );
}

/** Adds `grants` to `role`, on the account and region of the role's own stack. */
export function addGrants(role: iam.Role, grants: readonly ActionGrant[]): void {
  const stack = Stack.of(role);
  for (const statement of grantStatements(grants, stack)) role.addToPolicy(statement);
  acknowledgeWildcards(role, grants, {
    region: Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region,
  });
}

/** cdk-nag IAM5: each wildcard the API forces, acknowledged with the catalog's reason. */
export function acknowledgeWildcards(
  scope: Construct,
  grants: readonly ActionGrant[],
  shown: { region: string },
): void {
  for (const grant of grants) {
    if (!grant.wildcardReason) continue;
    for (const resource of grant.resources) {
      const nagId = resource
        .replaceAll('{partition}', '<AWS::Partition>')
        .replaceAll('{region}', shown.region)
        .replaceAll('{account}', '<AWS::AccountId>');
      if (!nagId.includes('*')) continue;
      Validations.of(scope).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagId}]`,
        reason: grant.wildcardReason,
      });
    }
  }
}

/** An alarm as soon as one message waits in a dead-letter queue. */
export function deadLetterDepthAlarm(
  scope: Construct,
  id: string,
  queue: sqs.IQueue,
  description: string,
): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: description,
    metric: queue.metricApproximateNumberOfMessagesVisible({
      period: ALARM_PERIOD,
      statistic: cloudwatch.Stats.MAXIMUM,
    }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}
