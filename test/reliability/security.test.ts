/**
 * Security: no credentials, access key ids or policy documents in the logs, and least-privilege grants.
 * The Powertools logger writes JSON lines to stdout; the log level is DEBUG here so every line is seen.
 */
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  ConfigServiceClient,
  ListDiscoveredResourcesCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACTIONS } from '../../infra/catalog.ts';
import { responderEnvironment } from '../../shared/aws/responder-runtime.ts';
import { createDriftRevert, createPublicBucketResponder } from '../../shared/aws/responders.ts';
import { logger } from '../../shared/lambda/logger.ts';
import { changeEvent } from '../fixtures/config/events.ts';
import { complianceEvent, withDetail as withComplianceDetail } from '../fixtures/notifier/events.ts';
import { putBucketPolicy } from '../fixtures/public-bucket/cloudtrail.ts';
import { BUCKET, eventItem as bucketItem } from '../fixtures/public-bucket/items.ts';
import {
  GROUP_ID,
  MEMBER_ACCOUNT,
  securityGroupItem,
  TOPIC_ARN,
  trailEvent,
} from '../fixtures/security-group/index.ts';
import { deployedHandler } from '../support/deployed-handler.ts';
import { driftSuite, WEB_BASELINE } from './support/entry-points.ts';
import { FakeSecurityGroup, rule } from './support/fake-ec2.ts';

const ec2 = mockClient(EC2Client);
const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);
const sns = mockClient(SNSClient);
const sts = mockClient(STSClient);
const config = mockClient(ConfigServiceClient);
const cloudtrail = mockClient(CloudTrailClient);

const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY';
const SESSION_TOKEN = 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN';
const ASSUMED_KEY_ID = 'ASIAASSUMEDKEYEXAMPLE';
/** The caller's access key id in the CloudTrail fixtures. */
const CALLER_KEY_ID = 'ASIAEXAMPLEKEY';
/** A value only the bucket policy holds: a Referer "secret" people put in policies. */
const POLICY_SECRET = 'referer-token-7f3a9c';

let output = '';

beforeEach(() => {
  output = '';
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  logger.setLogLevel('DEBUG');
  const capture = (chunk: unknown) => {
    output += `${String(chunk)}\n`;
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const)
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => capture(args.map(String).join(' ')));
  ec2.reset();
  s3.reset();
  s3control.reset();
  sns.reset();
  sts.reset();
  config.reset();
  cloudtrail.reset();
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: ASSUMED_KEY_ID,
      SecretAccessKey: SECRET_ACCESS_KEY,
      SessionToken: SESSION_TOKEN,
      Expiration: new Date(Date.now() + 3_600_000),
    },
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

function expectNoSecrets(): void {
  expect(output.length).toBeGreaterThan(0);
  for (const secret of [SECRET_ACCESS_KEY, SESSION_TOKEN, ASSUMED_KEY_ID, CALLER_KEY_ID, POLICY_SECRET]) {
    expect(output).not.toContain(secret);
  }
  expect(output).not.toMatch(/"Statement"|secretAccessKey|sessionToken/i);
}

describe('logs hold no credentials and no policy documents', () => {
  it('sg-drift-revert acting in a member account, including a failed publish', async () => {
    const group = new FakeSecurityGroup(GROUP_ID, [rule('ingress', 'tcp', 22, 'cidr:0.0.0.0/0')], {
      'plumbline:baseline': 'web',
    });
    group.install(ec2);
    sns
      .on(PublishCommand)
      .rejects(Object.assign(new Error('Internal error'), { name: 'InternalErrorException' }));
    const handle = createDriftRevert({
      sns: new SNSClient({ region: 'us-east-1' }),
      sts: new STSClient({ region: 'us-east-1' }),
      createEc2Client: (region) => new EC2Client({ region }),
      environment: () =>
        responderEnvironment({
          PLUMBLINE_TOPIC_ARN: TOPIC_ARN,
          PLUMBLINE_EXECUTION_ROLE_NAME: 'plumbline-execution',
        }),
      selfIdentity: () => ({ roleArns: [] }),
      suiteConfig: () => driftSuite({ baselines: { web: WEB_BASELINE } }),
      region: 'us-east-1',
    });
    await expect(
      handle(trailEvent('authorize-security-group-ingress'), {
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:210987654321:function:plumbline-sg-drift-revert',
      }),
    ).rejects.toThrow('SNS Publish');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expectNoSecrets();
  });

  it('public-bucket-remediate blocking a bucket whose policy holds a secret, with a failed publish', async () => {
    const missing = (name: string) => Object.assign(new Error(name), { name });
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PublicRead',
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${BUCKET}/*`,
          Condition: { StringLike: { 'aws:Referer': POLICY_SECRET } },
        },
        {
          Sid: 'Everyone',
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${BUCKET}/*`,
        },
      ],
    };
    s3.on(GetBucketAclCommand).resolves({ Owner: { ID: 'owner' }, Grants: [] });
    s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify(policy) });
    s3.on(GetPublicAccessBlockCommand).rejects(missing('NoSuchPublicAccessBlockConfiguration'));
    s3.on(GetBucketOwnershipControlsCommand).rejects(missing('OwnershipControlsNotFoundError'));
    s3.on(PutPublicAccessBlockCommand).resolves({});
    s3control.on(GetAccountBlockCommand).rejects(missing('NoSuchPublicAccessBlockConfiguration'));
    sns.on(PublishCommand).rejects(missing('InternalErrorException'));
    const handle = createPublicBucketResponder({
      sns: new SNSClient({ region: 'us-east-1' }),
      environment: () => responderEnvironment({ PLUMBLINE_TOPIC_ARN: TOPIC_ARN }),
      suiteConfig: () => ({
        rules: {},
        settings: { responders: { 'public-bucket-remediate': { mode: 'enforce' } } },
      }),
      createClients: (region) => ({
        s3: new S3Client({ region }),
        s3control: new S3ControlClient({ region }),
      }),
    });
    await expect(handle(putBucketPolicy(policy))).rejects.toThrow();
    expect(s3).toHaveReceivedCommandTimes(PutPublicAccessBlockCommand, 1);
    expectNoSecrets();
  });
});

/** A bucket policy whose only distinctive value is POLICY_SECRET. */
const SECRET_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'PublicRead',
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/*`,
      Condition: { StringLike: { 'aws:Referer': POLICY_SECRET } },
    },
  ],
};

const LAMBDA_CONTEXT = {
  functionName: 'plumbline-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:plumbline-test',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

/** A service error carrying what SDK errors carry: request id, status, and the HTTP response. */
function serviceError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} (simulated)`), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: 'req-1', attempts: 1 },
  });
}

describe('logs of a failed invocation through the deployed handler hold no credentials and no policy documents', () => {
  beforeEach(() => {
    process.env.AWS_REGION = 'us-east-1';
    process.env.PLUMBLINE_TOPIC_ARN = TOPIC_ARN;
    process.env.PLUMBLINE_EXECUTION_ROLE_NAME = 'plumbline-execution';
    // On a warm invocation the middleware resets the level to the one the logger was built with (SILENT
    // under vitest.config.ts); keep the DEBUG level set above so that every line is seen.
    vi.spyOn(logger, 'refreshSampleRateCalculation').mockImplementation(() => {});
  });

  afterEach(() => {
    delete process.env.PLUMBLINE_TOPIC_ARN;
    delete process.env.PLUMBLINE_EXECUTION_ROLE_NAME;
  });

  function expectInvocationFailedLogged(): void {
    expect(output).toContain('invocation failed');
  }

  it('security-group Config rule in a member account, PutEvaluations refused', async () => {
    config.on(PutEvaluationsCommand).rejects(serviceError('AccessDeniedException', 400));
    const handler = await deployedHandler('security-group');
    const event = changeEvent(securityGroupItem({}, {}), {
      ruleParameters: { ExecutionRoleName: 'plumbline-execution' },
    });
    await expect(handler(event, LAMBDA_CONTEXT)).rejects.toThrow('PutEvaluations could not deliver');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expectInvocationFailedLogged();
    expectNoSecrets();
  });

  it('public-bucket Config rule on a bucket whose policy holds a secret, in a member account, PutEvaluations refused', async () => {
    const missing = (name: string) => Object.assign(new Error(name), { name });
    s3control.on(GetAccountBlockCommand).rejects(missing('NoSuchPublicAccessBlockConfiguration'));
    config.on(PutEvaluationsCommand).rejects(serviceError('AccessDeniedException', 400));
    const handler = await deployedHandler('public-bucket');
    const event = changeEvent(bucketItem({ policy: JSON.stringify(SECRET_POLICY) }), {
      ruleParameters: { ExecutionRoleName: 'plumbline-execution' },
    });
    await expect(handler(event, LAMBDA_CONTEXT)).rejects.toThrow('PutEvaluations could not deliver');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expectInvocationFailedLogged();
    expectNoSecrets();
  });

  it('compliance-notifier looking up a member account (CloudTrail record with a key id and a policy), Publish failing', async () => {
    const record = {
      eventVersion: '1.09',
      eventID: 'e-1',
      eventTime: '2024-05-14T10:05:00Z',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'AuthorizeSecurityGroupIngress',
      awsRegion: 'us-east-1',
      readOnly: false,
      userIdentity: {
        type: 'AssumedRole',
        accessKeyId: CALLER_KEY_ID,
        arn: `arn:aws:sts::${MEMBER_ACCOUNT}:assumed-role/Admin/alice`,
        accountId: MEMBER_ACCOUNT,
      },
      requestParameters: { groupId: GROUP_ID, policyDocument: JSON.stringify(SECRET_POLICY) },
    };
    cloudtrail.on(LookupEventsCommand).resolves({
      Events: [
        {
          EventId: 'e-1',
          EventName: 'AuthorizeSecurityGroupIngress',
          EventSource: 'ec2.amazonaws.com',
          EventTime: new Date('2024-05-14T10:05:00Z'),
          ReadOnly: 'false',
          AccessKeyId: CALLER_KEY_ID,
          CloudTrailEvent: JSON.stringify(record),
        },
      ],
    });
    config.on(ListDiscoveredResourcesCommand).resolves({ resourceIdentifiers: [] });
    sns.on(PublishCommand).rejects(serviceError('InternalErrorException', 500));
    const handler = await deployedHandler('compliance-notifier');
    const event = withComplianceDetail(complianceEvent('compliant-to-non-compliant'), {
      awsAccountId: MEMBER_ACCOUNT,
    });
    await expect(handler(event, LAMBDA_CONTEXT)).rejects.toThrow('SNS Publish');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(cloudtrail).toHaveReceivedCommandTimes(LookupEventsCommand, 1);
    expectInvocationFailedLogged();
    expectNoSecrets();
  });

  it('public-bucket-remediate on a PutBucketPolicy event whose policy holds a secret, Publish failing', async () => {
    const missing = (name: string) => Object.assign(new Error(name), { name });
    s3.on(GetBucketAclCommand).resolves({ Owner: { ID: 'owner' }, Grants: [] });
    s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify(SECRET_POLICY) });
    s3.on(GetPublicAccessBlockCommand).rejects(missing('NoSuchPublicAccessBlockConfiguration'));
    s3.on(GetBucketOwnershipControlsCommand).rejects(missing('OwnershipControlsNotFoundError'));
    s3.on(PutPublicAccessBlockCommand).resolves({});
    s3control.on(GetAccountBlockCommand).rejects(missing('NoSuchPublicAccessBlockConfiguration'));
    sns.on(PublishCommand).rejects(serviceError('InternalErrorException', 500));
    delete process.env.PLUMBLINE_EXECUTION_ROLE_NAME;
    const handler = await deployedHandler('public-bucket-remediate');
    await expect(handler(putBucketPolicy(SECRET_POLICY), LAMBDA_CONTEXT)).rejects.toThrow('SNS Publish');
    expectInvocationFailedLogged();
    expectNoSecrets();
  });

  it('sg-drift-revert in a member account, Publish failing', async () => {
    const group = new FakeSecurityGroup(GROUP_ID, [rule('ingress', 'tcp', 22, 'cidr:0.0.0.0/0')], {
      'plumbline:baseline': 'web',
    });
    group.install(ec2);
    sns.on(PublishCommand).rejects(serviceError('InternalErrorException', 500));
    const handler = await deployedHandler('sg-drift-revert');
    const context = {
      ...LAMBDA_CONTEXT,
      invokedFunctionArn: `arn:aws:lambda:us-east-1:${MEMBER_ACCOUNT}:function:plumbline-sg-drift-revert`,
    } as Context;
    await expect(handler(trailEvent('authorize-security-group-ingress'), context)).rejects.toThrow();
    expectInvocationFailedLogged();
    expectNoSecrets();
  });
});

describe('least privilege: the actions each function role is granted', () => {
  const WRITES = /^(ec2:(Revoke|Authorize)|s3:Put|config:PutEvaluations|sns:Publish)/;

  it.each(Object.entries(ACTIONS))(
    '%s: no wildcard action; writes scoped to resources where the API allows',
    (_name, grants) => {
      for (const grant of grants) {
        for (const action of grant.actions) {
          expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
          // config:PutEvaluations supports no resource-level permissions (Service Authorization Reference).
          if (WRITES.test(action) && action !== 'config:PutEvaluations')
            expect(grant.resources).not.toContain('*');
        }
        if (grant.resources.includes('*') || grant.resources.some((resource) => resource.includes('*'))) {
          expect(grant.wildcardReason?.length ?? 0).toBeGreaterThan(20);
        }
      }
    },
  );
});
