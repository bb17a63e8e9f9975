/**
 * AWS Config in the member accounts, through the StackSet, as an option (`createConfigRecorder` in
 * organisation mode): the recorder, the delivery channel after it, and the delivery bucket with its policy,
 * lifecycle and Block Public Access, as account mode creates them; global types recorded in the home region
 * only; the recorder settings (a list of types or all but a list, periodic recording). Each variant is
 * synthesised once.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, ORGANIZATION_CONTEXT, RECORDED_RULE_TYPES, workspace } from './support.ts';

/** The StackSet's member template of the home region's stack. */
function memberTemplate(context: Record<string, unknown>): Template {
  const home = Template.fromStack(buildApp(workspace(), context).stacks[0] as never);
  const stackSet = Object.values(home.findResources('AWS::CloudFormation::StackSet'))[0] as {
    Properties: { TemplateBody: string };
  };
  return Template.fromJSON(JSON.parse(stackSet.Properties.TemplateBody));
}

const RULE_TYPES = RECORDED_RULE_TYPES.join(',');

let off: Template;
let all: Template;
let listed: Template;

describe('organisation mode: AWS Config in the member accounts', () => {
  beforeAll(() => {
    off = memberTemplate(ORGANIZATION_CONTEXT);
    all = memberTemplate({ ...ORGANIZATION_CONTEXT, 'plumbline:createConfigRecorder': true });
    listed = memberTemplate({
      ...ORGANIZATION_CONTEXT,
      'plumbline:createConfigRecorder': true,
      'plumbline:configRecordingFrequency': 'DAILY',
      'plumbline:configResourceTypes': RULE_TYPES,
    });
  }, 600_000);

  it('off by default: the member template creates no recorder, channel or bucket', () => {
    off.resourceCountIs('AWS::Config::ConfigurationRecorder', 0);
    off.resourceCountIs('AWS::Config::DeliveryChannel', 0);
    off.resourceCountIs('AWS::S3::Bucket', 0);
  });

  it('every supported type, continuously; global types in the home region only', () => {
    all.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RecordingGroup: {
        AllSupported: true,
        IncludeGlobalResourceTypes: { 'Fn::If': ['IsHomeRegion', true, false] },
      },
      RecordingMode: { RecordingFrequency: 'CONTINUOUS' },
    });
  });

  it('the delivery channel waits for the recorder and the bucket policy', () => {
    const recorder = Object.keys(all.findResources('AWS::Config::ConfigurationRecorder'))[0] as string;
    const policy = Object.keys(all.findResources('AWS::S3::BucketPolicy'));
    const channel = Object.values(all.findResources('AWS::Config::DeliveryChannel'))[0] as {
      DependsOn: string[];
    };
    expect(channel.DependsOn).toContain(recorder);
    expect(policy.some((id) => channel.DependsOn.includes(id))).toBe(true);
  });

  it('the delivery bucket blocks public access, expires objects, is TLS-only and lets only Config of this account write', () => {
    all.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 365 })]) },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'deliverybucket/' }),
    });
    all.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Sid: 'AWSConfigBucketDelivery',
            Principal: { Service: 'config.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: {
              StringEquals: {
                'AWS:SourceAccount': { Ref: 'AWS::AccountId' },
                's3:x-amz-acl': 'bucket-owner-full-control',
              },
            },
          }),
        ]),
      },
    });
  });

  it('a list of types with periodic (daily) recording: every type a rule evaluates, the account itself excepted', () => {
    // root-mfa judges AWS::::Account, which no recorder records: the list need not (and could not) name it.
    expect(RECORDED_RULE_TYPES).toContain('AWS::IAM::User');
    expect(RECORDED_RULE_TYPES).not.toContain('AWS::::Account');
    listed.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RecordingGroup: {
        AllSupported: false,
        ResourceTypes: RULE_TYPES.split(','),
        RecordingStrategy: { UseOnly: 'INCLUSION_BY_RESOURCE_TYPES' },
      },
      RecordingMode: { RecordingFrequency: 'DAILY' },
    });
  });
});

describe('the recorder settings at synth', () => {
  it('all but a list of types', () => {
    const template = Template.fromStack(
      buildApp(workspace(), {
        'plumbline:createConfigRecorder': true,
        'plumbline:configExcludedResourceTypes': 'AWS::EC2::NetworkInterface',
      }).stacks[0] as never,
    );
    template.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RecordingGroup: {
        AllSupported: false,
        ExclusionByResourceTypes: { ResourceTypes: ['AWS::EC2::NetworkInterface'] },
        RecordingStrategy: { UseOnly: 'EXCLUSION_BY_RESOURCE_TYPES' },
      },
    });
  }, 120_000);

  it.each([
    [
      { 'plumbline:configResourceTypes': 'AWS::EC2::SecurityGroup' },
      `Invalid context plumbline:configResourceTypes="AWS::EC2::SecurityGroup": the rules evaluate ${RECORDED_RULE_TYPES.filter((type) => type !== 'AWS::EC2::SecurityGroup').join(', ')}, which the recorder would not record (a rule never evaluates an unrecorded type)`,
    ],
    [
      {
        'plumbline:configResourceTypes': RECORDED_RULE_TYPES.filter((type) => type !== 'AWS::IAM::User').join(
          ',',
        ),
      },
      `Invalid context plumbline:configResourceTypes="${RECORDED_RULE_TYPES.filter((type) => type !== 'AWS::IAM::User').join(',')}": the rules evaluate AWS::IAM::User, which the recorder would not record (a rule never evaluates an unrecorded type)`,
    ],
    [
      { 'plumbline:configExcludedResourceTypes': 'AWS::S3::Bucket,AWS::EC2::NetworkInterface' },
      'Invalid context plumbline:configExcludedResourceTypes="AWS::S3::Bucket,AWS::EC2::NetworkInterface": the rules evaluate AWS::S3::Bucket, which the recorder would not record',
    ],
    [
      {
        'plumbline:configResourceTypes': RULE_TYPES,
        'plumbline:configExcludedResourceTypes': 'AWS::EC2::NetworkInterface',
      },
      'Invalid context plumbline:configExcludedResourceTypes="AWS::EC2::NetworkInterface": record a list (plumbline:configResourceTypes) or all but a list, not both',
    ],
    [
      { 'plumbline:configResourceTypes': 'EC2 security groups' },
      'Invalid context plumbline:configResourceTypes="EC2 security groups" ("EC2 security groups"): expected resource types such as AWS::EC2::SecurityGroup',
    ],
  ])('%j fails the synth, naming the setting and the value', (context, message) => {
    expect(() => buildApp(workspace(), { 'plumbline:createConfigRecorder': true, ...context })).toThrow(
      message,
    );
  });

  it('recorder settings without a recorder to set up are refused', () => {
    expect(() => buildApp(workspace(), { 'plumbline:configRecordingFrequency': 'DAILY' })).toThrow(
      'Invalid context plumbline:configResourceTypes, configExcludedResourceTypes or configRecordingFrequency: they set up the recorder this app creates, and plumbline:createConfigRecorder is false',
    );
  });
});
