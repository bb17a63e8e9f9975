import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
  SelectResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import { GetPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { offlineFacts } from '../../cli/facts.ts';
import { accountPublicAccessBlockLoader } from '../../shared/aws/account-facts.ts';
import { createConfigRuleHandler } from '../../shared/aws/config-runtime.ts';
import { evaluateItem } from '../../shared/core/evaluate.ts';
import type { Evaluation, PublicAccessBlockFlags } from '../../shared/core/model.ts';
import { normaliseConfigurationItem } from '../../shared/core/normalise.ts';
import { EMPTY_SUITE_CONFIG } from '../../shared/core/suite-config.ts';
import { publicBucketRule } from '../../shared/rules/public-bucket/index.ts';
import { changeEvent, periodicEvent } from '../fixtures/config/events.ts';
import {
  ACCOUNT,
  ALL_OFF,
  ALL_ON,
  accountBlockItem,
  apiItem,
  BUCKET,
  type BucketOptions,
  eventItem,
  flags,
  type Json,
  policyText,
} from '../fixtures/public-bucket/items.ts';

const DEFAULTS = publicBucketRule.parseParameters({}, {});

function evaluate(
  item: Json,
  options: { params?: Record<string, string>; account?: PublicAccessBlockFlags | null } = {},
): Pick<Evaluation, 'compliance' | 'annotation'> {
  const params = publicBucketRule.parseParameters(options.params ?? {}, {});
  const { compliance, annotation } = evaluateItem(
    publicBucketRule,
    params,
    normaliseConfigurationItem(item),
    {
      accountId: ACCOUNT,
      region: 'us-east-1',
      account: { publicAccessBlock: options.account === undefined ? null : options.account },
    },
  );
  return { compliance, annotation };
}

const PUBLIC_READ_ACL: BucketOptions = { grants: [{ grantee: 'AllUsers', permission: 'Read' }] };
const PUBLIC_READ_POLICY = 'policy statement "PublicRead" (#1) allows s3:GetObject, s3:GetObjectVersion to *';

describe('parameters', () => {
  it('defaults: nothing excluded, any public access counts, all four account-level settings required', () => {
    expect(DEFAULTS).toEqual({
      excludedPublicBuckets: [],
      publicAccess: 'any',
      accountLevelBlocks: [
        'BlockPublicAcls',
        'IgnorePublicAcls',
        'BlockPublicPolicy',
        'RestrictPublicBuckets',
      ],
    });
  });

  it('reads the CSV and the choices', () => {
    expect(
      publicBucketRule.parseParameters(
        {
          excludedPublicBuckets: ' www.example.com , public-datasets,www.example.com',
          publicAccess: 'Write',
          accountLevelBlocks: 'restrictpublicbuckets, BlockPublicPolicy',
        },
        {},
      ),
    ).toEqual({
      excludedPublicBuckets: ['www.example.com', 'public-datasets'],
      publicAccess: 'write',
      accountLevelBlocks: ['BlockPublicPolicy', 'RestrictPublicBuckets'],
    });
    expect(publicBucketRule.parseParameters({ accountLevelBlocks: 'none' }, {}).accountLevelBlocks).toEqual(
      [],
    );
  });

  it.each([
    [
      { excludedPublicBuckets: 'good-bucket,Bad_Bucket' },
      'Invalid rule parameter excludedPublicBuckets="good-bucket,Bad_Bucket": "Bad_Bucket" is not an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens; no wildcards)',
    ],
    [
      { excludedPublicBuckets: 'logs-*' },
      'Invalid rule parameter excludedPublicBuckets="logs-*": "logs-*" is not an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens; no wildcards)',
    ],
    [
      { publicAccess: 'list' },
      'Invalid rule parameter publicAccess="list": expected one of read, write, any',
    ],
    [
      { accountLevelBlocks: 'BlockPublicAcls,BlockEverything' },
      'Invalid rule parameter accountLevelBlocks="BlockPublicAcls,BlockEverything": "BlockEverything" is not a Block Public Access setting (expected BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets, or none)',
    ],
    [
      { excludedBuckets: 'a-bucket' },
      'Invalid rule parameter excludedBuckets="a-bucket": unknown parameter (known: excludedPublicBuckets, publicAccess, accountLevelBlocks)',
    ],
    [{ publicAccess: 3 }, 'Invalid rule parameter publicAccess=3: expected a string'],
  ])('%j is rejected, naming parameter and value', (raw, message) => {
    expect(() => publicBucketRule.parseParameters(raw, {})).toThrow(message);
  });
});

describe('buckets', () => {
  it.each([
    ['event form (ACL as JSON text)', eventItem],
    ['API form (every value JSON text)', apiItem],
  ])('a public ACL is NON_COMPLIANT, read from the %s', (_, form) => {
    expect(evaluate(form(PUBLIC_READ_ACL))).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: 'ACL grants READ to AllUsers',
    });
  });

  it('names every cause: ACL grants, then policy statements', () => {
    const item = eventItem({
      grants: [
        { grantee: 'AuthenticatedUsers', permission: 'Write' },
        { grantee: 'AllUsers', permission: 'FullControl' },
      ],
      policy: policyText('public-read'),
    });
    expect(evaluate(item)).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `ACL grants FULL_CONTROL to AllUsers; ACL grants WRITE to AuthenticatedUsers; ${PUBLIC_READ_POLICY}`,
    });
  });

  it.each([
    ['event', eventItem],
    ['API', apiItem],
  ])('a public policy is NON_COMPLIANT (%s form)', (_, form) => {
    expect(evaluate(form({ policy: policyText('meaning-federated') }))).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: 'policy statement #1 allows s3:PutObject to Federated graph.facebook.com',
    });
  });

  it('a bucket with neither is COMPLIANT', () => {
    expect(evaluate(eventItem({ policy: policyText('cloudfront-oac') }))).toEqual({
      compliance: 'COMPLIANT',
      annotation: 'no public ACL grant or bucket policy statement',
    });
  });

  it.each([
    [
      'bucket-level IgnorePublicAcls',
      { ...PUBLIC_READ_ACL, block: flags({ ignorePublicAcls: true }) },
      null,
      'ACL grants READ to AllUsers, neutralised by IgnorePublicAcls (bucket)',
    ],
    [
      'account-level IgnorePublicAcls',
      PUBLIC_READ_ACL,
      flags({ ignorePublicAcls: true }),
      'ACL grants READ to AllUsers, neutralised by IgnorePublicAcls (account)',
    ],
    [
      'both levels',
      { ...PUBLIC_READ_ACL, block: ALL_ON },
      ALL_ON,
      'ACL grants READ to AllUsers, neutralised by IgnorePublicAcls (bucket and account)',
    ],
    [
      'BucketOwnerEnforced',
      { ...PUBLIC_READ_ACL, ownership: 'BucketOwnerEnforced' },
      null,
      'ACL grants READ to AllUsers, neutralised by ObjectOwnership BucketOwnerEnforced (ACLs disabled)',
    ],
    [
      'RestrictPublicBuckets',
      { policy: policyText('public-read'), block: flags({ restrictPublicBuckets: true }) },
      null,
      `${PUBLIC_READ_POLICY}, neutralised by RestrictPublicBuckets (bucket)`,
    ],
  ] as const)('%s neutralises: COMPLIANT, saying so', (_, options, account, annotation) => {
    expect(evaluate(eventItem(options), { account })).toEqual({ compliance: 'COMPLIANT', annotation });
  });

  it('BlockPublicAcls and BlockPublicPolicy do not neutralise what is already there', () => {
    const item = eventItem({
      ...PUBLIC_READ_ACL,
      policy: policyText('public-read'),
      block: flags({ blockPublicAcls: true, blockPublicPolicy: true }),
    });
    expect(evaluate(item)).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: `ACL grants READ to AllUsers; ${PUBLIC_READ_POLICY}`,
    });
  });

  it('IgnorePublicAcls leaves a public policy public', () => {
    const item = eventItem({ ...PUBLIC_READ_ACL, policy: policyText('public-read') });
    expect(evaluate(item, { account: flags({ ignorePublicAcls: true }) })).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: PUBLIC_READ_POLICY,
    });
  });

  it('an excluded bucket is COMPLIANT and still says what is public', () => {
    expect(evaluate(eventItem(PUBLIC_READ_ACL), { params: { excludedPublicBuckets: BUCKET } })).toEqual({
      compliance: 'COMPLIANT',
      annotation: `${BUCKET} is listed in excludedPublicBuckets; ACL grants READ to AllUsers`,
    });
  });

  it('publicAccess chooses what counts', () => {
    const readable = eventItem({ policy: policyText('public-read') });
    const writable = eventItem({ policy: policyText('meaning-anyone-put') });
    expect(evaluate(readable, { params: { publicAccess: 'write' } })).toEqual({
      compliance: 'COMPLIANT',
      annotation: `${PUBLIC_READ_POLICY} (not counted: publicAccess=write)`,
    });
    expect(evaluate(readable, { params: { publicAccess: 'read' } }).compliance).toBe('NON_COMPLIANT');
    expect(evaluate(writable, { params: { publicAccess: 'write' } })).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: 'policy statement #1 allows s3:PutObject to *',
    });
  });

  it('READ_ACP to the public counts only for publicAccess=any', () => {
    const item = eventItem({ grants: [{ grantee: 'AllUsers', permission: 'ReadAcp' }] });
    expect(evaluate(item)).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: 'ACL grants READ_ACP to AllUsers',
    });
    expect(evaluate(item, { params: { publicAccess: 'read' } }).compliance).toBe('COMPLIANT');
  });

  it('a policy that cannot be read is NON_COMPLIANT: S3 takes a policy to be public until shown otherwise', () => {
    expect(evaluate(eventItem({ policy: '{"Statement": [{"Principal": "*"}]}' }))).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation:
        'cannot tell whether public: bucket policy: Statement[0].Effect: Invalid option: expected one of "Allow"|"Deny"',
    });
  });

  it('a deleted bucket is NOT_APPLICABLE', () => {
    expect(evaluate(eventItem({ ...PUBLIC_READ_ACL, status: 'ResourceDeleted' }))).toEqual({
      compliance: 'NOT_APPLICABLE',
      annotation: 'resource status is ResourceDeleted',
    });
  });
});

describe('account-level Block Public Access', () => {
  it.each([
    ['event', 'event'],
    ['API', 'api'],
  ] as const)('all four on is COMPLIANT (%s form)', (_, form) => {
    expect(evaluate(accountBlockItem(ALL_ON, form))).toEqual({
      compliance: 'COMPLIANT',
      annotation:
        'account-level Block Public Access: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets on',
    });
  });

  it('names the settings that are off', () => {
    expect(evaluate(accountBlockItem(flags({ blockPublicAcls: true, ignorePublicAcls: true })))).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: 'account-level Block Public Access: BlockPublicPolicy, RestrictPublicBuckets off',
    });
  });

  it('checks only the settings accountLevelBlocks requires, or nothing', () => {
    const item = accountBlockItem(flags({ restrictPublicBuckets: true, ignorePublicAcls: true }));
    expect(
      evaluate(item, { params: { accountLevelBlocks: 'IgnorePublicAcls,RestrictPublicBuckets' } }),
    ).toEqual({
      compliance: 'COMPLIANT',
      annotation: 'account-level Block Public Access: IgnorePublicAcls, RestrictPublicBuckets on',
    });
    expect(evaluate(item, { params: { accountLevelBlocks: 'none' } })).toEqual({
      compliance: 'NOT_APPLICABLE',
      annotation: 'account-level check turned off (accountLevelBlocks=none)',
    });
  });

  it('finds the account-level item among a snapshot for offline runs (cli/facts.ts)', () => {
    const items = [eventItem(), accountBlockItem(flags({ ignorePublicAcls: true }))].map((item) => ({
      item: normaliseConfigurationItem(item),
    }));
    const other = '111122223333';
    const found = offlineFacts(items, ['publicAccessBlock'], [ACCOUNT, other]);
    expect(found.factsFor(ACCOUNT).publicAccessBlock).toEqual(flags({ ignorePublicAcls: true }));
    expect(found.factsFor(other).publicAccessBlock).toBeNull();
    expect(found.notes).toEqual([
      `account ${other}: the snapshot has no AWS::S3::AccountPublicAccessBlock item; buckets are judged as if the account had no account-level Block Public Access`,
    ]);
    const deleted = normaliseConfigurationItem({
      ...accountBlockItem(ALL_OFF),
      configurationItemStatus: 'ResourceDeleted',
    });
    expect(offlineFacts([{ item: deleted }], ['publicAccessBlock'], [ACCOUNT]).factsFor(ACCOUNT)).toEqual({
      publicAccessBlock: null,
    });
  });
});

describe('through the Config runtime', () => {
  const config = mockClient(ConfigServiceClient);
  const s3control = mockClient(S3ControlClient);

  beforeEach(() => {
    config.reset();
    s3control.reset();
    config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
  });

  function handler() {
    return createConfigRuleHandler(publicBucketRule, {
      suiteConfig: () => EMPTY_SUITE_CONFIG,
      writer: { sleep: async () => {} },
      accountFacts: { publicAccessBlock: accountPublicAccessBlockLoader() },
    });
  }

  it('evaluates a changed bucket with the account-level settings from S3 Control', async () => {
    s3control.on(GetPublicAccessBlockCommand).resolves({
      PublicAccessBlockConfiguration: { IgnorePublicAcls: true, BlockPublicAcls: true },
    });
    const item = eventItem({ ...PUBLIC_READ_ACL, policy: policyText('public-read') });
    await handler()(changeEvent(item, { ruleParameters: { publicAccess: 'any' } }));
    expect(s3control).toHaveReceivedCommandTimes(GetPublicAccessBlockCommand, 1);
    expect(s3control).toHaveReceivedCommandWith(GetPublicAccessBlockCommand, { AccountId: ACCOUNT });
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: 'myResultToken',
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::S3::Bucket',
          ComplianceResourceId: BUCKET,
          ComplianceType: 'NON_COMPLIANT',
          Annotation: PUBLIC_READ_POLICY,
          OrderingTimestamp: new Date('2024-05-14T09:42:10.123Z'),
        },
      ],
    });
  });

  it('reads the account-level settings once for a whole periodic run', async () => {
    s3control.on(GetPublicAccessBlockCommand).rejects(
      Object.assign(new Error('The public access block configuration was not found'), {
        name: 'NoSuchPublicAccessBlockConfiguration',
      }),
    );
    const items = [
      eventItem({ name: 'open-bucket', ...PUBLIC_READ_ACL }),
      eventItem({ name: 'closed-bucket' }),
      accountBlockItem(ALL_OFF),
    ];
    // Whatever the runtime's query plan, answer each query with the items of the types it names.
    config.on(SelectResourceConfigCommand).callsFake((input: { Expression: string }) => ({
      Results: items
        .filter((item) => input.Expression.includes(`'${String(item.resourceType)}'`))
        .map((item) => JSON.stringify({ ...item, accountId: ACCOUNT })),
    }));
    const summary = await handler()(periodicEvent());
    expect(s3control).toHaveReceivedCommandTimes(GetPublicAccessBlockCommand, 1);
    expect(summary.byCompliance).toEqual({ COMPLIANT: 1, NON_COMPLIANT: 2, NOT_APPLICABLE: 0 });
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      Evaluations: [
        expect.objectContaining({
          ComplianceResourceId: 'open-bucket',
          Annotation: 'ACL grants READ to AllUsers',
        }),
        expect.objectContaining({ ComplianceResourceId: 'closed-bucket', ComplianceType: 'COMPLIANT' }),
        expect.objectContaining({
          ComplianceResourceType: 'AWS::S3::AccountPublicAccessBlock',
          ComplianceResourceId: ACCOUNT,
          Annotation:
            'account-level Block Public Access: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets off',
        }),
      ],
    });
  });
});
