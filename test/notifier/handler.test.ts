import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient, ListDiscoveredResourcesCommand } from '@aws-sdk/client-config-service';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createComplianceNotifier } from '../../shared/aws/notify.ts';
import { notifierSettingsFromEnv } from '../../shared/core/compliance-change.ts';
import {
  lookupAroundDetection,
  lookupEvent,
  RESPONDER,
  revertByResponder,
} from '../fixtures/notifier/cloudtrail.ts';
import { complianceEvent, type Json, withDetail } from '../fixtures/notifier/events.ts';

const sns = mockClient(SNSClient);
const cloudtrail = mockClient(CloudTrailClient);
const config = mockClient(ConfigServiceClient);
const sts = mockClient(STSClient);

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:plumbline-notifications';
const CONTEXT = { invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:compliance-notifier' };
const CONSOLE =
  'https://us-east-1.console.aws.amazon.com/config/home?region=us-east-1#/resources/details?resourceId=sg-0123456789abcdef0&resourceType=AWS%3A%3AEC2%3A%3ASecurityGroup';

function notifier(env: Record<string, string> = {}) {
  return createComplianceNotifier({
    settings: () => notifierSettingsFromEnv({ PLUMBLINE_TOPIC_ARN: TOPIC, ...env }),
  });
}

function attributes(values: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
  );
}

function publishedMessage(call = 0): Record<string, string> {
  const input = sns.commandCalls(PublishCommand)[call]?.args[0].input;
  return JSON.parse(input?.Message ?? '{}') as Record<string, string>;
}

beforeEach(() => {
  sns.reset();
  cloudtrail.reset();
  config.reset();
  sts.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  cloudtrail.on(LookupEventsCommand).resolves(lookupAroundDetection());
  config.on(ListDiscoveredResourcesCommand).resolves({
    resourceIdentifiers: [
      {
        resourceType: 'AWS::EC2::SecurityGroup',
        resourceId: 'sg-0123456789abcdef0',
        resourceName: 'web-prod',
      },
    ],
  });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('compliance-notifier: a resource turns NON_COMPLIANT', () => {
  it('looks up who and what, and publishes one message with subject, structure and attributes', async () => {
    const result = await notifier()(complianceEvent('compliant-to-non-compliant'), CONTEXT);
    expect(result).toEqual({
      status: 'published',
      messageId: 'msg-1',
      rule: 'plumbline-security-group',
      resourceId: 'sg-0123456789abcdef0',
      actor: 'arn:aws:sts::123456789012:assumed-role/Admin/alice',
    });
    expect(config).toHaveReceivedCommandWith(ListDiscoveredResourcesCommand, {
      resourceType: 'AWS::EC2::SecurityGroup',
      resourceIds: ['sg-0123456789abcdef0'],
      includeDeletedResources: true,
      limit: 1,
    });
    expect(cloudtrail).toHaveReceivedCommandTimes(LookupEventsCommand, 1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const short =
      'plumbline-security-group: sg-0123456789abcdef0 (web-prod) turned NON_COMPLIANT - tcp 22 open to 0.0.0.0/0';
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: 'Plumbline plumbline-security-group: sg-0123456789abcdef0 (web-prod) turned NON_COMPLIANT',
      MessageStructure: 'json',
      Message: JSON.stringify({
        default: short,
        sms: short,
        email: [
          'sg-0123456789abcdef0 (web-prod) turned NON_COMPLIANT',
          '',
          'Rule:        plumbline-security-group',
          'Resource:    AWS::EC2::SecurityGroup sg-0123456789abcdef0 (web-prod)',
          'Account:     123456789012',
          'Region:      us-east-1',
          'Compliance:  COMPLIANT -> NON_COMPLIANT',
          'Finding:     tcp 22 open to 0.0.0.0/0',
          'Changed by:  arn:aws:sts::123456789012:assumed-role/Admin/alice via AuthorizeSecurityGroupIngress from 203.0.113.10',
          'Changed at:  2024-05-14T10:05:12Z',
          'Outcome:     detected',
          'When:        2024-05-14T10:07:31.512Z',
          `Console:     ${CONSOLE}`,
        ].join('\n'),
      }),
      MessageAttributes: attributes({
        kind: 'compliance-change',
        source: 'plumbline-security-group',
        rule: 'plumbline-security-group',
        account: '123456789012',
        region: 'us-east-1',
        resourceType: 'AWS::EC2::SecurityGroup',
        outcome: 'detected',
        compliance: 'NON_COMPLIANT',
      }),
    });
  });

  it('tells about a first evaluation, which has no previous result', async () => {
    await notifier()(complianceEvent('first-evaluation-non-compliant'), CONTEXT);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      Subject: 'Plumbline plumbline-security-group: sg-0123456789abcdef0 (web-prod) is NON_COMPLIANT',
    });
    expect(publishedMessage().email?.split('\n')[6]).toBe('Compliance:  NON_COMPLIANT (first evaluation)');
  });

  it('says "unknown" and why when CloudTrail has no write event, and still publishes', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    config.on(ListDiscoveredResourcesCommand).resolves({ resourceIdentifiers: [] });
    const result = await notifier()(complianceEvent('compliant-to-non-compliant'), CONTEXT);
    const note =
      'no CloudTrail write event for sg-0123456789abcdef0 from 2024-05-14T09:52:31.512Z to 2024-05-14T10:09:31.512Z';
    expect(result).toMatchObject({ status: 'published', actor: `unknown (${note})` });
    const email = publishedMessage().email ?? '';
    expect(email).toContain(`\nChanged by:  unknown (${note})\nOutcome:     detected\n`);
    expect(email.startsWith('sg-0123456789abcdef0 turned NON_COMPLIANT\n')).toBe(true);
  });

  it('publishes with the actor unknown when the CloudTrail and Config lookups fail', async () => {
    cloudtrail
      .on(LookupEventsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    config.on(ListDiscoveredResourcesCommand).rejects(new Error('boom'));
    await notifier()(complianceEvent('compliant-to-non-compliant'), CONTEXT);
    expect(publishedMessage().email).toContain(
      '\nChanged by:  unknown (CloudTrail lookup failed: ThrottlingException: Rate exceeded)\n',
    );
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      Subject: 'Plumbline plumbline-security-group: sg-0123456789abcdef0 turned NON_COMPLIANT',
    });
  });

  it('widens the lookup window as configured', async () => {
    await notifier({ PLUMBLINE_LOOKUP_WINDOW_MINUTES: '60' })(
      complianceEvent('compliant-to-non-compliant'),
      CONTEXT,
    );
    expect(cloudtrail).toHaveReceivedCommandWith(LookupEventsCommand, {
      StartTime: new Date('2024-05-14T09:07:31.512Z'),
      EndTime: new Date('2024-05-14T10:09:31.512Z'),
    });
  });
});

describe('compliance-notifier: an organisation rule', () => {
  it('filters as the plain rule name (rule attribute) but names the Config rule in the message', async () => {
    const orgRule = 'OrgConfigRule-plumbline-public-bucket-a1b2c3';
    const event = withDetail(complianceEvent('compliant-to-non-compliant'), {
      configRuleName: orgRule,
      resourceType: 'AWS::S3::Bucket',
      resourceId: 'reports',
    });
    config.on(ListDiscoveredResourcesCommand).resolves({ resourceIdentifiers: [] });
    await expect(notifier()(event, CONTEXT)).resolves.toMatchObject({ status: 'published', rule: orgRule });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.Subject).toBe(`Plumbline ${orgRule}: reports turned NON_COMPLIANT`);
    expect(input?.MessageAttributes).toEqual(
      attributes({
        kind: 'compliance-change',
        source: orgRule,
        rule: 'plumbline-public-bucket',
        account: '123456789012',
        region: 'us-east-1',
        resourceType: 'AWS::S3::Bucket',
        outcome: 'detected',
        compliance: 'NON_COMPLIANT',
      }),
    );
    const message = publishedMessage();
    expect(message.sms?.startsWith(`${orgRule}: reports turned NON_COMPLIANT`)).toBe(true);
    expect(message.email?.split('\n')[2]).toBe(`Rule:        ${orgRule}`);
  });
});

describe('compliance-notifier: a resource is COMPLIANT again', () => {
  it('tells who fixed it and what the finding was', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [lookupEvent(revertByResponder)] });
    await notifier()(complianceEvent('non-compliant-to-compliant'), CONTEXT);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      Subject: 'Plumbline plumbline-security-group: sg-0123456789abcdef0 (web-prod) is COMPLIANT again',
      MessageAttributes: attributes({
        kind: 'compliance-change',
        source: 'plumbline-security-group',
        rule: 'plumbline-security-group',
        account: '123456789012',
        region: 'us-east-1',
        resourceType: 'AWS::EC2::SecurityGroup',
        outcome: 'resolved',
        compliance: 'COMPLIANT',
      }),
    });
    expect(publishedMessage().email?.split('\n').slice(6, 10)).toEqual([
      'Compliance:  NON_COMPLIANT -> COMPLIANT',
      'Previously:  tcp 22 open to 0.0.0.0/0',
      `Changed by:  ${RESPONDER} via RevokeSecurityGroupIngress from 52.95.4.1`,
      'Changed at:  2024-05-14T10:21:02Z',
    ]);
  });
});

describe('compliance-notifier: what it does not tell', () => {
  it.each([
    [
      'another rule',
      withDetail(complianceEvent('compliant-to-non-compliant'), { configRuleName: 'restricted-ssh' }),
      'rule restricted-ssh does not start with plumbline-',
    ],
    [
      'a first evaluation that is COMPLIANT',
      withDetail(complianceEvent('first-evaluation-non-compliant'), {
        newEvaluationResult: {
          ...((complianceEvent('first-evaluation-non-compliant').detail as Json).newEvaluationResult as Json),
          complianceType: 'COMPLIANT',
        },
      }),
      'no previous result -> COMPLIANT is neither a new finding nor a resolution',
    ],
  ])('skips %s without any API call', async (_, event, reason) => {
    expect(await notifier()(event, CONTEXT)).toEqual({ status: 'skipped', reason });
    expect(sns.calls()).toHaveLength(0);
    expect(cloudtrail.calls()).toHaveLength(0);
    expect(config.calls()).toHaveLength(0);
  });

  it("tells about other rules' changes when configured to tell about all rules", async () => {
    const event = withDetail(complianceEvent('compliant-to-non-compliant'), {
      configRuleName: 'restricted-ssh',
    });
    await notifier({ PLUMBLINE_NOTIFY_ALL_RULES: 'true' })(event, CONTEXT);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      Subject: 'Plumbline restricted-ssh: sg-0123456789abcdef0 (web-prod) turned NON_COMPLIANT',
    });
  });

  it('sends a redelivered event once, and one transition emitted twice once', async () => {
    const notify = notifier();
    const event = complianceEvent('compliant-to-non-compliant');
    await notify(event, CONTEXT);
    expect(await notify(event, CONTEXT)).toEqual({
      status: 'duplicate',
      key: '123456789012|us-east-1|plumbline-security-group|AWS::EC2::SecurityGroup|sg-0123456789abcdef0|COMPLIANT|NON_COMPLIANT|2024-05-14T10:07:31.512Z',
    });
    await notify({ ...event, id: 'another-delivery-of-the-same-transition' }, CONTEXT);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(cloudtrail).toHaveReceivedCommandTimes(LookupEventsCommand, 1);
    await notify(complianceEvent('non-compliant-to-compliant'), CONTEXT);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
  });
});

describe('compliance-notifier: failures', () => {
  it('throws when SNS fails, so EventBridge retries, and sends on the retry', async () => {
    sns
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' }))
      .resolves({ MessageId: 'msg-2' });
    const notify = notifier();
    const event = complianceEvent('compliant-to-non-compliant');
    await expect(notify(event, CONTEXT)).rejects.toThrow(
      `SNS Publish to ${TOPIC} failed: NotFoundException: Topic does not exist`,
    );
    await expect(notify(event, CONTEXT)).resolves.toMatchObject({ status: 'published', messageId: 'msg-2' });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
  });

  it('rejects an event of another shape, naming the field', async () => {
    await expect(notifier()({ 'detail-type': 'Config Rules Compliance Change' }, CONTEXT)).rejects.toThrow(
      'Invalid Config compliance change event: event.id: Invalid input: expected string, received undefined',
    );
    expect(sns.calls()).toHaveLength(0);
  });

  it('fails on the first invocation when the environment is invalid, naming the variable', async () => {
    vi.stubEnv('PLUMBLINE_TOPIC_ARN', TOPIC);
    vi.stubEnv('PLUMBLINE_LOOKUP_WINDOW_MINUTES', 'fifteen');
    const notify = createComplianceNotifier();
    await expect(notify(complianceEvent('compliant-to-non-compliant'), CONTEXT)).rejects.toThrow(
      'Invalid environment variable PLUMBLINE_LOOKUP_WINDOW_MINUTES="fifteen": expected a whole number of minutes from 1 to 1440',
    );
    expect(sns.calls()).toHaveLength(0);
  });
});

describe('compliance-notifier: another account', () => {
  const MEMBER = '210987654321';
  const memberEvent = () =>
    withDetail(complianceEvent('compliant-to-non-compliant'), {
      awsAccountId: MEMBER,
      awsRegion: 'eu-west-1',
    });

  it("assumes the execution role in the resource's account and Region for the lookups", async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAMEMBER',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
    await notifier({ PLUMBLINE_EXECUTION_ROLE_NAME: 'plumbline-execution' })(memberEvent(), CONTEXT);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/plumbline-execution`,
      RoleSessionName: 'plumbline-compliance-notifier',
    });
    expect(cloudtrail).toHaveReceivedCommandTimes(LookupEventsCommand, 1);
    expect(await cloudtrail.call(0).thisValue.config.region()).toBe('eu-west-1');
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      MessageAttributes: expect.objectContaining(attributes({ account: MEMBER, region: 'eu-west-1' })),
    });
  });

  it('says why the actor is unknown when no execution role is configured', async () => {
    await notifier()(memberEvent(), CONTEXT);
    expect(cloudtrail.calls()).toHaveLength(0);
    expect(config.calls()).toHaveLength(0);
    expect(publishedMessage().email).toContain(
      `\nChanged by:  unknown (CloudTrail lookup skipped: resource is in account ${MEMBER}; set PLUMBLINE_EXECUTION_ROLE_NAME to look it up there)\n`,
    );
  });

  it('publishes with the actor unknown when the role cannot be assumed', async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    await notifier({ PLUMBLINE_EXECUTION_ROLE_NAME: 'plumbline-execution' })(memberEvent(), CONTEXT);
    expect(cloudtrail.calls()).toHaveLength(0);
    expect(publishedMessage().email).toContain(
      `\nChanged by:  unknown (CloudTrail lookup failed: Cannot assume role arn:aws:iam::${MEMBER}:role/plumbline-execution: AccessDenied: not authorized)\n`,
    );
  });
});

describe('functions/compliance-notifier/handler.ts', () => {
  it('is a Lambda handler wired to the notifier and the environment', async () => {
    vi.stubEnv('PLUMBLINE_TOPIC_ARN', TOPIC);
    const { handler } = await import('../../functions/compliance-notifier/handler.ts');
    const context = {
      ...CONTEXT,
      functionName: 'compliance-notifier',
      awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      getRemainingTimeInMillis: () => 30_000,
    } as unknown as Context;
    await expect(handler(complianceEvent('compliant-to-non-compliant'), context)).resolves.toMatchObject({
      status: 'published',
    });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { TopicArn: TOPIC, MessageStructure: 'json' });
  });
});
