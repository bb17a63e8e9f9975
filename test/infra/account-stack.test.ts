/**
 * Account mode with the default settings (`cdk.json`): every function, role, trigger, permission, pattern,
 * queue and alarm of the `Plumbline` stack.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_FUNCTIONS,
  CONFIG_RULE_FUNCTIONS,
  eventFunctions,
  isPeriodicOnly,
  RESPONDER_FUNCTIONS,
} from '../../infra/catalog.ts';
import {
  agnosticArn,
  arnOf,
  buildApp,
  type CfnTemplate,
  functionLogicalId,
  logicalId,
  PERIODIC_ONLY_RULES,
  RULE_READ_ACTIONS,
  readStatements,
  refTo,
  ruleInputs,
  TEST_SUITE_PARAMETERS,
  testSuiteScope,
  triggersOf,
  workspace,
} from './support.ts';

let template: Template;
let stackNames: string[];

beforeAll(() => {
  const built = buildApp(workspace());
  stackNames = built.stacks.map((stack) => stack.stackName);
  const [stack] = built.stacks;
  if (!stack) throw new Error('no stack');
  template = Template.fromStack(stack);
});

const RULE_FUNCTIONS = CONFIG_RULE_FUNCTIONS;
const RESPONDERS = RESPONDER_FUNCTIONS;
const ALL = ALL_FUNCTIONS;
const EVENT_FUNCTIONS = eventFunctions(true);

const topicRef = () => refTo(logicalId(template, 'AWS::SNS::Topic', {}));
const keyArn = () => arnOf(logicalId(template, 'AWS::KMS::Key', {}));
const queueOf = (name: string) => {
  // The function's on-failure destination is its dead-letter queue.
  const config = template.findResources('AWS::Lambda::EventInvokeConfig', {
    Properties: { FunctionName: refTo(functionLogicalId(template, name)) },
  });
  const [only] = Object.values(config) as {
    Properties: { DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [string] } } } };
  }[];
  if (!only) throw new Error(`no invoke config for ${name}`);
  return only.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0];
};
const roleOf = (name: string) => logicalId(template, 'AWS::IAM::Role', { Path: `/plumbline/${name}/` });
const policyStatements = (name: string) => {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [refTo(roleOf(name))] },
  });
  const [only] = Object.values(policies) as { Properties: { PolicyDocument: { Statement: unknown[] } } }[];
  if (!only) throw new Error(`no policy for ${name}`);
  return only.Properties.PolicyDocument.Statement;
};
const logsAndDeadLetters = (name: string) => {
  const functions = template.findResources('AWS::Lambda::Function', {
    Properties: { FunctionName: `plumbline-${name}` },
  });
  const fn = Object.values(functions)[0] as { Properties: { LoggingConfig: { LogGroup: { Ref: string } } } };
  return [
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: arnOf(fn.Properties.LoggingConfig.LogGroup.Ref),
    },
    {
      Effect: 'Allow',
      Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      Resource: arnOf(queueOf(name)),
    },
  ];
};
const configStatements = [
  {
    Effect: 'Allow',
    Action: ['config:PutEvaluations', 'config:GetResourceConfigHistory', 'config:SelectResourceConfig'],
    Resource: '*',
  },
  {
    Effect: 'Allow',
    Action: 'config:GetComplianceDetailsByConfigRule',
    Resource: agnosticArn('config', 'config-rule/*'),
  },
];
const variablesOf = (name: string) =>
  (
    Object.values(
      template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: `plumbline-${name}` } }),
    )[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } }
  ).Properties.Environment.Variables;
const publishStatements = () => [
  { Effect: 'Allow', Action: 'sns:Publish', Resource: topicRef() },
  { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: keyArn() },
];

describe('account mode, default settings', () => {
  it('synthesises one environment-agnostic stack named Plumbline', () => {
    expect(stackNames).toEqual(['Plumbline']);
  });

  it('creates exactly the resources of a function per rule, responder and the notifier, a Config rule per rule, an EventBridge rule per event function and a topic', () => {
    // The one stack is the home region's: every rule, global ones included.
    const functions = ALL.length;
    const counts: Record<string, number> = {
      'AWS::Lambda::Function': functions,
      'AWS::Logs::LogGroup': functions,
      'AWS::IAM::Role': functions,
      'AWS::IAM::Policy': functions,
      'AWS::SQS::Queue': functions,
      'AWS::SQS::QueuePolicy': functions,
      'AWS::Lambda::EventInvokeConfig': functions,
      'AWS::Lambda::Permission': functions,
      'AWS::CloudWatch::Alarm': 2 * functions,
      'AWS::Config::ConfigRule': RULE_FUNCTIONS.length,
      'AWS::Events::Rule': EVENT_FUNCTIONS.length,
      'AWS::SNS::Topic': 1,
      'AWS::SNS::TopicPolicy': 1,
      'AWS::KMS::Key': 1,
      'AWS::SNS::Subscription': 0,
      'AWS::Config::ConfigurationRecorder': 0,
      'AWS::Config::DeliveryChannel': 0,
      'AWS::CloudTrail::Trail': 0,
      'AWS::S3::Bucket': 0,
      'AWS::Config::OrganizationConfigRule': 0,
      'AWS::CloudFormation::StackSet': 0,
    };
    for (const [type, count] of Object.entries(counts)) template.resourceCountIs(type, count);
  });

  it.each([
    ...RULE_FUNCTIONS.map((name) => [name, 512, 900] as const),
    ...RESPONDERS.map((name) => [name, 512, 180] as const),
    ['compliance-notifier', 256, 120] as const,
  ])('%s: nodejs22.x on arm64, %i MB, %i s, its own role and log group', (name, memory, timeout) => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: `plumbline-${name}`,
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: memory,
      Timeout: timeout,
      Role: arnOf(roleOf(name)),
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('Logs') } },
      Code: { S3Bucket: Match.anyValue(), S3Key: Match.stringLikeRegexp('\\.zip$') },
    });
  });

  it('gives every function a log group of its own with 90 days retention', () => {
    const groups = new Set(
      ALL.map((name) => {
        const fn = template.findResources('AWS::Lambda::Function', {
          Properties: { FunctionName: `plumbline-${name}` },
        });
        return (Object.values(fn)[0] as { Properties: { LoggingConfig: { LogGroup: { Ref: string } } } })
          .Properties.LoggingConfig.LogGroup.Ref;
      }),
    );
    expect(groups.size).toBe(ALL.length);
    for (const group of groups) {
      expect(template.toJSON().Resources[group]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 90 },
        DeletionPolicy: 'Retain',
      });
    }
  });

  it.each(ALL)('%s: a role that only Lambda assumes, under /plumbline/<function>/', (name) => {
    template.hasResourceProperties('AWS::IAM::Role', {
      Path: `/plumbline/${name}/`,
      AssumeRolePolicyDocument: {
        Statement: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
        ],
      },
      ManagedPolicyArns: Match.absent(),
    });
  });

  it('environment: service name and log level everywhere; inventory strategy, topic, recursion guard and rule prefix where read', () => {
    const base = (name: string) => ({
      POWERTOOLS_SERVICE_NAME: `plumbline-${name}`,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    });
    for (const name of RULE_FUNCTIONS) {
      // The strategy the role's Config grants are for, explicit (the runtime's default is not relied on).
      expect(variablesOf(name)).toEqual({ ...base(name), PLUMBLINE_INVENTORY: 'select' });
    }
    for (const name of RESPONDERS) {
      expect(variablesOf(name)).toEqual({
        ...base(name),
        PLUMBLINE_TOPIC_ARN: topicRef(),
        PLUMBLINE_RULE_PREFIX: 'plumbline-',
        PLUMBLINE_FUNCTION_ROLE_ARN: arnOf(roleOf(name)),
        // Its content: test/infra/deploy-parameters.test.ts.
        PLUMBLINE_DEPLOY_PARAMETERS: expect.objectContaining({ 'Fn::Join': expect.any(Array) }),
      });
    }
    expect(variablesOf('compliance-notifier')).toEqual({
      ...base('compliance-notifier'),
      PLUMBLINE_TOPIC_ARN: topicRef(),
      PLUMBLINE_RULE_PREFIX: 'plumbline-',
    });
  });

  it('inventory select (the default): no rule function may list or batch-get the Config inventory', () => {
    const policies = JSON.stringify(RULE_FUNCTIONS.map((name) => policyStatements(name)));
    expect(policies).toContain('config:SelectResourceConfig');
    expect(policies).not.toContain('config:ListDiscoveredResources');
    expect(policies).not.toContain('config:BatchGetResourceConfig');
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain(
      'config:BatchGetResourceConfig',
    );
  });

  it.each(RULE_FUNCTIONS)(
    '%s: may write its log, dead-letter a failed event, call exactly the Config APIs the runtime uses, and make only the reads its rule declares',
    (name) => {
      expect(policyStatements(name)).toEqual([
        ...logsAndDeadLetters(name),
        ...configStatements,
        ...readStatements(name),
      ]);
    },
  );

  it.each([
    ['iam-user-mfa', ['iam:GenerateCredentialReport', 'iam:GetCredentialReport']],
    ['iam-console-mfa', ['iam:GenerateCredentialReport', 'iam:GetCredentialReport']],
    ['root-mfa', 'iam:GetAccountSummary'],
  ])('%s: also reads its IAM facts (the credential report, the account summary), on *', (name, actions) => {
    expect(policyStatements(name)).toEqual([
      ...logsAndDeadLetters(name),
      ...configStatements,
      { Effect: 'Allow', Action: actions, Resource: '*' },
    ]);
  });

  it('no role but the IAM rules’ may call IAM', () => {
    const withIam = ALL.filter((name) => JSON.stringify(policyStatements(name)).includes('"iam:'));
    expect(withIam).toEqual(
      RULE_FUNCTIONS.filter((name) =>
        (RULE_READ_ACTIONS[name] ?? []).some((action) => action.startsWith('iam:')),
      ),
    );
    expect(withIam).toEqual(['iam-user-mfa', 'iam-console-mfa', 'root-mfa']);
  });

  it('public-bucket: also reads the account-level Block Public Access', () => {
    expect(policyStatements('public-bucket')).toEqual([
      ...logsAndDeadLetters('public-bucket'),
      ...configStatements,
      { Effect: 'Allow', Action: 's3:GetAccountPublicAccessBlock', Resource: '*' },
    ]);
  });

  it('sg-drift-revert: describes any security group, changes rules only on this account and region', () => {
    expect(policyStatements('sg-drift-revert')).toEqual([
      ...logsAndDeadLetters('sg-drift-revert'),
      {
        Effect: 'Allow',
        Action: ['ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules'],
        Resource: '*',
      },
      {
        Effect: 'Allow',
        Action: [
          'ec2:RevokeSecurityGroupIngress',
          'ec2:RevokeSecurityGroupEgress',
          'ec2:AuthorizeSecurityGroupIngress',
          'ec2:AuthorizeSecurityGroupEgress',
        ],
        Resource: [agnosticArn('ec2', 'security-group/*'), agnosticArn('ec2', 'security-group-rule/*')],
      },
      ...publishStatements(),
    ]);
  });

  it("public-bucket-remediate: reads and blocks only this account's buckets", () => {
    expect(policyStatements('public-bucket-remediate')).toEqual([
      ...logsAndDeadLetters('public-bucket-remediate'),
      {
        Effect: 'Allow',
        Action: [
          's3:GetBucketAcl',
          's3:GetBucketPolicy',
          's3:GetBucketPublicAccessBlock',
          's3:GetBucketOwnershipControls',
          's3:PutBucketPublicAccessBlock',
        ],
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::*']] },
        Condition: { StringEquals: { 'aws:ResourceAccount': { Ref: 'AWS::AccountId' } } },
      },
      {
        Effect: 'Allow',
        Action: ['s3:GetAccountPublicAccessBlock', 's3:ListAllMyBuckets'],
        Resource: '*',
      },
      ...publishStatements(),
    ]);
  });

  it('compliance-notifier: looks up CloudTrail and the resource name in Config, and publishes', () => {
    expect(policyStatements('compliance-notifier')).toEqual([
      ...logsAndDeadLetters('compliance-notifier'),
      { Effect: 'Allow', Action: 'cloudtrail:LookupEvents', Resource: '*' },
      { Effect: 'Allow', Action: 'config:ListDiscoveredResources', Resource: '*' },
      ...publishStatements(),
    ]);
  });

  it.each(RULE_FUNCTIONS)(
    'Config rule plumbline-%s: its triggers (change, oversized and daily; daily only if periodic-only), its scope, parameters from the file',
    (name) => {
      const permission = logicalId(template, 'AWS::Lambda::Permission', {
        FunctionName: arnOf(functionLogicalId(template, name)),
        Principal: 'config.amazonaws.com',
      });
      template.hasResource('AWS::Config::ConfigRule', {
        Properties: {
          ConfigRuleName: `plumbline-${name}`,
          Source: {
            Owner: 'CUSTOM_LAMBDA',
            SourceIdentifier: arnOf(functionLogicalId(template, name)),
            SourceDetails: triggersOf(name).map((messageType) =>
              messageType === 'ScheduledNotification'
                ? {
                    EventSource: 'aws.config',
                    MessageType: messageType,
                    MaximumExecutionFrequency: 'TwentyFour_Hours',
                  }
                : { EventSource: 'aws.config', MessageType: messageType },
            ),
          },
          Scope: isPeriodicOnly(name) ? Match.absent() : { ComplianceResourceTypes: testSuiteScope(name) },
          MaximumExecutionFrequency: 'TwentyFour_Hours',
        },
        DependsOn: [permission],
      });
      // As AWS Config receives them: the deploy-time parameters resolved with their defaults (the file's values).
      expect(ruleInputs(template.toJSON() as CfnTemplate, {})[`plumbline-${name}`]).toEqual(
        TEST_SUITE_PARAMETERS[name] ?? {},
      );
    },
  );

  it('the periodic-only rules (the IAM ones) are triggered by the schedule alone and have no scope', () => {
    expect(PERIODIC_ONLY_RULES.length).toBeGreaterThan(0);
    for (const name of PERIODIC_ONLY_RULES) {
      const [rule, ...more] = Object.values(
        template.findResources('AWS::Config::ConfigRule', {
          Properties: { ConfigRuleName: `plumbline-${name}` },
        }),
      ) as { Properties: Record<string, unknown> }[];
      expect(more).toEqual([]);
      expect(rule?.Properties).toEqual({
        ConfigRuleName: `plumbline-${name}`,
        Description: expect.stringMatching(/^Plumbline: /),
        Source: {
          Owner: 'CUSTOM_LAMBDA',
          SourceIdentifier: arnOf(functionLogicalId(template, name)),
          SourceDetails: [
            {
              EventSource: 'aws.config',
              MessageType: 'ScheduledNotification',
              MaximumExecutionFrequency: 'TwentyFour_Hours',
            },
          ],
        },
        // No parameters: the IAM rules take none.
        InputParameters: {},
        MaximumExecutionFrequency: 'TwentyFour_Hours',
      });
    }
  });

  it.each(RULE_FUNCTIONS)('%s: only AWS Config, on behalf of this account, may invoke it', (name) => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: arnOf(functionLogicalId(template, name)),
      Principal: 'config.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });

  const patterns: Record<string, unknown> = {
    'sg-drift-revert': {
      source: ['aws.ec2'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['ec2.amazonaws.com'],
        eventName: [
          'AuthorizeSecurityGroupIngress',
          'AuthorizeSecurityGroupEgress',
          'RevokeSecurityGroupIngress',
          'RevokeSecurityGroupEgress',
          'ModifySecurityGroupRules',
        ],
        errorCode: [{ exists: false }],
      },
    },
    'public-bucket-remediate': {
      source: ['aws.s3'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['s3.amazonaws.com'],
        eventName: [
          'PutBucketAcl',
          'PutBucketPolicy',
          'DeleteBucketPolicy',
          'PutBucketPublicAccessBlock',
          'DeleteBucketPublicAccessBlock',
          'CreateBucket',
          'PutBucketOwnershipControls',
          'DeleteBucketOwnershipControls',
          'PutAccountPublicAccessBlock',
          'DeleteAccountPublicAccessBlock',
        ],
        errorCode: [{ exists: false }],
      },
    },
    'compliance-notifier': {
      source: ['aws.config'],
      'detail-type': ['Config Rules Compliance Change'],
      detail: {
        messageType: ['ComplianceChangeNotification'],
        newEvaluationResult: { complianceType: ['NON_COMPLIANT', 'COMPLIANT'] },
        configRuleName: [{ prefix: 'plumbline-' }, { prefix: 'OrgConfigRule-plumbline-' }],
      },
    },
  };

  it.each(Object.keys(patterns))(
    '%s: an EventBridge rule on the default bus with its pattern, retries, a maximum event age and its DLQ',
    (name) => {
      const rule = logicalId(template, 'AWS::Events::Rule', { EventPattern: patterns[name] });
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: patterns[name],
        EventBusName: Match.absent(),
        State: 'ENABLED',
        Targets: [
          {
            Arn: arnOf(functionLogicalId(template, name)),
            Id: 'Target0',
            DeadLetterConfig: { Arn: arnOf(queueOf(name)) },
            RetryPolicy: { MaximumRetryAttempts: 24, MaximumEventAgeInSeconds: 7200 },
          },
        ],
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: arnOf(functionLogicalId(template, name)),
        Principal: 'events.amazonaws.com',
        SourceArn: arnOf(rule),
      });
      // Only that rule may drop events into the function's queue.
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [refTo(queueOf(name))],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'sqs:SendMessage',
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Condition: { ArnEquals: { 'aws:SourceArn': arnOf(rule) } },
            }),
          ]),
        },
      });
    },
  );

  it("each pattern is within EventBridge's 2,048-character limit", () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as {
      Properties: { EventPattern: unknown };
    }[];
    expect(rules).toHaveLength(EVENT_FUNCTIONS.length);
    for (const rule of rules) expect(JSON.stringify(rule.Properties.EventPattern).length).toBeLessThan(2048);
  });

  it.each([
    ...RULE_FUNCTIONS.map((name) => [name, 2, 21600] as const),
    ...RESPONDERS.map((name) => [name, 2, 3600] as const),
    ['compliance-notifier', 2, 21600] as const,
  ])(
    '%s: Lambda retries a failed event %i times for up to %i s, then sends it to the DLQ',
    (name, retries, age) => {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: refTo(functionLogicalId(template, name)),
        Qualifier: '$LATEST',
        MaximumRetryAttempts: retries,
        MaximumEventAgeInSeconds: age,
        DestinationConfig: { OnFailure: { Destination: arnOf(queueOf(name)) } },
      });
    },
  );

  it.each(ALL)('%s: an encrypted, TLS-only dead-letter queue that keeps events 14 days', (name) => {
    const queue = queueOf(name);
    expect(template.toJSON().Resources[queue]).toMatchObject({
      Type: 'AWS::SQS::Queue',
      Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [refTo(queue)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Resource: arnOf(queue),
          },
        ]),
      },
    });
  });

  it.each(ALL)('%s: alarms on any error and any dead letter notify the topic', (name) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: refTo(functionLogicalId(template, name)) }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef()],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueOf(name), 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef()],
    });
  });

  it('the topic is encrypted with a rotated customer managed key that CloudWatch alarms may use for this account only, TLS only', () => {
    const key = logicalId(template, 'AWS::KMS::Key', {});
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchAlarmsToPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: arnOf(key),
      DisplayName: 'Plumbline',
    });
  });

  it("the topic policy denies publishing without TLS and lets CloudWatch publish for this account's alarms only", () => {
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')) as {
      Properties: unknown;
    }[];
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties).toEqual({
      Topics: [topicRef()],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AllowPublishThroughSSLOnly',
            Action: 'sns:Publish',
            Effect: 'Deny',
            Principal: '*',
            Resource: topicRef(),
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          {
            Sid: 'AllowCloudWatchAlarmsToPublish',
            Action: 'sns:Publish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Resource: topicRef(),
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': agnosticArn('cloudwatch', 'alarm:*') },
            },
          },
        ],
      },
    });
  });

  it('tags every resource as Plumbline’s', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Tags: Match.arrayWith([{ Key: 'plumbline:component', Value: 'plumbline' }]),
    });
    template.hasResourceProperties('AWS::SNS::Topic', {
      Tags: Match.arrayWith([{ Key: 'plumbline:component', Value: 'plumbline' }]),
    });
  });
});
