/**
 * Account mode with every option: AWS Config set-up and a trail for a brand-new account, email
 * subscriptions, two regions, reserved concurrency, tags, other frequency/retention/log level, the `list`
 * inventory strategy; and the responders turned off.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_FUNCTIONS,
  CONFIG_RULE_FUNCTIONS,
  eventFunctions,
  isGlobalRule,
  RESPONDER_FUNCTIONS,
} from '../../infra/catalog.ts';
import {
  arnOf,
  buildApp,
  CONFIG_SERVICE_LINKED_ROLE_ARN,
  functionLogicalId,
  GLOBAL_RULES,
  logicalId,
  refTo,
  workspace,
} from './support.ts';

let primary: Template;
let secondary: Template;
let stackNames: string[];
let withoutResponders: Template;

beforeAll(() => {
  const built = buildApp(workspace(), {
    'plumbline:regions': 'eu-west-1,us-east-1',
    'plumbline:createConfigRecorder': 'true',
    'plumbline:createTrail': true,
    'plumbline:notificationEmails': ['secops@example.com', 'platform@example.com'],
    'plumbline:periodicFrequency': 'Six_Hours',
    'plumbline:logRetentionDays': '30',
    'plumbline:logLevel': 'DEBUG',
    'plumbline:ruleConcurrency': 20,
    'plumbline:configRetentionDays': 400,
    'plumbline:trailRetentionDays': 730,
    'plumbline:tags': '{"cost-center":"security","owner":"platform"}',
    'plumbline:inventory': 'list',
  });
  stackNames = built.stacks.map((stack) => stack.stackName);
  const [first, second] = built.stacks;
  if (!first || !second) throw new Error('expected two stacks');
  primary = Template.fromStack(first);
  secondary = Template.fromStack(second);
  const [only] = buildApp(workspace(), { 'plumbline:responders': 'false' }).stacks;
  if (!only) throw new Error('expected a stack');
  withoutResponders = Template.fromStack(only);
}, 300_000);

const ruleIds = (template: Template) => Object.keys(template.findResources('AWS::Config::ConfigRule'));
const configRuleNames = (template: Template) =>
  (
    Object.values(template.findResources('AWS::Config::ConfigRule')) as {
      Properties: { ConfigRuleName: string };
    }[]
  ).map((rule) => rule.Properties.ConfigRuleName);
const functionNames = (template: Template) =>
  (
    Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { FunctionName: string };
    }[]
  ).map((fn) => fn.Properties.FunctionName);

describe('account mode, every option', () => {
  it('deploys one stack per region, pinned to its region', () => {
    expect(stackNames).toEqual(['Plumbline-eu-west-1', 'Plumbline-us-east-1']);
  });

  it("creates the configuration recorder with AWS Config's service-linked role: every supported type, global ones in the first region only", () => {
    primary.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RoleARN: CONFIG_SERVICE_LINKED_ROLE_ARN,
      RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: true },
    });
    // No custom recorder role, and the service-linked role is not created unless asked for.
    expect(JSON.stringify(primary.toJSON())).not.toContain('AWS_ConfigRole');
    primary.resourceCountIs('AWS::IAM::ServiceLinkedRole', 0);
    secondary.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: false },
    });
  });

  it('delivers to a private, TLS-only, access-logged bucket with a lifecycle, after its bucket policy exists', () => {
    const channels = Object.values(primary.findResources('AWS::Config::DeliveryChannel')) as {
      Properties: { S3BucketName: { Ref: string } };
      DependsOn: string[];
    }[];
    expect(channels).toHaveLength(1);
    const resource = channels[0] as (typeof channels)[number];
    const bucket = resource.Properties.S3BucketName.Ref;
    expect(resource.Properties).toEqual({
      S3BucketName: refTo(bucket),
      ConfigSnapshotDeliveryProperties: { DeliveryFrequency: 'TwentyFour_Hours' },
    });
    const policy = logicalId(primary, 'AWS::S3::BucketPolicy', { Bucket: refTo(bucket) });
    expect(resource.DependsOn).toContain(policy);
    const accessLogs = logicalId(primary, 'AWS::S3::Bucket', {
      LoggingConfiguration: Match.absent(),
    });
    expect(primary.toJSON().Resources[bucket]).toMatchObject({
      Type: 'AWS::S3::Bucket',
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: {
          Rules: [
            {
              Status: 'Enabled',
              ExpirationInDays: 400,
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
            },
          ],
        },
        LoggingConfiguration: { DestinationBucketName: refTo(accessLogs), LogFilePrefix: 'deliverybucket/' },
      },
    });
  });

  it('creates the delivery channel only once the configuration recorder exists (PutDeliveryChannel needs it)', () => {
    for (const template of [primary, secondary]) {
      const recorder = logicalId(template, 'AWS::Config::ConfigurationRecorder', {});
      const channel = logicalId(template, 'AWS::Config::DeliveryChannel', {});
      expect(template.toJSON().Resources[channel].DependsOn).toContain(recorder);
    }
  });

  it("lets only AWS Config, for this account, check and write the delivery bucket (AWS's Config pattern)", () => {
    const bucket = Object.values(primary.findResources('AWS::Config::DeliveryChannel'))[0] as {
      Properties: { S3BucketName: { Ref: string } };
    };
    const id = bucket.Properties.S3BucketName.Ref;
    const fromThisAccount = { StringEquals: { 'AWS:SourceAccount': { Ref: 'AWS::AccountId' } } };
    primary.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: refTo(id),
      PolicyDocument: {
        Statement: [
          {
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Resource: [arnOf(id), { 'Fn::Join': ['', [arnOf(id), '/*']] }],
          },
          {
            Sid: 'AWSConfigBucketPermissionsCheck',
            Action: 's3:GetBucketAcl',
            Effect: 'Allow',
            Principal: { Service: 'config.amazonaws.com' },
            Resource: arnOf(id),
            Condition: fromThisAccount,
          },
          {
            Sid: 'AWSConfigBucketExistenceCheck',
            Action: 's3:ListBucket',
            Effect: 'Allow',
            Principal: { Service: 'config.amazonaws.com' },
            Resource: arnOf(id),
            Condition: fromThisAccount,
          },
          {
            Sid: 'AWSConfigBucketDelivery',
            Action: 's3:PutObject',
            Effect: 'Allow',
            Principal: { Service: 'config.amazonaws.com' },
            Resource: { 'Fn::Join': ['', [arnOf(id), '/AWSLogs/', { Ref: 'AWS::AccountId' }, '/Config/*']] },
            Condition: {
              StringEquals: {
                'AWS:SourceAccount': { Ref: 'AWS::AccountId' },
                's3:x-amz-acl': 'bucket-owner-full-control',
              },
            },
          },
        ],
      },
    });
  });

  it('the Config rules wait for the recorder and the delivery channel', () => {
    const recorder = logicalId(primary, 'AWS::Config::ConfigurationRecorder', {});
    const channel = logicalId(primary, 'AWS::Config::DeliveryChannel', {});
    for (const id of ruleIds(primary)) {
      expect(primary.toJSON().Resources[id].DependsOn).toEqual(expect.arrayContaining([recorder, channel]));
    }
  });

  it('creates a multi-region trail of all management events with file validation, in the first region only', () => {
    primary.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: 'plumbline',
      IsLogging: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      IsOrganizationTrail: false,
      EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'All' }],
    });
    const trailBucket = (
      Object.values(primary.findResources('AWS::CloudTrail::Trail'))[0] as {
        Properties: { S3BucketName: { Ref: string } };
      }
    ).Properties.S3BucketName.Ref;
    expect(primary.toJSON().Resources[trailBucket].Properties.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Status: 'Enabled',
          ExpirationInDays: 730,
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        },
      ],
    });
    secondary.resourceCountIs('AWS::CloudTrail::Trail', 0);
    primary.resourceCountIs('AWS::S3::Bucket', 3);
    secondary.resourceCountIs('AWS::S3::Bucket', 2);
  });

  it('subscribes each email address to the topic', () => {
    primary.resourceCountIs('AWS::SNS::Subscription', 2);
    const topic = refTo(logicalId(primary, 'AWS::SNS::Topic', {}));
    for (const email of ['secops@example.com', 'platform@example.com']) {
      primary.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: email,
        TopicArn: topic,
      });
    }
  });

  it('uses the configured frequency, log retention, log level and reserved concurrency', () => {
    expect(ruleIds(primary)).toHaveLength(CONFIG_RULE_FUNCTIONS.length);
    for (const id of ruleIds(primary)) {
      const properties = primary.toJSON().Resources[id].Properties;
      expect(properties.MaximumExecutionFrequency).toBe('Six_Hours');
      // The schedule is the last trigger of every rule, the only one of a periodic-only rule.
      expect(properties.Source.SourceDetails.at(-1)).toEqual({
        EventSource: 'aws.config',
        MessageType: 'ScheduledNotification',
        MaximumExecutionFrequency: 'Six_Hours',
      });
    }
    const groups = Object.values(primary.findResources('AWS::Logs::LogGroup')) as {
      Properties: { RetentionInDays: number };
    }[];
    expect(groups.map((group) => group.Properties.RetentionInDays)).toEqual(ALL_FUNCTIONS.map(() => 30));
    for (const name of CONFIG_RULE_FUNCTIONS) {
      primary.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `plumbline-${name}`,
        ReservedConcurrentExecutions: 20,
        Environment: { Variables: Match.objectLike({ POWERTOOLS_LOG_LEVEL: 'DEBUG' }) },
      });
    }
    for (const name of eventFunctions(true)) {
      primary.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `plumbline-${name}`,
        // eventConcurrency's default.
        ReservedConcurrentExecutions: 10,
      });
    }
  });

  it.each(CONFIG_RULE_FUNCTIONS)(
    'inventory list: %s reads Config with ListDiscoveredResources and BatchGetResourceConfig, not SelectResourceConfig',
    (name) => {
      // A rule of global resources is deployed in the home region only.
      for (const template of isGlobalRule(name) ? [primary] : [primary, secondary]) {
        template.hasResourceProperties('AWS::Lambda::Function', {
          FunctionName: `plumbline-${name}`,
          Environment: { Variables: Match.objectLike({ PLUMBLINE_INVENTORY: 'list' }) },
        });
        const role = logicalId(template, 'AWS::IAM::Role', { Path: `/plumbline/${name}/` });
        const policy = Object.values(
          template.findResources('AWS::IAM::Policy', { Properties: { Roles: [refTo(role)] } }),
        )[0] as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } };
        const statements = policy.Properties.PolicyDocument.Statement;
        expect(statements).toContainEqual({
          Effect: 'Allow',
          Action: [
            'config:PutEvaluations',
            'config:GetResourceConfigHistory',
            'config:ListDiscoveredResources',
            'config:BatchGetResourceConfig',
          ],
          Resource: '*',
        });
        expect(JSON.stringify(statements)).not.toContain('config:SelectResourceConfig');
      }
    },
  );

  it('the rules of global resources (IAM users, the account) run in the home region only: once an account', () => {
    expect(GLOBAL_RULES.length).toBeGreaterThan(0);
    expect(configRuleNames(primary).sort()).toEqual(
      CONFIG_RULE_FUNCTIONS.map((name) => `plumbline-${name}`).sort(),
    );
    expect(functionNames(primary).sort()).toEqual(ALL_FUNCTIONS.map((name) => `plumbline-${name}`).sort());
    const regional = CONFIG_RULE_FUNCTIONS.filter((name) => !GLOBAL_RULES.includes(name));
    expect(configRuleNames(secondary).sort()).toEqual(regional.map((name) => `plumbline-${name}`).sort());
    expect(functionNames(secondary).sort()).toEqual(
      ALL_FUNCTIONS.filter((name) => !GLOBAL_RULES.includes(name))
        .map((name) => `plumbline-${name}`)
        .sort(),
    );
    // Neither their roles nor any other role of that region reads IAM.
    for (const name of GLOBAL_RULES) {
      expect(
        secondary.findResources('AWS::IAM::Role', { Properties: { Path: `/plumbline/${name}/` } }),
      ).toEqual({});
    }
    expect(JSON.stringify(secondary.findResources('AWS::IAM::Policy'))).not.toContain('"iam:');
  });

  it('scopes region-specific ARNs to the stack’s region', () => {
    const role = logicalId(secondary, 'AWS::IAM::Role', { Path: '/plumbline/sg-drift-revert/' });
    secondary.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [refTo(role)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Resource: [
              {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':ec2:us-east-1:',
                    { Ref: 'AWS::AccountId' },
                    ':security-group/*',
                  ],
                ],
              },
              {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':ec2:us-east-1:',
                    { Ref: 'AWS::AccountId' },
                    ':security-group-rule/*',
                  ],
                ],
              },
            ],
          }),
        ]),
      },
    });
  });

  it('applies the configured tags to every resource', () => {
    for (const type of ['AWS::Lambda::Function', 'AWS::SQS::Queue', 'AWS::S3::Bucket', 'AWS::SNS::Topic']) {
      const resources = Object.values(primary.findResources(type)) as { Properties: { Tags: unknown[] } }[];
      for (const resource of resources) {
        expect(resource.Properties.Tags).toEqual(
          expect.arrayContaining([
            { Key: 'cost-center', Value: 'security' },
            { Key: 'owner', Value: 'platform' },
          ]),
        );
      }
    }
  });
});

describe('account mode without responders', () => {
  it('deploys the rules and the notifier, no responder and no CloudTrail rule', () => {
    withoutResponders.resourceCountIs('AWS::Lambda::Function', CONFIG_RULE_FUNCTIONS.length + 1);
    withoutResponders.resourceCountIs('AWS::Events::Rule', 1);
    expect(RESPONDER_FUNCTIONS.length).toBeGreaterThan(0);
    for (const name of RESPONDER_FUNCTIONS) {
      expect(
        Object.keys(
          withoutResponders.findResources('AWS::Lambda::Function', {
            Properties: { FunctionName: `plumbline-${name}` },
          }),
        ),
      ).toEqual([]);
    }
    withoutResponders.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.config'] }),
      Targets: [
        Match.objectLike({ Arn: arnOf(functionLogicalId(withoutResponders, 'compliance-notifier')) }),
      ],
    });
  });
});
