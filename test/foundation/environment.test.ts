import { describe, expect, it } from 'vitest';
import { responderEnvironment } from '../../shared/aws/responder-runtime.ts';
import { notifierSettingsFromEnv } from '../../shared/core/compliance-change.ts';
import { executionRoleNameFromEnv, topicArnFromEnv } from '../../shared/core/environment.ts';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:plumbline-notifications';

/** The functions that publish: each reads PLUMBLINE_TOPIC_ARN through the one shared check. */
const READERS: [string, (env: Record<string, string>) => { topicArn: string }][] = [
  ['every responder (responder runtime)', responderEnvironment],
  ['compliance-notifier', notifierSettingsFromEnv],
];

describe('topicArnFromEnv: one check of PLUMBLINE_TOPIC_ARN for the responders and the notifier', () => {
  it.each([
    TOPIC,
    'arn:aws-cn:sns:cn-north-1:123456789012:plumbline_alerts',
    'arn:aws-us-gov:sns:us-gov-west-1:123456789012:Plumbline-Notifications',
  ])('accepts the standard topic %s', (arn) => {
    expect(topicArnFromEnv({ PLUMBLINE_TOPIC_ARN: ` ${arn} ` })).toBe(arn);
  });

  it.each([
    [{}, 'Missing environment variable PLUMBLINE_TOPIC_ARN: the SNS topic ARN to publish to'],
    [
      { PLUMBLINE_TOPIC_ARN: `${TOPIC}.fifo` },
      `Invalid environment variable PLUMBLINE_TOPIC_ARN="${TOPIC}.fifo": a FIFO topic cannot deliver to email or SMS subscribers; use a standard topic`,
    ],
    [
      { PLUMBLINE_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:a.b' },
      'Invalid environment variable PLUMBLINE_TOPIC_ARN="arn:aws:sns:us-east-1:123456789012:a.b": expected an SNS topic ARN (arn:aws:sns:region:account:name)',
    ],
    [
      { PLUMBLINE_TOPIC_ARN: 'arn:aws:sqs:us-east-1:123456789012:plumbline' },
      'Invalid environment variable PLUMBLINE_TOPIC_ARN="arn:aws:sqs:us-east-1:123456789012:plumbline": expected an SNS topic ARN (arn:aws:sns:region:account:name)',
    ],
    [
      { PLUMBLINE_TOPIC_ARN: `${TOPIC}:subscription-id` },
      `Invalid environment variable PLUMBLINE_TOPIC_ARN="${TOPIC}:subscription-id": expected an SNS topic ARN (arn:aws:sns:region:account:name)`,
    ],
    [
      { PLUMBLINE_TOPIC_ARN: `arn:aws:sns:us-east-1:123456789012:${'n'.repeat(257)}` },
      `Invalid environment variable PLUMBLINE_TOPIC_ARN="arn:aws:sns:us-east-1:123456789012:${'n'.repeat(257)}": expected an SNS topic ARN (arn:aws:sns:region:account:name)`,
    ],
  ])('refuses %j, naming the variable and the value', (env, message) => {
    expect(() => topicArnFromEnv(env)).toThrow(message);
  });

  it.each(READERS)('%s refuses a FIFO topic with the same error', (_name, read) => {
    expect(() => read({ PLUMBLINE_TOPIC_ARN: `${TOPIC}.fifo` })).toThrow(
      `Invalid environment variable PLUMBLINE_TOPIC_ARN="${TOPIC}.fifo": a FIFO topic cannot deliver to email or SMS subscribers; use a standard topic`,
    );
    expect(read({ PLUMBLINE_TOPIC_ARN: TOPIC }).topicArn).toBe(TOPIC);
  });
});

describe('executionRoleNameFromEnv', () => {
  it('reads an IAM role name, or nothing', () => {
    expect(executionRoleNameFromEnv({ PLUMBLINE_EXECUTION_ROLE_NAME: 'PlumblineExecution' })).toBe(
      'PlumblineExecution',
    );
    expect(executionRoleNameFromEnv({ PLUMBLINE_EXECUTION_ROLE_NAME: '' })).toBeUndefined();
  });

  it('refuses a path or an ARN, naming the variable', () => {
    expect(() => executionRoleNameFromEnv({ PLUMBLINE_EXECUTION_ROLE_NAME: 'path/role' })).toThrow(
      'Invalid environment variable PLUMBLINE_EXECUTION_ROLE_NAME="path/role": expected an IAM role name',
    );
  });
});
