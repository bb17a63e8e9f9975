/**
 * The `s3-versioning-enable` responder through its handler: a suspended bucket's versioning re-read from S3,
 * `report` by default, `enforce` sending Status Enabled only (no MFA delete), MFA-delete buckets and excluded
 * buckets left alone, failures notified and thrown.
 */
import { GetBucketVersioningCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { responderEnvironment } from '../../shared/aws/responder-runtime.ts';
import { createVersioningEnableResponder } from '../../shared/aws/responders.ts';
import { InputError, ParameterError } from '../../shared/core/model.ts';
import { parseVersioningResponderSettings } from '../../shared/rules/s3-versioning/responder.ts';
import { ACCOUNT, BUCKET } from '../fixtures/public-bucket/items.ts';
import { putBucketVersioning } from '../fixtures/s3-versioning/cloudtrail.ts';

const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);
const sts = mockClient(STSClient);

const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:plumbline-notifications`;
const ROLE_NAME = 'plumbline-s3-versioning-enable';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/${ROLE_NAME}`;
const NOW = new Date('2024-05-14T09:42:00.000Z');
const context = { invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${ROLE_NAME}` };
const READ = { Bucket: BUCKET, ExpectedBucketOwner: ACCOUNT };

function responder(settings?: Record<string, unknown>) {
  return createVersioningEnableResponder({
    sns: new SNSClient({}),
    sts: new STSClient({}),
    createS3Client: () => new S3Client({}),
    environment: () =>
      responderEnvironment({ PLUMBLINE_TOPIC_ARN: TOPIC, PLUMBLINE_FUNCTION_ROLE_ARN: ROLE }),
    suiteConfig: () => ({
      rules: {},
      settings: settings === undefined ? {} : { responders: { 's3-versioning-enable': settings } },
    }),
    now: () => NOW,
  });
}

/** S3 `GetBucketVersioning` (S3 API Reference): `Status` and `MFADelete` as the bucket has them. */
function versioning(answer: { Status?: 'Enabled' | 'Suspended'; MFADelete?: 'Enabled' | 'Disabled' }) {
  s3.on(GetBucketVersioningCommand).resolves(answer);
}

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

function published(index = 0) {
  const input = sns.commandCalls(PublishCommand)[index]?.args[0].input;
  const email = (JSON.parse(String(input?.Message)) as { email: string }).email;
  return { attributes: input?.MessageAttributes, email };
}

beforeEach(() => {
  for (const mock of [s3, sns, sts]) mock.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
});

describe('s3-versioning-enable: report mode (the default)', () => {
  it('re-reads the bucket (its own account as expected owner), reports the suspended versioning, writes nothing', async () => {
    versioning({ Status: 'Suspended' });
    await expect(responder()(putBucketVersioning(), context)).resolves.toEqual({
      status: 'reported',
      bucket: BUCKET,
      messageId: 'msg-1',
    });
    expect(s3).toHaveReceivedCommandTimes(GetBucketVersioningCommand, 1);
    expect(s3).toHaveReceivedCommandWith(GetBucketVersioningCommand, READ);
    expect(s3).toHaveReceivedCommandTimes(PutBucketVersioningCommand, 0);
    const notice = published();
    expect(notice.attributes?.outcome).toEqual({ DataType: 'String', StringValue: 'planned' });
    expect(notice.email).toContain(`bucket ${BUCKET}: versioning is suspended`);
    expect(notice.email).toContain(
      'would enable versioning (MFA delete unchanged); set responders.s3-versioning-enable.mode to enforce to do it',
    );
    expect(notice.email).toContain('request: PutBucketVersioning: Status Suspended');
  });
});

describe('s3-versioning-enable: enforce', () => {
  it('sends PutBucketVersioning with Status Enabled and nothing else (no MFADelete, no MFA), then notifies applied', async () => {
    versioning({ Status: 'Suspended', MFADelete: 'Disabled' });
    await expect(responder({ mode: 'enforce' })(putBucketVersioning(), context)).resolves.toEqual({
      status: 'versioning-enabled',
      bucket: BUCKET,
      messageId: 'msg-1',
    });
    expect(s3).toHaveReceivedCommandTimes(PutBucketVersioningCommand, 1);
    expect(s3.commandCalls(PutBucketVersioningCommand)[0]?.args[0].input).toEqual({
      ...READ,
      VersioningConfiguration: { Status: 'Enabled' },
    });
    expect(published().attributes?.outcome).toEqual({ DataType: 'String', StringValue: 'applied' });
    expect(published().email).toContain(
      'enabled versioning (PutBucketVersioning Status Enabled; MFA delete unchanged)',
    );
  });

  it('a bucket with MFA delete enabled is reported, never written: only the root user with MFA can change it', async () => {
    versioning({ Status: 'Suspended', MFADelete: 'Enabled' });
    await expect(responder({ mode: 'enforce' })(putBucketVersioning(), context)).resolves.toEqual({
      status: 'needs-mfa',
      bucket: BUCKET,
      messageId: 'msg-1',
    });
    expect(s3).toHaveReceivedCommandTimes(PutBucketVersioningCommand, 0);
    expect(published().attributes?.outcome).toEqual({ DataType: 'String', StringValue: 'planned' });
    expect(published().email).toContain('the bucket has MFA delete enabled');
  });

  it("never acts on the event's claim alone: versioning enabled again since, so no write and no notice", async () => {
    versioning({ Status: 'Enabled' });
    await expect(responder({ mode: 'enforce' })(putBucketVersioning(), context)).resolves.toEqual({
      status: 'enabled',
      bucket: BUCKET,
    });
    expect(s3).toHaveReceivedCommandTimes(PutBucketVersioningCommand, 0);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('a bucket deleted since (NoSuchBucket): no write, no notice', async () => {
    s3.on(GetBucketVersioningCommand).rejects(awsError('NoSuchBucket'));
    await expect(responder({ mode: 'enforce' })(putBucketVersioning(), context)).resolves.toEqual({
      status: 'gone',
      bucket: BUCKET,
    });
    expect(s3).toHaveReceivedCommandTimes(PutBucketVersioningCommand, 0);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });
});

describe('s3-versioning-enable: what it leaves alone', () => {
  it('a call that enabled versioning is skipped without any call', async () => {
    await expect(
      responder({ mode: 'enforce' })(putBucketVersioning({ Status: 'Enabled' }), context),
    ).resolves.toEqual({ status: 'skipped', reason: 'the call enabled versioning', bucket: BUCKET });
    expect(s3.calls()).toHaveLength(0);
  });

  it('an excluded bucket is never read nor written', async () => {
    await expect(
      responder({ mode: 'enforce', excludedBuckets: [BUCKET] })(putBucketVersioning(), context),
    ).resolves.toEqual({ status: 'excluded', bucket: BUCKET });
    expect(s3.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
  });

  it('its own call (its exact function role as session issuer) is skipped without any call', async () => {
    const caller = `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE_NAME}/session`;
    await expect(
      responder({ mode: 'enforce' })(putBucketVersioning(undefined, { caller }), context),
    ).resolves.toEqual({ status: 'skipped', reason: `own call (${caller})` });
    expect(s3.calls()).toHaveLength(0);
  });

  it('a failed call (errorCode) is skipped without any call', async () => {
    await expect(
      responder({ mode: 'enforce' })(putBucketVersioning(undefined, { errorCode: 'AccessDenied' }), context),
    ).resolves.toEqual({ status: 'skipped', reason: 'the call failed (AccessDenied) and changed nothing' });
    expect(s3.calls()).toHaveLength(0);
  });
});

describe('s3-versioning-enable: failures land in a notice and the dead-letter queue', () => {
  it('a failed PutBucketVersioning: a failed notice naming the error, then the error is thrown', async () => {
    versioning({ Status: 'Suspended' });
    s3.on(PutBucketVersioningCommand).rejects(awsError('AccessDenied', 'Access Denied'));
    await expect(responder({ mode: 'enforce' })(putBucketVersioning(), context)).rejects.toThrow(
      `S3 PutBucketVersioning on ${BUCKET} failed: AccessDenied: Access Denied`,
    );
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(published().attributes?.outcome).toEqual({ DataType: 'String', StringValue: 'failed' });
    expect(published().email).toContain(
      `enabling versioning failed: S3 PutBucketVersioning on ${BUCKET} failed: AccessDenied: Access Denied`,
    );
  });

  it('a bucket of another account (ExpectedBucketOwner refused): a failed notice, no write', async () => {
    s3.on(GetBucketVersioningCommand).rejects(awsError('AccessDenied', 'Access Denied'));
    await expect(responder({ mode: 'enforce' })(putBucketVersioning(), context)).rejects.toThrow(
      `S3 GetBucketVersioning on ${BUCKET} failed: AccessDenied: Access Denied`,
    );
    expect(s3).toHaveReceivedCommandTimes(PutBucketVersioningCommand, 0);
    expect(published().attributes?.outcome).toEqual({ DataType: 'String', StringValue: 'failed' });
  });
});

describe('s3-versioning-enable: bad input is an error naming the field', () => {
  it('a request without bucketName', async () => {
    const event = putBucketVersioning();
    const detail = event.detail as { requestParameters: Record<string, unknown> };
    delete detail.requestParameters.bucketName;
    await expect(responder({ mode: 'enforce' })(event, context)).rejects.toThrow(InputError);
    await expect(responder({ mode: 'enforce' })(event, context)).rejects.toThrow(
      'Invalid PutBucketVersioning event: detail.requestParameters.bucketName:',
    );
    expect(s3.calls()).toHaveLength(0);
  });

  it('settings: an excluded bucket that is not a bucket name, and a bad mode, name the setting and the value', () => {
    const settings = (value: Record<string, unknown>) => ({ responders: { 's3-versioning-enable': value } });
    expect(() => parseVersioningResponderSettings(settings({ excludedBuckets: ['logs-*'] }))).toThrow(
      ParameterError,
    );
    expect(() => parseVersioningResponderSettings(settings({ excludedBuckets: ['logs-*'] }))).toThrow(
      'Invalid rule parameter responders.s3-versioning-enable.excludedBuckets[0]="logs-*": expected an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens; no wildcards)',
    );
    expect(() => parseVersioningResponderSettings(settings({ mode: 'on' }))).toThrow(
      'responders.s3-versioning-enable.mode="on": expected enforce or report',
    );
    expect(parseVersioningResponderSettings({})).toEqual({ mode: 'report', excludedBuckets: [] });
  });
});

describe('s3-versioning-enable over random bucket states', () => {
  it('writes only Status Enabled, only in enforce mode, only to a bucket not enabled and without MFA delete', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(undefined, 'Enabled' as const, 'Suspended' as const),
        fc.constantFrom(undefined, 'Enabled' as const, 'Disabled' as const),
        fc.constantFrom('enforce', 'report'),
        fc.boolean(),
        async (status, mfaDelete, mode, excluded) => {
          for (const mock of [s3, sns]) mock.reset();
          sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
          versioning({
            ...(status ? { Status: status } : {}),
            ...(mfaDelete ? { MFADelete: mfaDelete } : {}),
          });
          const settings = { mode, excludedBuckets: excluded ? [BUCKET] : [] };
          await responder(settings)(putBucketVersioning(), context);
          const writes = s3.commandCalls(PutBucketVersioningCommand).map((call) => call.args[0].input);
          const shouldWrite =
            !excluded && mode === 'enforce' && status !== 'Enabled' && mfaDelete !== 'Enabled';
          expect(writes).toEqual(
            shouldWrite ? [{ ...READ, VersioningConfiguration: { Status: 'Enabled' } }] : [],
          );
          if (excluded) expect(s3.calls()).toHaveLength(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});
