/**
 * Where the created recorders deliver and which role they use: a central delivery bucket in a log-archive
 * account (`configDeliveryBucket`, `configDeliveryKmsKeyArn`, the `stacks=log-archive` stack with AWS's
 * documented bucket policy for an organisation), and AWS Config's service-linked role in both modes
 * (`createConfigServiceLinkedRole`). Each variant is synthesised once.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, CONFIG_SERVICE_LINKED_ROLE_ARN, ORGANIZATION_CONTEXT, workspace } from './support.ts';

const BUCKET = 'acme-config-archive';
const KEY_ARN = 'arn:aws:kms:eu-west-1:444444444444:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const CENTRAL = {
  'plumbline:createConfigRecorder': true,
  'plumbline:configDeliveryBucket': BUCKET,
  'plumbline:configDeliveryKmsKeyArn': KEY_ARN,
};

/** The home region's stack and its StackSet's member template. */
function organization(context: Record<string, unknown>): { home: Template; member: Template } {
  const home = Template.fromStack(
    buildApp(workspace(), { ...ORGANIZATION_CONTEXT, ...context }).stacks[0] as never,
  );
  const stackSet = Object.values(home.findResources('AWS::CloudFormation::StackSet'))[0] as {
    Properties: { TemplateBody: string };
  };
  return { home, member: Template.fromJSON(JSON.parse(stackSet.Properties.TemplateBody)) };
}

let centralMember: Template;
let centralAccount: Template;
let logArchive: Template;
let logArchiveName: string;
let linkedHome: Template;
let linkedMember: Template;
let linkedAccount: Template[];
let linkedAccountDependencies: string[][];
let plainMember: Template;

beforeAll(() => {
  centralMember = organization(CENTRAL).member;
  centralAccount = Template.fromStack(buildApp(workspace(), CENTRAL).stacks[0] as never);
  const archive = buildApp(workspace(), {
    ...ORGANIZATION_CONTEXT,
    ...CENTRAL,
    'plumbline:stacks': 'log-archive',
  }).stacks;
  expect(archive).toHaveLength(1);
  logArchiveName = archive[0]?.stackName ?? '';
  logArchive = Template.fromStack(archive[0] as never);
  const linked = organization({
    'plumbline:createConfigRecorder': true,
    'plumbline:createConfigServiceLinkedRole': true,
  });
  linkedHome = linked.home;
  linkedMember = linked.member;
  const accountStacks = buildApp(workspace(), {
    'plumbline:createConfigRecorder': true,
    'plumbline:createConfigServiceLinkedRole': true,
    'plumbline:regions': 'eu-west-1,us-east-1',
    'plumbline:homeRegion': 'us-east-1',
  }).stacks;
  linkedAccount = accountStacks.map((stack) => Template.fromStack(stack));
  linkedAccountDependencies = accountStacks.map((stack) => stack.dependencies.map((dep) => dep.stackName));
  plainMember = organization({ 'plumbline:createConfigRecorder': true }).member;
}, 900_000);

describe('a central delivery bucket (configDeliveryBucket)', () => {
  it("the member accounts' delivery channels deliver to the central bucket with its key, and create no bucket", () => {
    const channels = Object.values(centralMember.findResources('AWS::Config::DeliveryChannel')) as {
      Properties: unknown;
    }[];
    expect(channels.map((channel) => channel.Properties)).toEqual([
      {
        S3BucketName: BUCKET,
        S3KmsKeyArn: KEY_ARN,
        ConfigSnapshotDeliveryProperties: { DeliveryFrequency: 'TwentyFour_Hours' },
      },
    ]);
    centralMember.resourceCountIs('AWS::S3::Bucket', 0);
    centralMember.resourceCountIs('AWS::S3::BucketPolicy', 0);
    centralMember.resourceCountIs('AWS::Config::ConfigurationRecorder', 1);
  });

  it('account mode delivers to the central bucket too, and creates no bucket', () => {
    centralAccount.hasResourceProperties('AWS::Config::DeliveryChannel', {
      S3BucketName: BUCKET,
      S3KmsKeyArn: KEY_ARN,
    });
    centralAccount.resourceCountIs('AWS::S3::Bucket', 0);
  });

  it('stacks=log-archive: one stack in the home region with the named bucket, Block Public Access, SSE-KMS, a lifecycle and access logs', () => {
    expect(logArchiveName).toBe('PlumblineLogArchive');
    logArchive.resourceCountIs('AWS::S3::Bucket', 2);
    logArchive.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketName: BUCKET,
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ARN },
            },
          ],
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
              ExpirationInDays: 365,
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
            },
          ],
        },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'bucket/' }),
      },
    });
  });

  it("stacks=log-archive: AWS's documented Config delivery policy for the organisation (aws:SourceOrgID), TLS only", () => {
    const policies = Object.values(logArchive.findResources('AWS::S3::BucketPolicy')) as {
      Properties: { Bucket: { Ref: string }; PolicyDocument: { Statement: unknown[] } };
    }[];
    const central = policies.find(
      (policy) =>
        (
          logArchive.toJSON().Resources[policy.Properties.Bucket.Ref] as {
            Properties: { BucketName?: string };
          }
        ).Properties.BucketName === BUCKET,
    );
    const bucket = central?.Properties.Bucket.Ref as string;
    const arn = { 'Fn::GetAtt': [bucket, 'Arn'] };
    const fromOrganization = { 'aws:SourceOrgID': 'o-a1b2c3d4e5' };
    expect(central?.Properties.PolicyDocument.Statement).toEqual([
      {
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: [arn, { 'Fn::Join': ['', [arn, '/*']] }],
      },
      {
        Sid: 'AWSConfigBucketPermissionsCheck',
        Action: 's3:GetBucketAcl',
        Condition: { StringEquals: fromOrganization },
        Effect: 'Allow',
        Principal: { Service: 'config.amazonaws.com' },
        Resource: arn,
      },
      {
        Sid: 'AWSConfigBucketExistenceCheck',
        Action: 's3:ListBucket',
        Condition: { StringEquals: fromOrganization },
        Effect: 'Allow',
        Principal: { Service: 'config.amazonaws.com' },
        Resource: arn,
      },
      {
        Sid: 'AWSConfigBucketDelivery',
        Action: 's3:PutObject',
        Condition: { StringEquals: { ...fromOrganization, 's3:x-amz-acl': 'bucket-owner-full-control' } },
        Effect: 'Allow',
        Principal: { Service: 'config.amazonaws.com' },
        Resource: { 'Fn::Join': ['', [arn, '/AWSLogs/*/Config/*']] },
      },
    ]);
  });

  it.each([
    [
      { 'plumbline:configDeliveryBucket': BUCKET },
      `Invalid context plumbline:configDeliveryBucket="${BUCKET}": it sets up the recorder this app creates, and plumbline:createConfigRecorder is false`,
    ],
    [
      { 'plumbline:createConfigServiceLinkedRole': 'true' },
      'Invalid context plumbline:createConfigServiceLinkedRole=true: it sets up the recorder this app creates, and plumbline:createConfigRecorder is false',
    ],
    [
      { 'plumbline:createConfigRecorder': true, 'plumbline:configDeliveryKmsKeyArn': KEY_ARN },
      `Invalid context plumbline:configDeliveryKmsKeyArn="${KEY_ARN}": it is the key of the central bucket, and plumbline:configDeliveryBucket is not set (a created bucket uses S3-managed keys)`,
    ],
    [
      { 'plumbline:createConfigRecorder': true, 'plumbline:configDeliveryBucket': 'Acme_Config' },
      'Invalid context plumbline:configDeliveryBucket="Acme_Config": expected an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens',
    ],
    [
      {
        ...CENTRAL,
        'plumbline:configDeliveryKmsKeyArn': 'arn:aws:kms:eu-west-1:444444444444:alias/config',
      },
      'Invalid context plumbline:configDeliveryKmsKeyArn="arn:aws:kms:eu-west-1:444444444444:alias/config": expected a KMS key ARN (arn:aws:kms:region:account:key/id)',
    ],
    [
      { 'plumbline:stacks': 'log-archive' },
      'Invalid context plumbline:stacks="log-archive": log-archive stacks exist in organisation mode only (plumbline:mode=organization)',
    ],
    [
      { ...ORGANIZATION_CONTEXT, 'plumbline:stacks': 'log-archive', 'plumbline:createConfigRecorder': true },
      'Missing context plumbline:configDeliveryBucket: organisation mode needs the name of the central bucket',
    ],
  ])('%j fails the synth, naming the setting and the value', (context, message) => {
    expect(() => buildApp(workspace(), context)).toThrow(message);
  });
});

describe("AWS Config's service-linked role", () => {
  it('by default the member recorders use AWSServiceRoleForConfig, which must exist, and no custom role', () => {
    plainMember.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RoleARN: CONFIG_SERVICE_LINKED_ROLE_ARN,
    });
    plainMember.resourceCountIs('AWS::IAM::ServiceLinkedRole', 0);
    expect(JSON.stringify(plainMember.toJSON())).not.toContain('AWS_ConfigRole');
  });

  it('createConfigServiceLinkedRole: the member template creates it in the home region only, retained, before the recorder', () => {
    const roles = linkedMember.findResources('AWS::IAM::ServiceLinkedRole');
    const [id, role] = Object.entries(roles)[0] ?? [];
    expect(Object.keys(roles)).toHaveLength(1);
    expect(role).toMatchObject({
      Properties: { AWSServiceName: 'config.amazonaws.com' },
      Condition: 'IsHomeRegion',
      DeletionPolicy: 'Retain',
    });
    const recorder = Object.values(linkedMember.findResources('AWS::Config::ConfigurationRecorder'))[0] as {
      Properties: { RoleARN: unknown };
      DependsOn: string[];
    };
    expect(recorder.Properties.RoleARN).toEqual(CONFIG_SERVICE_LINKED_ROLE_ARN);
    // Through a handle that refers to the role only where it exists (a DependsOn on it would be invalid).
    const handles = linkedMember.findResources('AWS::CloudFormation::WaitConditionHandle');
    const [handle, ready] = Object.entries(handles)[0] ?? [];
    expect(Object.keys(handles)).toHaveLength(1);
    expect(ready).toMatchObject({
      Metadata: { ServiceLinkedRole: { 'Fn::If': ['IsHomeRegion', { Ref: id }, ''] } },
    });
    expect(ready).not.toHaveProperty('Condition');
    expect(recorder.DependsOn).toContain(handle);
    expect(recorder.DependsOn).not.toContain(id);
  });

  it('createConfigServiceLinkedRole: the StackSet rolls out the home region first, then the others', () => {
    linkedHome.hasResourceProperties('AWS::CloudFormation::StackSet', {
      OperationPreferences: {
        RegionConcurrencyType: 'SEQUENTIAL',
        RegionOrder: ['eu-west-1', 'us-east-1'],
        MaxConcurrentPercentage: 25,
        FailureTolerancePercentage: 10,
      },
    });
  });

  it('createConfigServiceLinkedRole, account mode: the home region stack creates it, the other region waits for that stack', () => {
    const [euWest, usEast] = linkedAccount as [Template, Template];
    expect(linkedAccountDependencies).toEqual([['Plumbline-us-east-1'], []]);
    const roles = Object.keys(usEast.findResources('AWS::IAM::ServiceLinkedRole'));
    expect(roles).toHaveLength(1);
    const recorder = Object.values(usEast.findResources('AWS::Config::ConfigurationRecorder'))[0] as {
      DependsOn: string[];
    };
    expect(recorder.DependsOn).toContain(roles[0]);
    euWest.resourceCountIs('AWS::IAM::ServiceLinkedRole', 0);
    for (const template of [euWest, usEast]) {
      template.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
        RoleARN: CONFIG_SERVICE_LINKED_ROLE_ARN,
      });
    }
  });
});
