import { describe, expect, it } from 'vitest';
import { ParameterError, type SuiteSettings } from '../../shared/core/model.ts';
import {
  DEFAULT_RESOURCE_TYPES,
  parseRequiredTagsParameters,
  requiredTagsResourceTypes,
  requiredTagsRule,
  requiredTagsRuleFor,
} from '../../shared/rules/required-tags/index.ts';
import { MANAGED_RULE_RESOURCE_TYPES } from '../../shared/rules/required-tags/resource-types.ts';
import { CONTEXT, item } from './helpers.ts';

const parse = (raw: Record<string, unknown>, settings: SuiteSettings = {}) =>
  requiredTagsRule.parseParameters(raw, settings);

describe('managed-rule parameters', () => {
  it('reads tag1Key…tag6Key with their comma-separated values', () => {
    const params = parse({
      tag1Key: 'CostCenter',
      tag1Value: ' 1234 , 5678,5678 ',
      tag2Key: ' Owner ',
      tag2Value: '',
      tag6Key: 'Environment',
      tag6Value: 'prod,dev,',
    });
    expect(params.requirements).toEqual([
      { key: 'CostCenter', constraint: { kind: 'list', values: ['1234', '5678'] }, source: 'tag1Key' },
      { key: 'Owner', constraint: { kind: 'any' }, source: 'tag2Key' },
      { key: 'Environment', constraint: { kind: 'list', values: ['prod', 'dev'] }, source: 'tag6Key' },
    ]);
    expect(params).toMatchObject({
      resourceTypes: DEFAULT_RESOURCE_TYPES,
      keyCase: 'exact',
      requireNonEmptyValues: false,
      exemptionTag: undefined,
      byResourceType: {},
    });
  });

  it('defaults to requiring CostCenter when no key is named anywhere', () => {
    expect(parse({}).requirements).toEqual([
      { key: 'CostCenter', constraint: { kind: 'any' }, source: 'tag1Key (default)' },
    ]);
    expect(parse({}, { tagPolicy: { keyCase: 'ignore' } }).requirements).toHaveLength(1);
    expect(parse({}, { tagPolicy: { required: ['Owner'] } }).requirements.map((r) => r.key)).toEqual([
      'Owner',
    ]);
    const withEmptyTypePolicy = parse({}, { tagPolicy: { byResourceType: { 'AWS::S3::Bucket': {} } } });
    expect(withEmptyTypePolicy.byResourceType['AWS::S3::Bucket']).toEqual([
      { key: 'CostCenter', constraint: { kind: 'any' }, source: 'tag1Key (default)' },
    ]);
  });

  it.each([
    [{ tag2Value: 'prod' }, 'Invalid rule parameter tag2Value="prod": given without tag2Key'],
    [{ tag1Key: '  ', tag1Value: 'a' }, 'Invalid rule parameter tag1Value="a": given without tag1Key'],
    [
      { tag1Key: 'Owner', tag7Key: 'Team' },
      'Invalid rule parameter tag7Key="Team": unknown parameter: required-tags takes tag1Key…tag6Key and tag1Value…tag6Value; richer policies go in tagPolicy',
    ],
    [{ Tag1Key: 'Owner' }, 'Invalid rule parameter Tag1Key="Owner": unknown parameter'],
    [
      { tag1Key: 'Environment', tag1Value: ' , ,' },
      'Invalid rule parameter tag1Value=" , ,": lists no value',
    ],
    [
      { tag1Key: 'aws:cloudformation:stack-name' },
      'Invalid rule parameter tag1Key="aws:cloudformation:stack-name": keys beginning with aws: are reserved for AWS and never satisfy a requirement',
    ],
    [
      { tag3Key: 'AWS:Owner' },
      'Invalid rule parameter tag3Key="AWS:Owner": keys beginning with aws: are reserved',
    ],
    [{ tag1Key: 'k'.repeat(129) }, 'tag keys are at most 128 characters'],
    [{ tag1Key: 'Owner', tag1Value: `a,${'v'.repeat(257)}` }, 'tag values are at most 256 characters'],
    [
      { tag1Key: 'Owner', tag2Key: 'Owner' },
      'Invalid rule parameter tag2Key="Owner": Owner is already required by tag1Key; require each key once',
    ],
    [{ tag1Key: ['Owner'] }, 'Invalid rule parameter tag1Key=["Owner"]: expected a string'],
  ])('rejects %j, naming the parameter and the value', (raw, message) => {
    expect(() => parse(raw)).toThrow(ParameterError);
    expect(() => parse(raw)).toThrow(message);
  });

  it('treats keys differing only in case as duplicates when keyCase is ignore', () => {
    expect(() => parse({ tag1Key: 'Owner', tag2Key: 'owner' }, { tagPolicy: { keyCase: 'ignore' } })).toThrow(
      'Invalid rule parameter tag2Key="owner": Owner is already required by tag1Key; require each key once',
    );
    expect(parse({ tag1Key: 'Owner', tag2Key: 'owner' }).requirements).toHaveLength(2);
  });
});

describe('tagPolicy', () => {
  it('parses a full policy', () => {
    const params = parse(
      { tag1Key: 'CostCenter' },
      {
        tagPolicy: {
          resourceTypes: ['AWS::EC2::Instance', 'AWS::S3::Bucket'],
          keyCase: 'ignore',
          requireNonEmptyValues: true,
          exemptionTag: { key: ' plumbline:exempt ', values: 'true, yes' },
          required: ['Owner', { key: 'Environment', values: ['prod', ' dev ', 12] }],
          byResourceType: {
            'AWS::S3::Bucket': {
              required: [
                { key: 'environment', values: ['prod'] },
                { key: 'Ticket', pattern: '[A-Z]+-\\d+' },
              ],
            },
            'AWS::EC2::Instance': { inherit: false, required: ['Name'] },
          },
        },
      },
    );
    const costCenter = { key: 'CostCenter', constraint: { kind: 'any' }, source: 'tag1Key' };
    const owner = { key: 'Owner', constraint: { kind: 'any' }, source: 'tagPolicy.required[0]' };
    expect(params).toEqual({
      resourceTypes: ['AWS::EC2::Instance', 'AWS::S3::Bucket'],
      keyCase: 'ignore',
      requireNonEmptyValues: true,
      exemptionTag: { key: 'plumbline:exempt', values: ['true', 'yes'] },
      requirements: [
        costCenter,
        owner,
        {
          key: 'Environment',
          constraint: { kind: 'list', values: ['prod', 'dev', '12'] },
          source: 'tagPolicy.required[1]',
        },
      ],
      byResourceType: {
        'AWS::S3::Bucket': [
          costCenter,
          owner,
          {
            key: 'environment',
            constraint: { kind: 'list', values: ['prod'] },
            source: 'tagPolicy.byResourceType.AWS::S3::Bucket.required[0]',
          },
          {
            key: 'Ticket',
            constraint: { kind: 'pattern', pattern: expect.objectContaining({ source: '[A-Z]+-\\d+' }) },
            source: 'tagPolicy.byResourceType.AWS::S3::Bucket.required[1]',
          },
        ],
        'AWS::EC2::Instance': [
          {
            key: 'Name',
            constraint: { kind: 'any' },
            source: 'tagPolicy.byResourceType.AWS::EC2::Instance.required[0]',
          },
        ],
      },
    });
  });

  it.each([
    [{ keycase: 'ignore' }, 'Invalid rule parameter tagPolicy.keycase="ignore": unknown setting'],
    [
      { keyCase: 'upper' },
      'Invalid rule parameter tagPolicy.keyCase="upper": Invalid option: expected one of "exact"|"ignore"',
    ],
    [
      { requireNonEmptyValues: 'yes' },
      'Invalid rule parameter tagPolicy.requireNonEmptyValues="yes": Invalid input: expected boolean, received string',
    ],
    [
      { allowEmptyValues: true },
      'Invalid rule parameter tagPolicy.allowEmptyValues=true: replaced: empty values are now accepted by default, as by AWS’s managed required-tags rule; set tagPolicy.requireNonEmptyValues: true to refuse them',
    ],
    [
      { required: 'Owner' },
      'Invalid rule parameter tagPolicy.required="Owner": Invalid input: expected array, received string',
    ],
    [
      { required: [{ key: 'Owner', value: 'x' }] },
      'Invalid rule parameter tagPolicy.required[0].value="x": unknown setting',
    ],
    [
      { required: [{ key: 'Owner', pattern: '([a-z' }] },
      'Invalid rule parameter tagPolicy.required[0].pattern="([a-z": not a regular expression Plumbline can run: error parsing regexp: ',
    ],
    [
      { required: [{ key: 'Owner', pattern: '' }] },
      'Invalid rule parameter tagPolicy.required[0].pattern="": empty pattern',
    ],
    [
      { required: [{ key: 'Owner', values: ['a'], pattern: 'a' }] },
      'Invalid rule parameter tagPolicy.required[0].pattern="a": give values or pattern, not both',
    ],
    [
      { required: [{ key: 'Env', values: ['prod', ' '] }] },
      'Invalid rule parameter tagPolicy.required[0].values[1]=" ": empty value; a requirement without values accepts any value, an empty one included (unless tagPolicy.requireNonEmptyValues)',
    ],
    [
      { required: [{ key: 'Env', values: [] }] },
      'Invalid rule parameter tagPolicy.required[0].values=[]: lists no value',
    ],
    [{ required: [''] }, 'Invalid rule parameter tagPolicy.required[0]="": empty tag key'],
    [
      { required: [{ key: 'aws:x' }] },
      'Invalid rule parameter tagPolicy.required[0].key="aws:x": keys beginning with aws:',
    ],
    [
      { required: ['Owner', 'Owner'] },
      'Invalid rule parameter tagPolicy.required[1]="Owner": Owner is already required by tagPolicy.required[0]; require each key once',
    ],
    [
      { exemptionTag: 'aws:exempt' },
      'Invalid rule parameter tagPolicy.exemptionTag="aws:exempt": keys beginning with aws:',
    ],
    [
      { exemptionTag: { key: 'Exempt', values: [] } },
      'Invalid rule parameter tagPolicy.exemptionTag.values=[]: lists no value',
    ],
    [
      { byResourceType: { 'AWS::IAM::Role': { required: ['Owner'] } } },
      'Invalid rule parameter tagPolicy.byResourceType.AWS::IAM::Role="AWS::IAM::Role": not among the resource types evaluated',
    ],
    [
      { byResourceType: { 'AWS::S3::Bucket': { required: ['Owner'], replace: true } } },
      'Invalid rule parameter tagPolicy.byResourceType.AWS::S3::Bucket.replace=true: unknown setting',
    ],
    [{ resourceTypes: [] }, 'Invalid rule parameter tagPolicy.resourceTypes=[]: lists no resource type'],
    [
      { resourceTypes: ['AWS::S3::Bucket', 'S3 bucket'] },
      'Invalid rule parameter tagPolicy.resourceTypes[1]="S3 bucket": expected a resource type such as AWS::EC2::Instance',
    ],
    [
      { resourceTypes: ['AWS::S3::Bucket', 'AWS::S3::Bucket'] },
      'Invalid rule parameter tagPolicy.resourceTypes[1]="AWS::S3::Bucket": listed twice',
    ],
    [
      { resourceTypes: ['AWS::SQS::Queue'] },
      'Invalid rule parameter tagPolicy.resourceTypes[0]="AWS::SQS::Queue": outside the scope this rule was built with; build it with requiredTagsRuleFor(settings)',
    ],
  ])('rejects tagPolicy %j, naming the setting and the value', (tagPolicy, message) => {
    expect(() => parse({}, { tagPolicy })).toThrow(ParameterError);
    expect(() => parse({}, { tagPolicy })).toThrow(message);
  });

  it('rejects a policy key that a managed parameter already requires', () => {
    expect(() =>
      parse({ tag1Key: 'Owner' }, { tagPolicy: { required: [{ key: 'Owner', values: 'a' }] } }),
    ).toThrow(
      'Invalid rule parameter tagPolicy.required[0]="Owner": Owner is already required by tag1Key; require each key once',
    );
  });

  it('rejects a policy that is not an object', () => {
    expect(() => parse({}, { tagPolicy: ['Owner'] })).toThrow(
      'Invalid rule parameter tagPolicy=["Owner"]: Invalid input: expected object, received array',
    );
  });

  it('keeps the default rule’s scope check when the policy narrows it', () => {
    const params = parse({}, { tagPolicy: { resourceTypes: ['AWS::S3::Bucket'] } });
    expect(requiredTagsRule.evaluate(item({}), params, CONTEXT)).toEqual({
      compliance: 'NOT_APPLICABLE',
      reasons: [{ code: 'out-of-scope', message: 'AWS::EC2::Instance is not in tagPolicy.resourceTypes' }],
    });
  });
});

describe('resource types', () => {
  it('cover every type the managed rule supports, plus Lambda functions and the other tagged types', () => {
    expect(DEFAULT_RESOURCE_TYPES).toEqual(expect.arrayContaining([...MANAGED_RULE_RESOURCE_TYPES]));
    expect(DEFAULT_RESOURCE_TYPES).toEqual(
      expect.arrayContaining([
        'AWS::EC2::Instance',
        'AWS::EC2::Volume',
        'AWS::EC2::SecurityGroup',
        'AWS::EC2::VPC',
        'AWS::EC2::Subnet',
        'AWS::S3::Bucket',
        'AWS::RDS::DBInstance',
        'AWS::ElasticLoadBalancing::LoadBalancer',
        'AWS::ElasticLoadBalancingV2::LoadBalancer',
        'AWS::Lambda::Function',
        'AWS::DynamoDB::Table',
      ]),
    );
    expect(new Set(DEFAULT_RESOURCE_TYPES).size).toBe(DEFAULT_RESOURCE_TYPES.length);
    expect(DEFAULT_RESOURCE_TYPES.length).toBeLessThanOrEqual(100);
    expect(requiredTagsRule.resourceTypes).toBe(DEFAULT_RESOURCE_TYPES);
  });

  it('follow tagPolicy.resourceTypes for the Config rule scope, narrower or wider', () => {
    expect(requiredTagsResourceTypes({})).toBe(DEFAULT_RESOURCE_TYPES);
    expect(requiredTagsResourceTypes({ tagPolicy: null })).toBe(DEFAULT_RESOURCE_TYPES);
    expect(
      requiredTagsResourceTypes({ tagPolicy: { resourceTypes: ['AWS::SQS::Queue', 'AWS::S3::Bucket'] } }),
    ).toEqual(['AWS::SQS::Queue', 'AWS::S3::Bucket']);
    expect(requiredTagsRuleFor({ tagPolicy: { resourceTypes: ['AWS::SQS::Queue'] } }).resourceTypes).toEqual([
      'AWS::SQS::Queue',
    ]);
  });

  it('report a malformed resourceTypes when building the rule', () => {
    expect(() => requiredTagsRuleFor({ tagPolicy: { resourceTypes: 'AWS::S3::Bucket' } })).toThrow(
      'Invalid rule parameter tagPolicy.resourceTypes="AWS::S3::Bucket": Invalid input: expected array, received string',
    );
    expect(() => requiredTagsRuleFor({ tagPolicy: { resourceTypes: [3] } })).toThrow(
      'Invalid rule parameter tagPolicy.resourceTypes[0]=3: Invalid input: expected string, received number',
    );
  });

  it('validate with the same function the rule uses', () => {
    expect(parseRequiredTagsParameters({}, {}, ['AWS::S3::Bucket']).resourceTypes).toEqual([
      'AWS::S3::Bucket',
    ]);
  });
});
