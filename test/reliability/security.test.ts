/**
 * Security: no credentials, access key ids or policy documents in the logs, and least-privilege grants.
 * The Powertools logger writes JSON lines to stdout; the log level is DEBUG here so every line is seen.
 */
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
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACTIONS } from '../../infra/catalog.ts';
import { createPublicBucketResponder, responderEnvironment } from '../../shared/aws/buckets.ts';
import { createDriftRevert } from '../../shared/aws/security-groups.ts';
import { logger } from '../../shared/lambda/logger.ts';
import { driftRevertEnvironment } from '../../shared/rules/security-group/responder.ts';
import { putBucketPolicy } from '../fixtures/public-bucket/cloudtrail.ts';
import { BUCKET } from '../fixtures/public-bucket/items.ts';
import { GROUP_ID, TOPIC_ARN, trailEvent } from '../fixtures/security-group/index.ts';
import { driftSuite, WEB_BASELINE } from './support/entry-points.ts';
import { FakeSecurityGroup, rule } from './support/fake-ec2.ts';

const ec2 = mockClient(EC2Client);
const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);
const sns = mockClient(SNSClient);
const sts = mockClient(STSClient);

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
        driftRevertEnvironment({
          PLUMBLINE_TOPIC_ARN: TOPIC_ARN,
          PLUMBLINE_EXECUTION_ROLE_NAME: 'plumbline-execution',
        }),
      selfIdentity: () => ({ roleArns: [], roleNames: [] }),
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
