import {
  BatchGetResourceConfigCommand,
  type Evaluation as ConfigEvaluation,
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  ListDiscoveredResourcesCommand,
  PutEvaluationsCommand,
  SelectResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ConfigRuntimeOptions, createConfigRuleHandler } from '../../shared/aws/config-runtime.ts';
import type { SuiteSettings } from '../../shared/core/model.ts';
import { DEFAULT_RESOURCE_TYPES, requiredTagsRuleFor } from '../../shared/rules/required-tags/index.ts';
import { ACCOUNT, changeEvent, PERIODIC_TIME, periodicEvent } from '../fixtures/config/events.ts';
import { fixture } from './helpers.ts';

const config = mockClient(ConfigServiceClient);
const sts = mockClient(STSClient);

const POLICY: SuiteSettings = {
  tagPolicy: { required: ['CostCenter', { key: 'Environment', values: ['prod', 'dev'] }] },
};
const RULE_NAME = 'plumbline-required-tags';

function handlerFor(settings: SuiteSettings, options: ConfigRuntimeOptions = {}) {
  return createConfigRuleHandler(requiredTagsRuleFor(settings), {
    suiteConfig: () => ({ rules: {}, settings }),
    writer: { sleep: async () => {} },
    ...options,
  });
}

const id = (prefix: string, index: number) => `${prefix}-${String(index).padStart(5, '0')}`;

/** One `SelectResourceConfig` result row, in the fields the runtime selects (tags as `{key, value, tag}`). */
function selectRow(
  resourceType: string,
  resourceId: string,
  tags: Record<string, string>,
  supplementaryConfiguration: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    resourceId,
    resourceName: resourceId,
    resourceType,
    arn: `arn:aws:test:us-east-1:${ACCOUNT}:${resourceId}`,
    accountId: ACCOUNT,
    awsRegion: 'us-east-1',
    configurationItemCaptureTime: '2023-05-04T10:20:30.000Z',
    configurationItemStatus: 'OK',
    configuration: {},
    supplementaryConfiguration,
    tags: Object.entries(tags).map(([key, value]) => ({ key, value, tag: `${key}=${value}` })),
  });
}

/** Instance i: a third compliant, a third with a wrong value and no cost centre, a third untagged. */
const instanceTags = (index: number): Record<string, string> =>
  [{ CostCenter: '42', Environment: 'prod' }, { Environment: 'prod1', Name: 'web' }, {}][index % 3] ?? {};
const instanceAnnotation = (index: number): string =>
  index % 3 === 0
    ? 'required tags present: CostCenter, Environment'
    : index % 3 === 1
      ? 'missing: CostCenter; Environment=prod1 not in [prod, dev]'
      : 'missing: CostCenter, Environment';

/** Bucket b: tags only in the bucket tagging configuration; odd buckets are in staging. */
const bucketTagging = (index: number) => ({
  BucketTaggingConfiguration: {
    tagSets: [{ tags: { CostCenter: '7', Environment: index % 2 === 0 ? 'dev' : 'staging' } }],
  },
});
const bucketAnnotation = (index: number) =>
  index % 2 === 0
    ? 'required tags present: CostCenter, Environment'
    : 'Environment=staging not in [prod, dev]';

const expected = (resourceType: string, resourceId: string, annotation: string): ConfigEvaluation => ({
  ComplianceResourceType: resourceType,
  ComplianceResourceId: resourceId,
  ComplianceType: annotation.startsWith('required tags present') ? 'COMPLIANT' : 'NON_COMPLIANT',
  Annotation: annotation,
  OrderingTimestamp: new Date(PERIODIC_TIME),
});

beforeEach(() => {
  config.reset();
  sts.reset();
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
});

describe('periodic run over the default scope', () => {
  it('evaluates 150 instances and 30 buckets, cleans a stale result, and writes exact batches of ≤100', async () => {
    const instances = Array.from({ length: 150 }, (_, index) =>
      selectRow('AWS::EC2::Instance', id('i', index), instanceTags(index)),
    );
    const buckets = Array.from({ length: 30 }, (_, index) =>
      selectRow('AWS::S3::Bucket', id('bucket', index), {}, bucketTagging(index)),
    );
    // One advanced query covers every type in scope; Config pages the rows of all types together.
    config
      .on(SelectResourceConfigCommand)
      .callsFake((input: { NextToken?: string }) =>
        input.NextToken === 'page-2'
          ? { Results: [...instances.slice(100), ...buckets] }
          : { Results: instances.slice(0, 100), NextToken: 'page-2' },
      );
    const result = (resourceId: string) => ({
      EvaluationResultIdentifier: {
        EvaluationResultQualifier: {
          ConfigRuleName: RULE_NAME,
          ResourceType: 'AWS::EC2::Instance',
          ResourceId: resourceId,
        },
      },
      ComplianceType: 'NON_COMPLIANT' as const,
    });
    config
      .on(GetComplianceDetailsByConfigRuleCommand)
      .resolves({ EvaluationResults: [result(id('i', 1)), result('i-terminated')] });

    const event = periodicEvent();
    const summary = await handlerFor(POLICY)({ ...event, configRuleName: RULE_NAME });

    expect(config).toHaveReceivedCommandTimes(SelectResourceConfigCommand, 2);
    const inList = DEFAULT_RESOURCE_TYPES.map((resourceType) => `'${resourceType}'`).join(', ');
    expect(config).toHaveReceivedNthCommandWith(SelectResourceConfigCommand, 1, {
      Expression: expect.stringMatching(/^SELECT .* WHERE resourceType IN \(/),
      Limit: 100,
      NextToken: undefined,
    });
    expect(config).toHaveReceivedNthCommandWith(SelectResourceConfigCommand, 2, {
      Expression: expect.stringContaining(`WHERE resourceType IN (${inList})`),
      Limit: 100,
      NextToken: 'page-2',
    });
    expect(config).toHaveReceivedCommandWith(GetComplianceDetailsByConfigRuleCommand, {
      ConfigRuleName: RULE_NAME,
      ComplianceTypes: ['COMPLIANT', 'NON_COMPLIANT'],
      Limit: 100,
    });

    const evaluations: ConfigEvaluation[] = [
      ...instances.map((_, index) =>
        expected('AWS::EC2::Instance', id('i', index), instanceAnnotation(index)),
      ),
      ...buckets.map((_, index) => expected('AWS::S3::Bucket', id('bucket', index), bucketAnnotation(index))),
      {
        ComplianceResourceType: 'AWS::EC2::Instance',
        ComplianceResourceId: 'i-terminated',
        ComplianceType: 'NOT_APPLICABLE',
        Annotation: 'resource no longer exists in the AWS Config inventory',
        OrderingTimestamp: new Date(PERIODIC_TIME),
      },
    ];
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 2);
    expect(config).toHaveReceivedNthCommandWith(PutEvaluationsCommand, 1, {
      ResultToken: 'myResultToken',
      Evaluations: evaluations.slice(0, 100),
    });
    expect(config).toHaveReceivedNthCommandWith(PutEvaluationsCommand, 2, {
      ResultToken: 'myResultToken',
      Evaluations: evaluations.slice(100),
    });
    expect(summary).toEqual({
      rule: 'required-tags',
      messageType: 'scheduled',
      evaluations: 181,
      byCompliance: { COMPLIANT: 65, NON_COMPLIANT: 115, NOT_APPLICABLE: 1 },
      staleCleaned: 1,
      putEvaluationsCalls: 2,
    });
  });
});

describe('periodic run over a narrowed scope, reading the inventory with BatchGetResourceConfig', () => {
  it('scans only tagPolicy.resourceTypes and reads bucket tags from the tagging configuration', async () => {
    const settings: SuiteSettings = {
      tagPolicy: { ...(POLICY.tagPolicy as object), resourceTypes: ['AWS::S3::Bucket'] },
    };
    const batchItem = fixture('s3-bucket-batch-get-item.json');
    config.on(ListDiscoveredResourcesCommand).resolves({
      resourceIdentifiers: [
        { resourceType: 'AWS::S3::Bucket', resourceId: 'amzn-s3-demo-bucket' },
        { resourceType: 'AWS::S3::Bucket', resourceId: 'amzn-s3-demo-bucket-2' },
      ],
    });
    config.on(BatchGetResourceConfigCommand).resolves({
      baseConfigurationItems: [
        batchItem,
        {
          ...batchItem,
          resourceId: 'amzn-s3-demo-bucket-2',
          supplementaryConfiguration: {
            BucketTaggingConfiguration: '{"tagSets":[{"tags":{"CostCenter":"1","Environment":"prod"}}]}',
          },
        },
      ],
    });

    await handlerFor(settings, { inventory: 'list' })(periodicEvent());

    expect(config).toHaveReceivedCommandTimes(ListDiscoveredResourcesCommand, 1);
    expect(config).toHaveReceivedCommandWith(ListDiscoveredResourcesCommand, {
      resourceType: 'AWS::S3::Bucket',
      limit: 100,
    });
    expect(config).toHaveReceivedCommandWith(BatchGetResourceConfigCommand, {
      resourceKeys: [
        { resourceType: 'AWS::S3::Bucket', resourceId: 'amzn-s3-demo-bucket' },
        { resourceType: 'AWS::S3::Bucket', resourceId: 'amzn-s3-demo-bucket-2' },
      ],
    });
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: 'myResultToken',
      Evaluations: [
        expected('AWS::S3::Bucket', 'amzn-s3-demo-bucket', 'Environment=staging not in [prod, dev]'),
        expected(
          'AWS::S3::Bucket',
          'amzn-s3-demo-bucket-2',
          'required tags present: CostCenter, Environment',
        ),
      ],
    });
  });
});

describe('change-triggered run', () => {
  it('evaluates the bucket in the event with the managed-rule parameters', async () => {
    const event = changeEvent(fixture('s3-bucket-event-item.json'), {
      ruleParameters: { tag1Key: 'CostCenter', tag1Value: '1234', tag2Key: 'Owner' },
    });
    await handlerFor({})(event);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: 'myResultToken',
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::S3::Bucket',
          ComplianceResourceId: 'amzn-s3-demo-bucket',
          ComplianceType: 'NON_COMPLIANT',
          Annotation: 'missing: Owner',
          OrderingTimestamp: new Date('2021-01-13T05:00:23.319Z'),
        },
      ],
    });
  });

  it('leaves ExecutionRoleName to the runtime: it is not an unknown rule parameter', async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'AKIAMEMBER',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
    const event = changeEvent(fixture('s3-bucket-event-item.json'), {
      ruleParameters: { tag1Key: 'CostCenter', ExecutionRoleName: 'PlumblineExecution' },
    });
    await handlerFor({}, { sts: new STSClient({ region: 'us-east-1' }) })(event);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        expect.objectContaining({
          ComplianceType: 'COMPLIANT',
          Annotation: 'required tags present: CostCenter',
        }),
      ],
    });
  });

  it('fails on a bad parameter, naming it, and writes nothing', async () => {
    const event = changeEvent(fixture('s3-bucket-event-item.json'), {
      ruleParameters: { tag2Value: 'prod' },
    });
    await expect(handlerFor({})(event)).rejects.toThrow(
      'Invalid rule parameter tag2Value="prod": given without tag2Key',
    );
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
  });

  it('fails on a bad tagPolicy in the bundled configuration, naming the setting', async () => {
    const settings = { tagPolicy: { required: [{ key: 'Owner', pattern: '(' }] } };
    await expect(handlerFor(settings)(changeEvent(fixture('s3-bucket-event-item.json')))).rejects.toThrow(
      'Invalid rule parameter tagPolicy.required[0].pattern="(": not a regular expression Plumbline can run: error parsing regexp: ',
    );
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 0);
  });
});
