/**
 * Faults with mocked clients: throttling, 5xx, timeouts, FailedEvaluations, SNS failures and AccessDenied on
 * AssumeRole. An evaluation is delivered or the invocation fails (Config retries); a responder's failure
 * rethrows (EventBridge/Lambda retry, then the dead-letter queue); a partial remediation is reported as partial;
 * the worst-case retry backoff fits in the function timeouts the CDK app sets.
 */
import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
  type PutEvaluationsCommandInput,
  SelectResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import { AuthorizeSecurityGroupIngressCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_RULE_TUNING, NOTIFIER_TUNING, RESPONDER_TUNING } from '../../infra/tuning.ts';
import { CONNECTION_TIMEOUT_MS, clientSettings, REQUEST_TIMEOUT_MS } from '../../shared/aws/clients.ts';
import { PAGE_SIZE } from '../../shared/aws/config-inventory.ts';
import { createConfigRuleHandler } from '../../shared/aws/config-runtime.ts';
import { responderEnvironment } from '../../shared/aws/responder-runtime.ts';
import { createDriftRevert } from '../../shared/aws/responders.ts';
import { securityGroupRule } from '../../shared/rules/security-group/index.ts';
import { changeEvent, periodicEvent } from '../fixtures/config/events.ts';
import {
  GROUP_ID,
  MEMBER_ACCOUNT,
  securityGroupItem,
  TOPIC_ARN,
  trailEvent,
} from '../fixtures/security-group/index.ts';
import { testRule } from '../support/test-rule.ts';
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
      responderEnvironment({
        PLUMBLINE_TOPIC_ARN: TOPIC_ARN,
        ...(executionRoleName ? { PLUMBLINE_EXECUTION_ROLE_NAME: executionRoleName } : {}),
      }),
    selfIdentity: () => ({ roleArns: [] }),
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
  it.each([
    ['throttling', awsError('ThrottlingException', 400)],
    ['a 5xx', awsError('ServiceUnavailableException', 503)],
    ['a timeout', awsError('TimeoutError')],
  ])(
    '%s past the SDK retries: the invocation fails after that one call, naming the undelivered resource',
    async (_name, error) => {
      config.on(PutEvaluationsCommand).rejectsOnce(error).resolves({ FailedEvaluations: [] });
      await expect(configHandler()()).rejects.toThrow(
        'PutEvaluations could not deliver 1 evaluation(s) (sg-0123456789abcdef0); failing the invocation so that AWS Config retries it',
      );
      expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
    },
  );

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
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 5);
  });

  it('AccessDenied assuming the member role: the invocation fails naming the role, nothing is written', async () => {
    sts.on(AssumeRoleCommand).rejects(awsError('AccessDenied', 403));
    await expect(configHandler({ ExecutionRoleName: 'plumbline-execution' })()).rejects.toThrow(
      'Cannot assume role arn:aws:iam::123456789012:role/plumbline-execution: AccessDenied: AccessDenied (simulated)',
    );
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
  });
});

/** 350 instances in Select pages of 100; earlier results (3 pages of 100) name 250 of them and 50 gone ones. */
const LIVE = Array.from({ length: 350 }, (_, index) => `i-live-${String(index).padStart(4, '0')}`);
const GONE = Array.from({ length: 50 }, (_, index) => `i-gone-${String(index).padStart(4, '0')}`);

function installInventory(): void {
  const page = <T>(items: readonly T[], token: string | undefined) => {
    const start = token ? Number(token) : 0;
    const next = start + 100 < items.length ? String(start + 100) : undefined;
    return { items: items.slice(start, start + 100), next };
  };
  config.on(SelectResourceConfigCommand).callsFake((input: { NextToken?: string }) => {
    const { items, next } = page(LIVE, input.NextToken);
    return {
      Results: items.map((id) =>
        JSON.stringify({
          resourceId: id,
          resourceType: 'AWS::EC2::Instance',
          accountId: '123456789012',
          awsRegion: 'us-east-1',
          configurationItemCaptureTime: '2016-02-17T01:36:34.043Z',
          configurationItemStatus: 'OK',
          configuration: { instanceId: id },
          supplementaryConfiguration: {},
          tags: [],
        }),
      ),
      NextToken: next,
    };
  });
  const earlier = [...GONE, ...LIVE.slice(0, 250)];
  config.on(GetComplianceDetailsByConfigRuleCommand).callsFake((input: { NextToken?: string }) => {
    const { items, next } = page(earlier, input.NextToken);
    return {
      EvaluationResults: items.map((id) => ({
        EvaluationResultIdentifier: {
          EvaluationResultQualifier: { ResourceType: 'AWS::EC2::Instance', ResourceId: id },
        },
        ComplianceType: 'NON_COMPLIANT' as const,
      })),
      NextToken: next,
    };
  });
}

function periodicHandler() {
  return createConfigRuleHandler(testRule, {
    suiteConfig: () => ({ rules: {}, settings: {} }),
    writer: { sleep: async () => {} },
    createConfigClient: () => new ConfigServiceClient({ region: 'us-east-1' }),
    region: 'us-east-1',
    inventory: 'select',
  });
}

describe('faults: a periodic Config-rule run over several pages', () => {
  it('a throttled PutEvaluations (past the SDK retries) on a periodic run over 4 inventory pages: the run fails naming the undelivered resources; nothing is written twice', async () => {
    installInventory();
    let calls = 0;
    const delivered: string[] = [];
    config.on(PutEvaluationsCommand).callsFake((input: PutEvaluationsCommandInput) => {
      calls++;
      if (calls === 2) throw awsError('ThrottlingException', 400);
      for (const evaluation of input.Evaluations ?? []) delivered.push(evaluation.ComplianceResourceId ?? '');
      return { FailedEvaluations: [] };
    });

    await expect(periodicHandler()(periodicEvent())).rejects.toThrow(
      /^PutEvaluations could not deliver 100 evaluation\(s\) \(.*\); failing the invocation so that AWS Config retries it$/,
    );
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(delivered.length).toBeLessThan(LIVE.length + GONE.length);
  });

  it('a throttled inventory read (past the SDK retries) fails the periodic run instead of reporting it complete', async () => {
    installInventory();
    config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    config
      .on(SelectResourceConfigCommand, { NextToken: '200' })
      .rejects(awsError('ThrottlingException', 400));
    await expect(periodicHandler()(periodicEvent())).rejects.toThrow('ThrottlingException');
    const written = config
      .commandCalls(PutEvaluationsCommand)
      .flatMap((call) => call.args[0].input.Evaluations ?? [])
      .map((evaluation) => evaluation.ComplianceResourceId);
    // Nothing is cleaned as stale from a partial inventory.
    expect(written.filter((id) => id?.startsWith('i-gone-'))).toEqual([]);
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
 * clientSettings(). The evaluation writer sends `FailedEvaluations` again (5 calls at most, backoff ≤ min(200 ×
 * 2^(n-1), 5,000) ms); errors are the SDK's alone to retry.
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

  it('compliance-notifier: AssumeRole, LookupEvents, ListDiscoveredResources and Publish, each throttled to its last attempt', () => {
    // The two lookups run side by side (shared/aws/notify.ts); counted one after the other to stay conservative.
    const calls = 4;
    const worst = calls * sdkWorstBackoffMs(attempts);
    expect(worst).toBeLessThan(NOTIFIER_TUNING.timeout.toMilliseconds());
  });

  it('compliance-notifier: one call hanging on every attempt (cut off by the request timeout), the others throttled', () => {
    const hangingCall = attempts * REQUEST_TIMEOUT_MS + sdkWorstBackoffMs(attempts);
    const worst = hangingCall + 3 * sdkWorstBackoffMs(attempts);
    expect(worst).toBeLessThan(NOTIFIER_TUNING.timeout.toMilliseconds());
  });

  it('a periodic Config-rule run: a 100,000-resource scan has room for one hanging read and one page throttled on every call', () => {
    const writerBackoff = [1, 2, 3, 4].reduce(
      (sum, retry) => sum + Math.min(200 * 2 ** (retry - 1), 5_000),
      0,
    );
    // STS, the inventory page, the earlier-results page (read side by side, counted in turn) and one
    // PutEvaluations batch whose 5 writer attempts are each throttled through the SDK's 5 attempts.
    const throttledPage = 3 * sdkWorstBackoffMs(attempts) + 5 * sdkWorstBackoffMs(attempts) + writerBackoff;
    const hangingRead = attempts * REQUEST_TIMEOUT_MS + sdkWorstBackoffMs(attempts);
    const timeout = CONFIG_RULE_TUNING.timeout.toMilliseconds();
    expect(throttledPage + hangingRead).toBeLessThan(timeout / 2);
    // The budget infra/tuning.ts sizes the timeout by: 100,000 resources at up to 500 ms a page, plus one read
    // hanging on every attempt and one page throttled to the last attempt on every call. A run that still
    // times out is evaluated again by Lambda's async retries or the next scheduled run.
    const scan = (100_000 / PAGE_SIZE) * 500;
    expect(scan + hangingRead + throttledPage).toBeLessThan(timeout);
    expect(CONFIG_RULE_TUNING.asyncRetries).toBeGreaterThan(0);
  });
});
