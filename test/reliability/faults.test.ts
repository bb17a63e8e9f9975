/**
 * Faults with mocked clients: throttling, 5xx, timeouts, FailedEvaluations, SNS failures and AccessDenied on
 * AssumeRole. An evaluation is delivered or the invocation fails (Config retries); a responder's failure
 * rethrows (EventBridge/Lambda retry, then the dead-letter queue); a partial remediation is reported as partial;
 * the worst-case retry backoff fits in the function timeouts the CDK app sets.
 */
import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { AuthorizeSecurityGroupIngressCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_RULE_TUNING, RESPONDER_TUNING } from '../../infra/tuning.ts';
import { CONNECTION_TIMEOUT_MS, clientSettings, REQUEST_TIMEOUT_MS } from '../../shared/aws/clients.ts';
import { createConfigRuleHandler } from '../../shared/aws/config-runtime.ts';
import { createDriftRevert } from '../../shared/aws/security-groups.ts';
import { securityGroupRule } from '../../shared/rules/security-group/index.ts';
import { driftRevertEnvironment } from '../../shared/rules/security-group/responder.ts';
import { changeEvent } from '../fixtures/config/events.ts';
import {
  GROUP_ID,
  MEMBER_ACCOUNT,
  securityGroupItem,
  TOPIC_ARN,
  trailEvent,
} from '../fixtures/security-group/index.ts';
import { driftSuite, FUNCTION_CONTEXT, WEB_BASELINE } from './support/entry-points.ts';
import { FakeSecurityGroup, rule } from './support/fake-ec2.ts';

const config = mockClient(ConfigServiceClient);
const ec2 = mockClient(EC2Client);
const sns = mockClient(SNSClient);
const sts = mockClient(STSClient);

function awsError(name: string, status?: number): Error {
  return Object.assign(new Error(`${name} (simulated)`), {
    name,
    $metadata: status ? { httpStatusCode: status } : {},
  });
}

function configHandler(ruleParameters: Record<string, string> = {}) {
  const handler = createConfigRuleHandler(securityGroupRule, {
    suiteConfig: () => ({ rules: {}, settings: {} }),
    writer: { sleep: async () => {} },
    createConfigClient: () => new ConfigServiceClient({ region: 'us-east-1' }),
    sts: new STSClient({ region: 'us-east-1' }),
    region: 'us-east-1',
  });
  return () => handler(changeEvent(securityGroupItem({}, {}), { ruleParameters }));
}

function driftResponder(accountContext = FUNCTION_CONTEXT, executionRoleName?: string) {
  return createDriftRevert({
    sns: new SNSClient({ region: 'us-east-1' }),
    sts: new STSClient({ region: 'us-east-1' }),
    ec2: new EC2Client({ region: 'us-east-1' }),
    createEc2Client: (region) => new EC2Client({ region }),
    environment: () =>
      driftRevertEnvironment({
        PLUMBLINE_TOPIC_ARN: TOPIC_ARN,
        ...(executionRoleName ? { PLUMBLINE_EXECUTION_ROLE_NAME: executionRoleName } : {}),
      }),
    selfIdentity: () => ({ roleArns: [], roleNames: [] }),
    suiteConfig: () => driftSuite({ baselines: { web: WEB_BASELINE } }),
    region: 'us-east-1',
  }).bind(null, trailEvent('authorize-security-group-ingress'), accountContext);
}

const BASELINE = [
  rule('ingress', 'tcp', 443, 'cidr:0.0.0.0/0'),
  rule('egress', '-1', undefined, 'cidr:0.0.0.0/0'),
];
const WORLD_SSH = rule('ingress', 'tcp', 22, 'cidr:0.0.0.0/0');

beforeEach(() => {
  config.reset();
  ec2.reset();
  sns.reset();
  sts.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
});

describe('faults: Config rule evaluations are delivered or the invocation fails', () => {
  it('throttling on every third PutEvaluations call: retried until delivered', async () => {
    let calls = 0;
    config.on(PutEvaluationsCommand).callsFake(() => {
      calls++;
      if (calls % 3 === 1) throw awsError('ThrottlingException', 400);
      return { FailedEvaluations: [] };
    });
    const summary = await configHandler()();
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 2);
    expect(summary.evaluations).toBe(1);
  });

  it.each([
    ['a 5xx', awsError('InternalFailure', 500)],
    ['a timeout', awsError('TimeoutError')],
  ])('%s once, then success: delivered', async (_name, error) => {
    config.on(PutEvaluationsCommand).rejectsOnce(error).resolves({ FailedEvaluations: [] });
    await configHandler()();
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 2);
  });

  it('5xx on every call: the invocation fails after 5 attempts, naming the undelivered resource', async () => {
    config.on(PutEvaluationsCommand).rejects(awsError('ServiceUnavailableException', 503));
    await expect(configHandler()()).rejects.toThrow(
      'PutEvaluations could not deliver 1 evaluation(s) (sg-0123456789abcdef0); failing the invocation so that AWS Config retries it',
    );
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 5);
  });

  it('FailedEvaluations: the failed ones are sent again; if they keep failing, the invocation fails', async () => {
    const failed = {
      FailedEvaluations: [
        {
          ComplianceResourceType: 'AWS::EC2::SecurityGroup',
          ComplianceResourceId: GROUP_ID,
          ComplianceType: 'COMPLIANT' as const,
          OrderingTimestamp: new Date(),
        },
      ],
    };
    config.on(PutEvaluationsCommand).resolvesOnce(failed).resolves({ FailedEvaluations: [] });
    await configHandler()();
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 2);
    config.reset();
    config.on(PutEvaluationsCommand).resolves(failed);
    await expect(configHandler()()).rejects.toThrow('PutEvaluations could not deliver 1 evaluation(s)');
  });

  it('AccessDenied assuming the member role: the invocation fails naming the role, nothing is written', async () => {
    sts.on(AssumeRoleCommand).rejects(awsError('AccessDenied', 403));
    await expect(configHandler({ ExecutionRoleName: 'plumbline-execution' })()).rejects.toThrow(
      'Cannot assume role arn:aws:iam::123456789012:role/plumbline-execution: AccessDenied: AccessDenied (simulated)',
    );
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
  });
});

describe('faults: responders rethrow so that the event is retried and reaches the dead-letter queue', () => {
  it('a partial remediation (revoke done, restore refused) is notified as partial and fails the invocation', async () => {
    const group = new FakeSecurityGroup(GROUP_ID, [WORLD_SSH, BASELINE[1] as string], {
      'plumbline:baseline': 'web',
    });
    group.install(ec2);
    ec2.on(AuthorizeSecurityGroupIngressCommand).rejects(awsError('RulesPerSecurityGroupLimitExceeded', 400));
    await expect(driftResponder()()).rejects.toThrow(
      'sg-drift-revert: partial on sg-0123456789abcdef0: failed to restore tcp 443 from 0.0.0.0/0',
    );
    expect(group.all()).toEqual(new Set([BASELINE[1]]));
    const message = JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '{}') as {
      default?: string;
    };
    expect(message.default).toContain('partly reverted');
  });

  it('SNS failing after a change was applied: the invocation fails (retried), the change is not repeated', async () => {
    const group = new FakeSecurityGroup(GROUP_ID, [...BASELINE, WORLD_SSH], { 'plumbline:baseline': 'web' });
    group.install(ec2);
    sns.on(PublishCommand).rejects(awsError('InternalErrorException', 500));
    await expect(driftResponder()()).rejects.toThrow(
      `SNS Publish to ${TOPIC_ARN} failed: InternalErrorException`,
    );
    expect(group.all()).toEqual(new Set(BASELINE));
  });

  it('AccessDenied assuming the member account role: fails naming the role, no EC2 call', async () => {
    sts.on(AssumeRoleCommand).rejects(awsError('AccessDenied', 403));
    const memberEvent = {
      invokedFunctionArn: `arn:aws:lambda:us-east-1:${MEMBER_ACCOUNT}:function:plumbline-sg-drift-revert`,
    };
    await expect(driftResponder(memberEvent, 'plumbline-execution')()).rejects.toThrow(
      'Cannot assume role arn:aws:iam::123456789012:role/plumbline-execution: AccessDenied',
    );
    expect(ec2.calls()).toHaveLength(0);
  });
});

/**
 * The SDK's retry (smithy `StandardRetryStrategy`, adaptive mode): before retry i (0-based) it waits at most
 * min(base × 2^i, 20 s), base 1,000 ms for throttling errors (the larger of the two bases); `maxAttempts` from
 * clientSettings(). The evaluation writer adds its own attempts (5, backoff ≤ min(200 × 2^(n-1), 5,000) ms).
 */
function sdkWorstBackoffMs(maxAttempts: number): number {
  let total = 0;
  for (let retry = 0; retry < maxAttempts - 1; retry++) total += Math.min(1_000 * 2 ** retry, 20_000);
  return total;
}

describe('retries stay within the Lambda timeout', () => {
  const attempts = clientSettings().maxAttempts;

  it('sg-drift-revert: the longest call chain, every call throttled to its last attempt', () => {
    // AssumeRole, DescribeSecurityGroups, two revokes, two authorizes, a re-read after a partly-done batch, SNS.
    const calls = 8;
    const worst = calls * sdkWorstBackoffMs(attempts);
    expect(attempts).toBe(5);
    expect(worst).toBeLessThan(RESPONDER_TUNING.timeout.toMilliseconds());
  });

  it('sg-drift-revert: one call hanging on every attempt (cut off by the request timeout), the others throttled', () => {
    // The request timer starts before the socket connects, so it bounds the connection phase too.
    expect(CONNECTION_TIMEOUT_MS).toBeLessThan(REQUEST_TIMEOUT_MS);
    const hangingCall = attempts * REQUEST_TIMEOUT_MS + sdkWorstBackoffMs(attempts);
    const worst = hangingCall + 7 * sdkWorstBackoffMs(attempts);
    expect(worst).toBeLessThan(RESPONDER_TUNING.timeout.toMilliseconds());
  });

  it('a Config rule on a change: STS, the oversized read and one PutEvaluations batch (5 writer attempts)', () => {
    const writerBackoff = [1, 2, 3, 4].reduce(
      (sum, retry) => sum + Math.min(200 * 2 ** (retry - 1), 5_000),
      0,
    );
    const worst = 2 * sdkWorstBackoffMs(attempts) + 5 * sdkWorstBackoffMs(attempts) + writerBackoff;
    expect(worst).toBeLessThan(CONFIG_RULE_TUNING.timeout.toMilliseconds());
  });
});
