/**
 * Remediation never widens access and never touches what it does not manage, over random groups and buckets.
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
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { responderEnvironment } from '../../shared/aws/responder-runtime.ts';
import { createDriftRevert, createPublicBucketResponder } from '../../shared/aws/responders.ts';
import { putBucketAclCanned } from '../fixtures/public-bucket/cloudtrail.ts';
import { BUCKET } from '../fixtures/public-bucket/items.ts';
import { GROUP_ID, TOPIC_ARN, trailEvent } from '../fixtures/security-group/index.ts';
import { driftSuite, FUNCTION_CONTEXT, WEB_BASELINE } from './support/entry-points.ts';
import { FakeSecurityGroup, rule } from './support/fake-ec2.ts';

const ec2 = mockClient(EC2Client);
const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);
const sns = mockClient(SNSClient);

beforeEach(() => {
  ec2.reset();
  s3.reset();
  s3control.reset();
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
});

const { match: _byId, ...TAG_BOUND_WEB } = WEB_BASELINE;

const atom = fc
  .tuple(
    fc.constantFrom('ingress' as const, 'egress' as const),
    fc.constantFrom('tcp', 'udp', '-1'),
    fc.constantFrom(22, 80, 443, 3389, 8080),
    fc.constantFrom(
      'cidr:0.0.0.0/0',
      'cidr:10.0.0.0/8',
      'cidrIpv6:::/0',
      'group:sg-0fedcba9876543210',
      'prefixList:pl-0123abcd',
    ),
  )
  .map(([direction, protocol, port, peer]) =>
    rule(direction, protocol, protocol === '-1' ? undefined : port, peer),
  );

describe('sg-drift-revert over random groups', () => {
  it('a group without a baseline: only world-open blocked ports are revoked, nothing is ever added', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(atom, { maxLength: 8 }), async (initial) => {
        ec2.reset();
        const group = new FakeSecurityGroup(GROUP_ID, initial, { Name: 'unmanaged' });
        group.install(ec2);
        const handle = createDriftRevert({
          sns: new SNSClient({ region: 'us-east-1' }),
          sts: new STSClient({ region: 'us-east-1' }),
          ec2: new EC2Client({ region: 'us-east-1' }),
          environment: () => responderEnvironment({ PLUMBLINE_TOPIC_ARN: TOPIC_ARN }),
          selfIdentity: () => ({ roleArns: [] }),
          // The baseline binds other groups (by tag only): this group, tagged otherwise, has none.
          suiteConfig: () => driftSuite({ baselines: { web: TAG_BOUND_WEB } }),
          region: 'us-east-1',
        });
        await handle(trailEvent('authorize-security-group-ingress'), FUNCTION_CONTEXT);
        const worldOpenBlocked = (candidate: string) =>
          candidate.startsWith('ingress') &&
          /(cidr:0\.0\.0\.0\/0|cidrIpv6:::\/0)$/.test(candidate) &&
          (/ -1 /.test(candidate) || / tcp (22|3389)-/.test(candidate));
        for (const step of group.steps) {
          expect(step.call.startsWith('Revoke')).toBe(true);
          expect(step.requested.every(worldOpenBlocked)).toBe(true);
        }
        expect(group.all()).toEqual(new Set(initial.filter((candidate) => !worldOpenBlocked(candidate))));
        for (const call of ec2.calls()) {
          const input = call.args[0].input as { GroupId?: string; GroupIds?: string[] };
          expect(input.GroupId ?? input.GroupIds?.[0]).toBe(GROUP_ID);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('public-bucket-remediate over random buckets', () => {
  const grant = fc.record({
    uri: fc.constantFrom(
      'http://acs.amazonaws.com/groups/global/AllUsers',
      'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
      'http://acs.amazonaws.com/groups/s3/LogDelivery',
    ),
    permission: fc.constantFrom('READ', 'WRITE', 'READ_ACP', 'WRITE_ACP', 'FULL_CONTROL'),
  });
  const flags = fc.record({
    BlockPublicAcls: fc.boolean(),
    IgnorePublicAcls: fc.boolean(),
    BlockPublicPolicy: fc.boolean(),
    RestrictPublicBuckets: fc.boolean(),
  });
  const policy = fc.option(
    fc.record({
      Effect: fc.constantFrom('Allow', 'Deny'),
      Principal: fc.constantFrom('*', { AWS: '*' }, { AWS: 'arn:aws:iam::111122223333:root' }),
      Action: fc.constantFrom('s3:GetObject', 's3:*', 's3:PutObject'),
    }),
  );

  it('writes only all-on Block Public Access, only to the reported bucket, never to an excluded one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(grant, { maxLength: 3 }),
        policy,
        fc.option(flags),
        fc.boolean(),
        async (grants, statement, block, excluded) => {
          s3.reset();
          s3control.reset();
          const missing = (name: string) => Object.assign(new Error(name), { name });
          s3.on(GetBucketAclCommand).resolves({
            Owner: { ID: 'owner' },
            Grants: grants.map((entry) => ({
              Grantee: { Type: 'Group', URI: entry.uri },
              Permission: entry.permission,
            })),
          });
          if (statement === null) s3.on(GetBucketPolicyCommand).rejects(missing('NoSuchBucketPolicy'));
          else
            s3.on(GetBucketPolicyCommand).resolves({
              Policy: JSON.stringify({
                Version: '2012-10-17',
                Statement: [{ ...statement, Resource: `arn:aws:s3:::${BUCKET}/*` }],
              }),
            });
          if (block === null)
            s3.on(GetPublicAccessBlockCommand).rejects(missing('NoSuchPublicAccessBlockConfiguration'));
          else s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: block });
          s3.on(GetBucketOwnershipControlsCommand).rejects(missing('OwnershipControlsNotFoundError'));
          s3.on(PutPublicAccessBlockCommand).resolves({});
          s3control.on(GetAccountBlockCommand).rejects(missing('NoSuchPublicAccessBlockConfiguration'));
          const handle = createPublicBucketResponder({
            sns: new SNSClient({ region: 'us-east-1' }),
            environment: () => responderEnvironment({ PLUMBLINE_TOPIC_ARN: TOPIC_ARN }),
            suiteConfig: () => ({
              rules: {
                'public-bucket': excluded
                  ? { excludedPublicBuckets: BUCKET }
                  : ({} as Record<string, string>),
              },
              settings: { responders: { 'public-bucket-remediate': { mode: 'enforce' } } },
            }),
            createClients: (region) => ({
              s3: new S3Client({ region }),
              s3control: new S3ControlClient({ region }),
            }),
          });
          await handle(putBucketAclCanned('public-read'), FUNCTION_CONTEXT);
          const writes = s3.commandCalls(PutPublicAccessBlockCommand).map((call) => call.args[0].input);
          if (excluded) expect(writes).toEqual([]);
          for (const input of writes) {
            expect(input).toEqual({
              Bucket: BUCKET,
              ExpectedBucketOwner: '123456789012',
              PublicAccessBlockConfiguration: {
                BlockPublicAcls: true,
                IgnorePublicAcls: true,
                BlockPublicPolicy: true,
                RestrictPublicBuckets: true,
              },
            });
          }
          expect(writes.length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 150 },
    );
  });
});
