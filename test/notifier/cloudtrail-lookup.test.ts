import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { lookUpActor, serviceEventSource } from '../../shared/aws/cloudtrail.ts';
import {
  ALICE,
  authorizeByAlice,
  describeByBob,
  failedRevokeByBob,
  GROUP_ID,
  lookupAroundDetection,
  lookupEvent,
  record,
  tagsByCloudFormation,
} from '../fixtures/notifier/cloudtrail.ts';

const cloudtrail = mockClient(CloudTrailClient);
const client = new CloudTrailClient({ region: 'us-east-1' });
const request = {
  resourceId: GROUP_ID,
  resourceType: 'AWS::EC2::SecurityGroup',
  at: new Date('2024-05-14T10:07:31.512Z'),
  windowMinutes: 15,
};

beforeEach(() => {
  cloudtrail.reset();
});

describe('lookUpActor', () => {
  it('makes one LookupEvents call by resource name over the window before the ordering time', async () => {
    cloudtrail.on(LookupEventsCommand).resolves(lookupAroundDetection());
    await lookUpActor(client, request);
    expect(cloudtrail).toHaveReceivedCommandTimes(LookupEventsCommand, 1);
    expect(cloudtrail).toHaveReceivedCommandWith(LookupEventsCommand, {
      LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: GROUP_ID }],
      StartTime: new Date('2024-05-14T09:52:31.512Z'),
      EndTime: new Date('2024-05-14T10:09:31.512Z'),
      MaxResults: 50,
    });
  });

  it('names the last successful write: not the read after it, nor the failed call', async () => {
    cloudtrail.on(LookupEventsCommand).resolves(lookupAroundDetection());
    expect(await lookUpActor(client, request)).toEqual({
      status: 'found',
      actor: {
        arn: ALICE,
        eventName: 'AuthorizeSecurityGroupIngress',
        sourceIp: '203.0.113.10',
        eventTime: '2024-05-14T10:05:12Z',
        userAgent: 'aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.8',
      },
      eventId: 'AuthorizeSecurityGroupIngress-2024-05-14T10:05:12Z',
      eventSource: 'ec2.amazonaws.com',
    });
  });

  it("prefers a call to the resource's own service over a later call to another", async () => {
    const tagging = record({
      eventName: 'TagResources',
      eventTime: '2024-05-14T10:06:50Z',
      caller: ALICE,
      eventSource: 'tagging.amazonaws.com',
    });
    cloudtrail
      .on(LookupEventsCommand)
      .resolves({ Events: [tagging, tagsByCloudFormation].map((r) => lookupEvent(r)) });
    const found = await lookUpActor(client, request);
    expect(found).toMatchObject({ status: 'found', actor: { eventName: 'CreateTags' } });
  });

  it('prefers a call before the ordering time over one in the slack after it', async () => {
    const after = record({
      eventName: 'ModifySecurityGroupRules',
      eventTime: '2024-05-14T10:08:30Z',
      caller: ALICE,
    });
    cloudtrail
      .on(LookupEventsCommand)
      .resolves({ Events: [after, authorizeByAlice].map((r) => lookupEvent(r)) });
    expect(await lookUpActor(client, request)).toMatchObject({
      status: 'found',
      actor: { eventName: 'AuthorizeSecurityGroupIngress' },
    });
  });

  it('falls back to a call in the slack when nothing came before', async () => {
    const after = record({
      eventName: 'ModifySecurityGroupRules',
      eventTime: '2024-05-14T10:08:30Z',
      caller: ALICE,
    });
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [lookupEvent(after)] });
    expect(await lookUpActor(client, request)).toMatchObject({
      status: 'found',
      actor: { eventName: 'ModifySecurityGroupRules' },
    });
  });

  it('says "not found" with the window when there are only reads and failed calls', async () => {
    cloudtrail
      .on(LookupEventsCommand)
      .resolves({ Events: [failedRevokeByBob, describeByBob].map((r) => lookupEvent(r)) });
    expect(await lookUpActor(client, request)).toEqual({
      status: 'not-found',
      note: `no CloudTrail write event for ${GROUP_ID} from 2024-05-14T09:52:31.512Z to 2024-05-14T10:09:31.512Z`,
    });
  });

  it('says "not found" when CloudTrail returns no events at all', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({});
    expect(await lookUpActor(client, request)).toMatchObject({ status: 'not-found' });
  });

  it('skips records that are not JSON or not CloudTrail records', async () => {
    const broken = { ...lookupEvent(authorizeByAlice), CloudTrailEvent: '{"eventName": ' };
    const foreign = { ...lookupEvent(authorizeByAlice), CloudTrailEvent: '{"eventName": "X"}' };
    const missing = { ...lookupEvent(authorizeByAlice), CloudTrailEvent: undefined };
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [broken, foreign, missing] });
    expect(await lookUpActor(client, request)).toMatchObject({ status: 'not-found' });
  });

  it('never throws: a failed lookup says why', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: cloudtrail:LookupEvents'), {
      name: 'AccessDeniedException',
    });
    cloudtrail.on(LookupEventsCommand).rejects(denied);
    expect(await lookUpActor(client, request)).toEqual({
      status: 'failed',
      note: 'CloudTrail lookup failed: AccessDeniedException: User is not authorized to perform: cloudtrail:LookupEvents',
    });
  });
});

describe('serviceEventSource', () => {
  it.each([
    ['AWS::EC2::SecurityGroup', 'ec2.amazonaws.com'],
    ['AWS::S3::Bucket', 's3.amazonaws.com'],
    ['Custom', undefined],
  ])('%s -> %s', (type, source) => {
    expect(serviceEventSource(type)).toBe(source);
  });
});
