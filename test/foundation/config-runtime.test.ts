import {
  BatchGetResourceConfigCommand,
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  GetResourceConfigHistoryCommand,
  ListDiscoveredResourcesCommand,
  PutEvaluationsCommand,
  SelectResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { type ConfigRuntimeOptions, createConfigRuleHandler } from '../../shared/aws/config-runtime.ts';
import type { AnyRule } from '../../shared/core/model.ts';
import { EMPTY_SUITE_CONFIG } from '../../shared/core/suite-config.ts';
import { logger } from '../../shared/lambda/logger.ts';
import { securityGroupRule } from '../../shared/rules/security-group/index.ts';
import {
  ACCOUNT,
  apiItem,
  changeEvent,
  instanceItem,
  oversizedEvent,
  PERIODIC_TIME,
  periodicEvent,
} from '../fixtures/config/events.ts';
import { securityGroupItem } from '../fixtures/security-group/index.ts';
import { testRule } from '../support/test-rule.ts';

const config = mockClient(ConfigServiceClient);
const sts = mockClient(STSClient);
const noWait = { sleep: async () => {} };

function handlerFor(rule: AnyRule = testRule, options: ConfigRuntimeOptions = {}) {
  return createConfigRuleHandler(rule, { suiteConfig: () => EMPTY_SUITE_CONFIG, writer: noWait, ...options });
}

function selectRow(id: string, tags: Record<string, string>) {
  return JSON.stringify({
    resourceId: id,
    resourceType: 'AWS::EC2::Instance',
    arn: `arn:aws:ec2:us-east-2:${ACCOUNT}:instance/${id}`,
    accountId: ACCOUNT,
    awsRegion: 'us-east-2',
    configurationItemCaptureTime: '2016-02-17T01:36:34.043Z',
    configurationItemStatus: 'OK',
    configuration: { instanceId: id },
    supplementaryConfiguration: {},
    tags: Object.entries(tags).map(([key, value]) => ({ key, value, tag: `${key}=${value}` })),
  });
}

/** Answers advanced queries for EC2 instances with `page(nextToken)`; other types have no resources. */
function instancesOnly(page: (nextToken: string | undefined) => { Results: string[]; NextToken?: string }) {
  config
    .on(SelectResourceConfigCommand)
    .callsFake((input: { Expression: string; NextToken?: string }) =>
      input.Expression.includes("'AWS::EC2::Instance'") ? page(input.NextToken) : { Results: [] },
    );
}

beforeEach(() => {
  config.reset();
  sts.reset();
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  config.on(SelectResourceConfigCommand).resolves({ Results: [] });
});

describe('change-triggered evaluation', () => {
  it('evaluates the item from the event and writes one PutEvaluations, with no read call', async () => {
    const summary = await handlerFor()(changeEvent(instanceItem({ tags: { Owner: 'team-a' } })));
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
    expect(config.calls()).toHaveLength(1);
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: 'myResultToken',
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::EC2::Instance',
          ComplianceResourceId: 'i-00000000',
          ComplianceType: 'COMPLIANT',
          Annotation: 'tag Owner present',
          OrderingTimestamp: new Date('2016-02-17T01:36:34.043Z'),
        },
      ],
    });
    expect(config.commandCalls(PutEvaluationsCommand)[0]?.args[0].input).not.toHaveProperty('TestMode');
    expect(summary).toEqual({
      rule: 'test-owner-tag',
      messageType: 'change',
      evaluations: 1,
      byCompliance: { COMPLIANT: 1, NON_COMPLIANT: 0, NOT_APPLICABLE: 0 },
      staleCleaned: 0,
      putEvaluationsCalls: 1,
    });
  });

  it('passes rule parameters from the event to the rule', async () => {
    await handlerFor()(changeEvent(instanceItem(), { ruleParameters: { requiredTag: 'CostCenter' } }));
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        expect.objectContaining({ ComplianceType: 'NON_COMPLIANT', Annotation: 'missing: CostCenter' }),
      ],
    });
  });

  it.each([
    ['ResourceDeleted', 'resource status is ResourceDeleted'],
    ['ResourceDeletedNotRecorded', 'resource status is ResourceDeletedNotRecorded'],
    ['ResourceNotRecorded', 'resource status is ResourceNotRecorded'],
  ])('writes NOT_APPLICABLE for a %s item', async (status, annotation) => {
    await handlerFor()(changeEvent(instanceItem({ configurationItemStatus: status, configuration: null })));
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [expect.objectContaining({ ComplianceType: 'NOT_APPLICABLE', Annotation: annotation })],
    });
  });

  it.each(['OK', 'ResourceDiscovered'])('evaluates an item with status %s', async (status) => {
    await handlerFor()(changeEvent(instanceItem({ configurationItemStatus: status })));
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        expect.objectContaining({ ComplianceType: 'NON_COMPLIANT', Annotation: 'missing: Owner' }),
      ],
    });
  });

  it('writes NOT_APPLICABLE when the resource left the rule scope', async () => {
    await handlerFor()(changeEvent(instanceItem(), { eventLeftScope: true }));
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        expect.objectContaining({
          ComplianceType: 'NOT_APPLICABLE',
          Annotation: 'resource left the rule scope',
        }),
      ],
    });
  });

  it('writes NOT_APPLICABLE for a resource type the rule does not cover', async () => {
    await handlerFor()(
      changeEvent(instanceItem({ resourceType: 'AWS::S3::Bucket', resourceId: 'my-bucket' })),
    );
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        expect.objectContaining({
          ComplianceResourceId: 'my-bucket',
          ComplianceType: 'NOT_APPLICABLE',
          Annotation: 'AWS::S3::Bucket is not evaluated by test-owner-tag',
        }),
      ],
    });
  });

  it('sets TestMode for the TESTMODE result token', async () => {
    await handlerFor()(changeEvent(instanceItem(), { resultToken: 'TESTMODE' }));
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: 'TESTMODE',
      TestMode: true,
    });
  });
});

describe('oversized change', () => {
  it('fetches the item with GetResourceConfigHistory (limit 1, laterTime = capture time) and evaluates it', async () => {
    config.on(GetResourceConfigHistoryCommand).resolves({
      configurationItems: [apiItem({ resourceId: 'i-00000000', tags: { Owner: 'ops' } })],
    });
    await handlerFor()(oversizedEvent());
    expect(config).toHaveReceivedCommandWith(GetResourceConfigHistoryCommand, {
      resourceType: 'AWS::EC2::Instance',
      resourceId: 'i-00000000',
      laterTime: new Date('2016-10-06T16:46:16.261Z'),
      limit: 1,
    });
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::EC2::Instance',
          ComplianceResourceId: 'i-00000000',
          ComplianceType: 'COMPLIANT',
          Annotation: 'tag Owner present',
          OrderingTimestamp: new Date('2016-10-06T16:46:16.261Z'),
        },
      ],
    });
  });

  it('does not fetch a deleted item: NOT_APPLICABLE straight away', async () => {
    await handlerFor()(oversizedEvent({ configurationItemStatus: 'ResourceDeleted' }));
    expect(config).toHaveReceivedCommandTimes(GetResourceConfigHistoryCommand, 0);
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [expect.objectContaining({ ComplianceType: 'NOT_APPLICABLE' })],
    });
  });

  it.each([
    [
      'not recorded',
      oversizedEvent({ configurationItemStatus: 'ResourceNotRecorded' }),
      'AWS::EC2::Instance',
    ],
    [
      'deleted and not recorded',
      oversizedEvent({ configurationItemStatus: 'ResourceDeletedNotRecorded' }),
      'AWS::EC2::Instance',
    ],
    ['out of scope (eventLeftScope)', oversizedEvent({}, { eventLeftScope: true }), 'AWS::EC2::Instance'],
    [
      'of a type the rule does not cover',
      oversizedEvent({ resourceType: 'AWS::S3::Bucket' }),
      'AWS::S3::Bucket',
    ],
  ])('does not fetch an item %s: NOT_APPLICABLE straight away', async (_, event, resourceType) => {
    await handlerFor()(event);
    expect(config).toHaveReceivedCommandTimes(GetResourceConfigHistoryCommand, 0);
    expect(config.calls()).toHaveLength(1);
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        {
          ComplianceResourceType: resourceType,
          ComplianceResourceId: 'i-00000000',
          ComplianceType: 'NOT_APPLICABLE',
          Annotation: expect.any(String),
          OrderingTimestamp: new Date('2016-10-06T16:46:16.261Z'),
        },
      ],
    });
  });

  it('fails when Config has no item to fetch, so that Config retries', async () => {
    config.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: [] });
    await expect(handlerFor()(oversizedEvent())).rejects.toThrow(
      'GetResourceConfigHistory returned no configuration item for AWS::EC2::Instance i-00000000 at 2016-10-06T16:46:16.261Z',
    );
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
  });
});

describe('periodic evaluation', () => {
  it('scans the inventory in pages of 100 and writes 250 evaluations in 3 calls', async () => {
    const rows = Array.from({ length: 250 }, (_, index) =>
      selectRow(`i-${String(index).padStart(8, '0')}`, index % 2 === 0 ? { Owner: 'x' } : {}),
    );
    const pages: Record<string, { Results: string[]; NextToken?: string }> = {
      start: { Results: rows.slice(0, 100), NextToken: 'page-2' },
      'page-2': { Results: rows.slice(100, 200), NextToken: 'page-3' },
      'page-3': { Results: rows.slice(200) },
    };
    instancesOnly((token) => pages[token ?? 'start'] ?? { Results: [] });

    const summary = await handlerFor()(periodicEvent());

    expect(config).toHaveReceivedCommandTimes(SelectResourceConfigCommand, 3);
    expect(config).toHaveReceivedCommandWith(SelectResourceConfigCommand, {
      Expression: expect.stringContaining("WHERE resourceType IN ('AWS::EC2::Instance', 'AWS::EC2::Volume')"),
      Limit: 100,
    });
    const batches = config
      .commandCalls(PutEvaluationsCommand)
      .map((call) => call.args[0].input.Evaluations ?? []);
    expect(batches.map((batch) => batch.length)).toEqual([100, 100, 50]);
    const all = batches.flat();
    expect(new Set(all.map((evaluation) => evaluation.ComplianceResourceId)).size).toBe(250);
    expect(all.every((evaluation) => evaluation.OrderingTimestamp?.toISOString() === PERIODIC_TIME)).toBe(
      true,
    );
    expect(all[1]).toEqual({
      ComplianceResourceType: 'AWS::EC2::Instance',
      ComplianceResourceId: 'i-00000001',
      ComplianceType: 'NON_COMPLIANT',
      Annotation: 'missing: Owner',
      OrderingTimestamp: new Date(PERIODIC_TIME),
    });
    expect(summary.byCompliance).toEqual({ COMPLIANT: 125, NON_COMPLIANT: 125, NOT_APPLICABLE: 0 });
    expect(config).toHaveReceivedCommandTimes(GetResourceConfigHistoryCommand, 0);
  });

  it('marks resources that have results but are gone from the inventory NOT_APPLICABLE', async () => {
    instancesOnly(() => ({ Results: [selectRow('i-live', { Owner: 'a' })] }));
    const result = (resourceId: string) => ({
      EvaluationResultIdentifier: {
        EvaluationResultQualifier: {
          ConfigRuleName: 'plumbline-test-owner-tag',
          ResourceType: 'AWS::EC2::Instance',
          ResourceId: resourceId,
        },
      },
      ComplianceType: 'NON_COMPLIANT' as const,
    });
    config
      .on(GetComplianceDetailsByConfigRuleCommand)
      .callsFake((input: { NextToken?: string }) =>
        input.NextToken === 't2'
          ? { EvaluationResults: [result('i-gone-2')] }
          : { EvaluationResults: [result('i-live'), result('i-gone-1')], NextToken: 't2' },
      );

    const summary = await handlerFor()(periodicEvent());

    expect(config).toHaveReceivedCommandWith(GetComplianceDetailsByConfigRuleCommand, {
      ConfigRuleName: 'plumbline-test-owner-tag',
      ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT'],
      Limit: 100,
    });
    expect(summary.staleCleaned).toBe(2);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        expect.objectContaining({ ComplianceResourceId: 'i-live', ComplianceType: 'COMPLIANT' }),
        {
          ComplianceResourceType: 'AWS::EC2::Instance',
          ComplianceResourceId: 'i-gone-1',
          ComplianceType: 'NOT_APPLICABLE',
          Annotation: 'resource no longer exists in the AWS Config inventory',
          OrderingTimestamp: new Date(PERIODIC_TIME),
        },
        expect.objectContaining({ ComplianceResourceId: 'i-gone-2', ComplianceType: 'NOT_APPLICABLE' }),
      ],
    });
  });

  it('can read the inventory with ListDiscoveredResources + BatchGetResourceConfig, asking again for unprocessed keys', async () => {
    config.on(ListDiscoveredResourcesCommand).callsFake((input: { resourceType: string }) => ({
      resourceIdentifiers:
        input.resourceType === 'AWS::EC2::Instance'
          ? [
              { resourceType: 'AWS::EC2::Instance', resourceId: 'i-1' },
              { resourceType: 'AWS::EC2::Instance', resourceId: 'i-2' },
            ]
          : [],
    }));
    config
      .on(BatchGetResourceConfigCommand)
      .resolvesOnce({
        baseConfigurationItems: [
          apiItem({
            resourceId: 'i-1',
            tags: undefined,
            configuration: '{"tags":[{"key":"Owner","value":"a"}]}',
          }),
        ],
        unprocessedResourceKeys: [{ resourceType: 'AWS::EC2::Instance', resourceId: 'i-2' }],
      })
      .resolvesOnce({ baseConfigurationItems: [apiItem({ resourceId: 'i-2', tags: undefined })] });

    await handlerFor(testRule, { inventory: 'list' })(periodicEvent());

    expect(config).toHaveReceivedCommandWith(ListDiscoveredResourcesCommand, {
      resourceType: 'AWS::EC2::Instance',
      limit: 100,
    });
    expect(config).toHaveReceivedNthCommandWith(BatchGetResourceConfigCommand, 2, {
      resourceKeys: [{ resourceType: 'AWS::EC2::Instance', resourceId: 'i-2' }],
    });
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        expect.objectContaining({ ComplianceResourceId: 'i-1', ComplianceType: 'COMPLIANT' }),
        expect.objectContaining({ ComplianceResourceId: 'i-2', ComplianceType: 'NON_COMPLIANT' }),
      ],
    });
  });
});

describe('delivery', () => {
  it('retries FailedEvaluations until they are delivered', async () => {
    const rows = ['i-1', 'i-2', 'i-3'].map((id) => selectRow(id, {}));
    instancesOnly(() => ({ Results: rows }));
    config
      .on(PutEvaluationsCommand)
      .resolvesOnce({
        FailedEvaluations: [
          {
            ComplianceResourceType: 'AWS::EC2::Instance',
            ComplianceResourceId: 'i-2',
            ComplianceType: 'NON_COMPLIANT',
            OrderingTimestamp: new Date(),
          },
        ],
      })
      .resolves({ FailedEvaluations: [] });

    await handlerFor()(periodicEvent());

    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 2);
    expect(config).toHaveReceivedNthCommandWith(PutEvaluationsCommand, 2, {
      Evaluations: [expect.objectContaining({ ComplianceResourceId: 'i-2' })],
    });
  });

  it('leaves throttling to the SDK retry strategy: an error that reaches the writer fails after that one call', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    config.on(PutEvaluationsCommand).rejectsOnce(throttled).resolves({});
    await expect(handlerFor()(changeEvent())).rejects.toThrow(
      'PutEvaluations could not deliver 1 evaluation(s)',
    );
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
  });

  it('throws when evaluations still cannot be delivered, so Config retries the invocation', async () => {
    config.on(PutEvaluationsCommand).resolves({
      FailedEvaluations: [
        {
          ComplianceResourceType: 'AWS::EC2::Instance',
          ComplianceResourceId: 'i-00000000',
          ComplianceType: 'NON_COMPLIANT',
          OrderingTimestamp: new Date(),
        },
      ],
    });
    await expect(handlerFor()(changeEvent())).rejects.toThrow(
      'PutEvaluations could not deliver 1 evaluation(s) (i-00000000); failing the invocation so that AWS Config retries it',
    );
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 5);
  });

  it('does not retry an error that retrying cannot fix', async () => {
    const denied = Object.assign(new Error('not authorized'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    config.on(PutEvaluationsCommand).rejects(denied);
    await expect(handlerFor()(changeEvent())).rejects.toThrow(
      'PutEvaluations could not deliver 1 evaluation(s)',
    );
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
  });
});

describe('cross-account execution role', () => {
  it('assumes ExecutionRoleName in the event account and uses those credentials for reads and writes', async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'AKIAMEMBER',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
    const createConfigClient = vi.fn(
      (credentials?: unknown) =>
        new ConfigServiceClient({ region: 'us-east-1', credentials: credentials as never }),
    );
    const handler = handlerFor(testRule, { createConfigClient, sts: new STSClient({ region: 'us-east-1' }) });
    const event = changeEvent(instanceItem({ awsAccountId: '111122223333' }), {
      accountId: '111122223333',
      ruleParameters: { ExecutionRoleName: 'PlumblineExecution' },
    });

    await handler(event);
    await handler(event);

    expect(createConfigClient).toHaveBeenCalledTimes(1);
    const provider = createConfigClient.mock.calls[0]?.[0] as () => Promise<{ accessKeyId: string }>;
    await expect(provider()).resolves.toMatchObject({ accessKeyId: 'AKIAMEMBER' });
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: 'arn:aws:iam::111122223333:role/PlumblineExecution',
      RoleSessionName: 'plumbline-test-owner-tag',
    });
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 2);
  });

  it('uses the function role without ExecutionRoleName, and never a service-linked role', async () => {
    await handlerFor()(changeEvent());
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    for (const role of ['awsserviceroleforconfig', 'AWSServiceRoleForConfigMultiAccountSetup']) {
      await expect(
        handlerFor()(changeEvent(instanceItem(), { ruleParameters: { ExecutionRoleName: role } })),
      ).rejects.toThrow(`Invalid rule parameter ExecutionRoleName="${role}": a service-linked role`);
    }
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    await expect(
      handlerFor()(
        changeEvent(instanceItem(), { ruleParameters: { ExecutionRoleName: 'AWSServiceRoleForConfig' } }),
      ),
    ).rejects.toThrow(
      'Invalid rule parameter ExecutionRoleName="AWSServiceRoleForConfig": a service-linked role (such as AWSServiceRoleForConfig) cannot be assumed',
    );
  });

  it('names the role when it cannot be assumed', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' }));
    const handler = handlerFor(testRule, { sts: new STSClient({ region: 'us-east-1' }) });
    await expect(
      handler(
        changeEvent(instanceItem(), {
          accountId: '111122223333',
          ruleParameters: { ExecutionRoleName: 'PlumblineExecution' },
        }),
      ),
    ).rejects.toThrow(
      'Cannot assume role arn:aws:iam::111122223333:role/PlumblineExecution: AccessDenied: User is not authorized',
    );
  });
});

describe('clients and logs', () => {
  it('builds the function role client once per cold start, not once per invocation', async () => {
    const createConfigClient = vi.fn(() => new ConfigServiceClient({ region: 'us-east-1' }));
    const handler = handlerFor(testRule, { createConfigClient });
    await handler(changeEvent());
    await handler(changeEvent());
    expect(createConfigClient).toHaveBeenCalledTimes(1);
    expect(createConfigClient).toHaveBeenCalledWith();
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 2);
  });

  it('logs each non-compliant verdict as structured fields: rule, resource, verdict, annotation', async () => {
    const info = vi.spyOn(logger, 'info');
    try {
      await handlerFor()(changeEvent(instanceItem(), { ruleParameters: { requiredTag: 'CostCenter' } }));
      expect(info).toHaveBeenCalledWith('evaluation', {
        rule: 'test-owner-tag',
        resourceType: 'AWS::EC2::Instance',
        resourceId: 'i-00000000',
        compliance: 'NON_COMPLIANT',
        annotation: 'missing: CostCenter',
      });
    } finally {
      info.mockRestore();
    }
  });
});

describe('account facts', () => {
  it('loads a fact at most once per invocation, and not for items that are not evaluated', async () => {
    const loader = vi.fn(async () => null);
    const factRule: AnyRule = { ...testRule, accountFacts: ['publicAccessBlock'] };
    instancesOnly(() => ({ Results: [selectRow('i-1', {}), selectRow('i-2', {})] }));
    const handler = handlerFor(factRule, { accountFacts: { publicAccessBlock: loader } });
    await handler(changeEvent(instanceItem({ configurationItemStatus: 'ResourceDeleted' })));
    expect(loader).not.toHaveBeenCalled();
    await handler(periodicEvent());
    expect(loader).toHaveBeenCalledTimes(1);
    expect(loader).toHaveBeenCalledWith(expect.objectContaining({ accountId: ACCOUNT }));
  });
});

describe('bad input', () => {
  it.each([
    [
      {},
      'Invalid Config rule event: event.invokingEvent: Invalid input: expected string, received undefined',
    ],
    [
      { ...changeEvent(), invokingEvent: '{not json' },
      'Invalid Config rule event: invokingEvent is not valid JSON: {not json',
    ],
    [
      { ...changeEvent(), ruleParameters: '[1]' },
      'Invalid Config rule event: ruleParameters must be a JSON object, got [1]',
    ],
    [{ ...changeEvent(), accountId: 'abc' }, 'event.accountId: must be a 12-digit account id (got "abc")'],
    [
      {
        ...changeEvent(),
        invokingEvent: JSON.stringify({
          messageType: 'ScheduledNotification',
          notificationCreationTime: 'soon',
        }),
      },
      'Invalid Config rule event: invokingEvent.notificationCreationTime: must be an ISO 8601 timestamp (got "soon")',
    ],
    [
      oversizedEvent({ configurationItemStatus: 'Whatever' }),
      'invokingEvent.configurationItemSummary.configurationItemStatus: Invalid option: expected one of "OK"|"ResourceDiscovered"|"ResourceNotRecorded"|"ResourceDeleted"|"ResourceDeletedNotRecorded" (got "Whatever")',
    ],
    [
      { ...changeEvent(), invokingEvent: JSON.stringify({ messageType: 'Nope' }) },
      'Invalid Config rule event: invokingEvent.messageType="Nope" is not one of ConfigurationItemChangeNotification',
    ],
    [
      { ...changeEvent(), invokingEvent: JSON.stringify({ messageType: 'ScheduledNotification' }) },
      'invokingEvent.notificationCreationTime: Invalid input: expected string, received undefined',
    ],
    [
      changeEvent(instanceItem(), { ruleParameters: { requiredTag: 'bad tag!' } }),
      'Invalid rule parameter requiredTag="bad tag!"',
    ],
    [
      changeEvent(instanceItem(), { ruleParameters: { ExecutionRoleName: 'no/slashes' } }),
      'Invalid rule parameter ExecutionRoleName="no/slashes": expected an IAM role name',
    ],
  ])('rejects %# with an error naming the field', async (event, message) => {
    await expect(handlerFor()(event)).rejects.toThrow(message);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
  });
});

/** A security group as an advanced-query row (fixture item: AWS Config Developer Guide, security group CI). */
function groupRow(groupId: string, ipPermissions: unknown): string {
  return JSON.stringify({
    ...securityGroupItem(
      {
        groupId,
        ipPermissions,
      },
      {},
    ),
    resourceId: groupId,
    accountId: ACCOUNT,
    awsAccountId: undefined,
  });
}

describe('per-item isolation: an item that cannot be judged is NON_COMPLIANT, the others are written', () => {
  const BAD_GROUP = 'sg-00000000000000137';
  const BAD_ANNOTATION = `cannot evaluate: Invalid security group configuration: ${BAD_GROUP}.configuration.ipPermissions: Invalid input: expected array, received string`;
  const OPEN_SSH = [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }] }];

  it('periodic: 250 groups, one whose ipPermissions is not a list: 249 judged, 1 fail-closed, all 250 written, the bad one logged by id', async () => {
    const ids = Array.from({ length: 250 }, (_, index) => `sg-${String(index).padStart(17, '0')}`);
    const rows = ids.map((id) => groupRow(id, id === BAD_GROUP ? 'not a list' : OPEN_SSH));
    const pages: Record<string, { Results: string[]; NextToken?: string }> = {
      start: { Results: rows.slice(0, 100), NextToken: 'page-2' },
      'page-2': { Results: rows.slice(100, 200), NextToken: 'page-3' },
      'page-3': { Results: rows.slice(200) },
    };
    config
      .on(SelectResourceConfigCommand)
      .callsFake((input: { NextToken?: string }) => pages[input.NextToken ?? 'start'] ?? { Results: [] });
    const error = vi.spyOn(logger, 'error');
    try {
      const summary = await handlerFor(securityGroupRule)(periodicEvent());

      const written = config
        .commandCalls(PutEvaluationsCommand)
        .flatMap((call) => call.args[0].input.Evaluations ?? []);
      expect(written).toHaveLength(250);
      expect(written.map((evaluation) => evaluation.ComplianceResourceId)).toEqual(ids);
      for (const evaluation of written) {
        expect(evaluation).toEqual({
          ComplianceResourceType: 'AWS::EC2::SecurityGroup',
          ComplianceResourceId: evaluation.ComplianceResourceId,
          ComplianceType: 'NON_COMPLIANT',
          Annotation:
            evaluation.ComplianceResourceId === BAD_GROUP ? BAD_ANNOTATION : 'tcp 22 open to 0.0.0.0/0',
          OrderingTimestamp: new Date(PERIODIC_TIME),
        });
      }
      expect(BAD_ANNOTATION.length).toBeLessThanOrEqual(256);
      expect(summary).toMatchObject({ evaluations: 250, staleCleaned: 0, putEvaluationsCalls: 3 });
      expect(error).toHaveBeenCalledTimes(1);
      expect(error).toHaveBeenCalledWith('item could not be evaluated: judged NON_COMPLIANT (fail closed)', {
        rule: 'security-group',
        resourceType: 'AWS::EC2::SecurityGroup',
        resourceId: BAD_GROUP,
        problem: BAD_ANNOTATION.replace('cannot evaluate: ', ''),
      });
    } finally {
      error.mockRestore();
    }
  });

  it('periodic: a row that is not JSON among good ones: the good ones are written, stale results are not cleaned, the run fails naming the problem', async () => {
    instancesOnly(() => ({ Results: [selectRow('i-1', { Owner: 'a' }), '{broken', selectRow('i-2', {})] }));
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({
      EvaluationResults: [
        {
          EvaluationResultIdentifier: {
            EvaluationResultQualifier: { ResourceType: 'AWS::EC2::Instance', ResourceId: 'i-gone' },
          },
        },
      ],
    });
    await expect(handlerFor()(periodicEvent())).rejects.toThrow(
      '1 inventory item(s) could not be read nor identified, so no evaluation was written for them and stale results were not cleaned (the other 2 evaluations were written); first: Invalid SelectResourceConfig result: not JSON',
    );
    const written = config
      .commandCalls(PutEvaluationsCommand)
      .flatMap((call) => call.args[0].input.Evaluations ?? []);
    expect(written.map((evaluation) => [evaluation.ComplianceResourceId, evaluation.ComplianceType])).toEqual(
      [
        ['i-1', 'COMPLIANT'],
        ['i-2', 'NON_COMPLIANT'],
      ],
    );
  });

  it('periodic (list strategy): a BatchGetResourceConfig item whose configuration is not JSON is NON_COMPLIANT, the others judged', async () => {
    config.on(ListDiscoveredResourcesCommand).callsFake((input: { resourceType: string }) => ({
      resourceIdentifiers:
        input.resourceType === 'AWS::EC2::Instance'
          ? [
              { resourceType: 'AWS::EC2::Instance', resourceId: 'i-1' },
              { resourceType: 'AWS::EC2::Instance', resourceId: 'i-2' },
            ]
          : [],
    }));
    config.on(BatchGetResourceConfigCommand).resolves({
      baseConfigurationItems: [
        apiItem({ resourceId: 'i-1', configuration: '{"instanceId": ' }),
        apiItem({ resourceId: 'i-2', tags: { Owner: 'a' } }),
      ],
    });
    await handlerFor(testRule, { inventory: 'list' })(periodicEvent());
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        expect.objectContaining({
          ComplianceResourceId: 'i-1',
          ComplianceType: 'NON_COMPLIANT',
          Annotation:
            'cannot evaluate: Invalid BatchGetResourceConfig item.configuration: not valid JSON: "{\\"instanceId\\": "',
        }),
        expect.objectContaining({ ComplianceResourceId: 'i-2', ComplianceType: 'COMPLIANT' }),
      ],
    });
  });

  it('change: a security group whose ipPermissions is not a list is written NON_COMPLIANT, naming the field', async () => {
    const item = securityGroupItem({ ipPermissions: 'not a list' });
    const summary = await handlerFor(securityGroupRule)(changeEvent(item));
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::EC2::SecurityGroup',
          ComplianceResourceId: 'sg-0123456789abcdef0',
          ComplianceType: 'NON_COMPLIANT',
          Annotation:
            'cannot evaluate: Invalid security group configuration: sg-0123456789abcdef0.configuration.ipPermissions: Invalid input: expected array, received string',
          OrderingTimestamp: new Date(item.configurationItemCaptureTime as string),
        },
      ],
    });
    expect(summary.byCompliance).toEqual({ COMPLIANT: 0, NON_COMPLIANT: 1, NOT_APPLICABLE: 0 });
  });

  it('change: an item whose configuration is not JSON is NON_COMPLIANT at the notification time; one without a resource id is still a bad event', async () => {
    await handlerFor()(changeEvent(instanceItem({ configuration: '{not json' })));
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::EC2::Instance',
          ComplianceResourceId: 'i-00000000',
          ComplianceType: 'NON_COMPLIANT',
          Annotation:
            'cannot evaluate: Invalid invokingEvent.configurationItem.configuration: not valid JSON: "{not json"',
          OrderingTimestamp: expect.any(Date),
        },
      ],
    });
    config.resetHistory();
    await expect(handlerFor()(changeEvent(instanceItem({ resourceId: undefined })))).rejects.toThrow(
      'Invalid configuration item: invokingEvent.configurationItem.resourceId: Invalid input: expected string, received undefined',
    );
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
  });

  it('oversized: a history item that cannot be read is NON_COMPLIANT for the resource the summary names', async () => {
    config.on(GetResourceConfigHistoryCommand).resolves({
      configurationItems: [apiItem({ resourceId: 'i-00000000', configurationItemStatus: 'Exploded' })],
    });
    await handlerFor()(oversizedEvent());
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::EC2::Instance',
          ComplianceResourceId: 'i-00000000',
          ComplianceType: 'NON_COMPLIANT',
          Annotation:
            'cannot evaluate: Invalid configuration item: GetResourceConfigHistory item.configurationItemStatus: Invalid option: expected one of "OK"|"ResourceDiscovered"|"ResourceNotRecorded"|"ResourceDeleted"|"ResourceDeletedNotRecorded" (got "Exploded")',
          OrderingTimestamp: new Date('2016-10-06T16:46:16.261Z'),
        },
      ],
    });
  });

  it('a rule that throws on one item (a bug, not bad data) fails that item closed, not the run', async () => {
    const fragile: AnyRule = {
      ...testRule,
      evaluate: (item, params, context) => {
        if (item.resourceId === 'i-2')
          throw new TypeError("Cannot read properties of undefined (reading 'x')");
        return testRule.evaluate(item, params, context);
      },
    };
    instancesOnly(() => ({ Results: [selectRow('i-1', { Owner: 'a' }), selectRow('i-2', { Owner: 'a' })] }));
    await handlerFor(fragile)(periodicEvent());
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        expect.objectContaining({ ComplianceResourceId: 'i-1', ComplianceType: 'COMPLIANT' }),
        expect.objectContaining({
          ComplianceResourceId: 'i-2',
          ComplianceType: 'NON_COMPLIANT',
          Annotation: "cannot evaluate: TypeError: Cannot read properties of undefined (reading 'x')",
        }),
      ],
    });
  });
});
