/**
 * One runtime for every responder: the same answer, from every responder in the registry, to a call of
 * another service, a failed call, its own call, an event name it does not handle and a call in another
 * account with no execution role to act there.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { accountOfFunction } from '../../shared/aws/assume-role.ts';
import { responderEnvironment } from '../../shared/aws/responder-runtime.ts';
import {
  createDriftRevert,
  createPublicBucketResponder,
  createSnapshotPrivateResponder,
  createVersioningEnableResponder,
} from '../../shared/aws/responders.ts';
import { InputError } from '../../shared/core/model.ts';
import { CrossAccountError } from '../../shared/core/responder.ts';
import { RESPONDERS } from '../../shared/rules/index.ts';
import { putBucketAclCanned } from '../fixtures/public-bucket/cloudtrail.ts';
import { modifySnapshotAttribute } from '../fixtures/rds-snapshot-not-public/cloudtrail.ts';
import { putBucketVersioning } from '../fixtures/s3-versioning/cloudtrail.ts';
import { trailEvent } from '../fixtures/security-group/index.ts';

const ec2 = mockClient(EC2Client);
const rds = mockClient(RDSClient);
const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);
const sns = mockClient(SNSClient);
const sts = mockClient(STSClient);

const ACCOUNT = '123456789012';
const MEMBER = '210987654321';
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:plumbline-notifications`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/plumbline/responder/plumbline-responder-us-east-1`;

type Handler = (event: unknown, context?: { invokedFunctionArn?: string }) => Promise<unknown>;

const environment = () =>
  responderEnvironment({ PLUMBLINE_TOPIC_ARN: TOPIC, PLUMBLINE_FUNCTION_ROLE_ARN: ROLE });
const suiteConfig = () => ({ rules: {}, settings: {} });
const common = { sns: new SNSClient({}), sts: new STSClient({}), environment, suiteConfig };

/** Each registry responder: how to build its handler and one call it acts on (fixtures from AWS docs). */
const CASES: Record<string, { handler: () => Handler; event: () => Record<string, unknown> }> = {
  'sg-drift-revert': {
    handler: () => createDriftRevert({ ...common, ec2: new EC2Client({}), region: 'us-east-1' }),
    event: () => trailEvent('authorize-security-group-ingress') as Record<string, unknown>,
  },
  'public-bucket-remediate': {
    handler: () =>
      createPublicBucketResponder({
        ...common,
        createClients: () => ({ s3: new S3Client({}), s3control: new S3ControlClient({}) }),
      }),
    event: () => putBucketAclCanned('public-read'),
  },
  'rds-snapshot-private': {
    handler: () => createSnapshotPrivateResponder({ ...common, createRdsClient: () => new RDSClient({}) }),
    event: () => modifySnapshotAttribute(),
  },
  's3-versioning-enable': {
    handler: () => createVersioningEnableResponder({ ...common, createS3Client: () => new S3Client({}) }),
    event: () => putBucketVersioning(),
  },
};

function withDetail(event: Record<string, unknown>, detail: Record<string, unknown>, envelope = {}) {
  return { ...event, ...envelope, detail: { ...(event.detail as Record<string, unknown>), ...detail } };
}

function functionArn(name: string) {
  return { invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:plumbline-${name}` };
}

const serviceCalls = () => [
  ...ec2.calls(),
  ...rds.calls(),
  ...s3.calls(),
  ...s3control.calls(),
  ...sts.calls(),
];

beforeEach(() => {
  for (const mock of [ec2, rds, s3, s3control, sns, sts]) mock.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
});

describe('one runtime for every responder', () => {
  it('every responder of the registry is covered here', () => {
    expect(RESPONDERS.map((spec) => spec.name).sort()).toEqual(Object.keys(CASES).sort());
  });

  describe.each(RESPONDERS.map((spec) => [spec.name, spec] as const))('%s', (name, spec) => {
    const { handler, event } = CASES[name] ?? { handler: () => undefined, event: () => ({}) };

    it('a call of another service is an InputError naming the field; nothing is called', async () => {
      const other = spec.eventSource === 'ec2.amazonaws.com' ? 's3.amazonaws.com' : 'ec2.amazonaws.com';
      const call = handler()?.(withDetail(event(), { eventSource: other }), functionArn(name));
      await expect(call).rejects.toThrow(InputError);
      await expect(
        handler()?.(withDetail(event(), { eventSource: other }), functionArn(name)),
      ).rejects.toThrow(`Invalid event: detail.eventSource is ${other}, expected ${spec.eventSource}`);
      expect([...serviceCalls(), ...sns.calls()]).toHaveLength(0);
    });

    it('a failed call is skipped without any call', async () => {
      await expect(
        handler()?.(withDetail(event(), { errorCode: 'AccessDenied' }), functionArn(name)),
      ).resolves.toEqual({ status: 'skipped', reason: 'the call failed (AccessDenied) and changed nothing' });
      expect([...serviceCalls(), ...sns.calls()]).toHaveLength(0);
    });

    it('its own call (the exact function role ARN as session issuer) is skipped without any call', async () => {
      const caller = `arn:aws:sts::${ACCOUNT}:assumed-role/plumbline-responder-us-east-1/session`;
      const own = withDetail(event(), {
        userIdentity: {
          type: 'AssumedRole',
          arn: caller,
          accountId: ACCOUNT,
          sessionContext: { sessionIssuer: { type: 'Role', arn: ROLE, accountId: ACCOUNT } },
        },
      });
      await expect(handler()?.(own, functionArn(name))).resolves.toEqual({
        status: 'skipped',
        reason: `own call (${caller})`,
      });
      expect([...serviceCalls(), ...sns.calls()]).toHaveLength(0);
    });

    it('an event name of its service it does not handle is skipped', async () => {
      await expect(
        handler()?.(withDetail(event(), { eventName: 'DescribeNothing' }), functionArn(name)),
      ).resolves.toEqual({ status: 'skipped', reason: 'DescribeNothing is not handled' });
      expect([...serviceCalls(), ...sns.calls()]).toHaveLength(0);
    });

    it('a call in another account with no execution role: CrossAccountError naming both accounts, a failed notice, no call to the service', async () => {
      const member = withDetail(event(), { recipientAccountId: MEMBER }, { account: MEMBER });
      const call = handler()?.(member, functionArn(name));
      await expect(call).rejects.toThrow(CrossAccountError);
      await expect(call).rejects.toThrow(
        `The event is from account ${MEMBER}, not the function's account ${ACCOUNT}: set PLUMBLINE_EXECUTION_ROLE_NAME to act there`,
      );
      expect(serviceCalls()).toHaveLength(0);
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
      const attributes = sns.commandCalls(PublishCommand)[0]?.args[0].input.MessageAttributes;
      expect(attributes?.outcome).toEqual({ DataType: 'String', StringValue: 'failed' });
      expect(attributes?.account).toEqual({ DataType: 'String', StringValue: MEMBER });
    });
  });
});

describe('accountOfFunction', () => {
  it('reads the account of a Lambda function ARN, and nothing else', () => {
    expect(accountOfFunction(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:plumbline-x`)).toBe(ACCOUNT);
    expect(accountOfFunction('arn:aws:lambda:us-east-1:12345:function:x')).toBeUndefined();
    expect(accountOfFunction(undefined)).toBeUndefined();
  });
});
