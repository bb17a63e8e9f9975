import { describe, expect, it } from 'vitest';
import { userTags } from '../../shared/rules/required-tags/index.ts';
import { item, judge, verdict } from './helpers.ts';

const ENVIRONMENT_RULE = {
  tag1Key: 'CostCenter',
  tag2Key: 'Owner',
  tag3Key: 'Environment',
  tag3Value: 'prod, dev',
};

describe('required-tags verdicts (managed-rule parameters)', () => {
  it('names every missing key and every wrong value, in the documented annotation', () => {
    expect(judge(item({ Environment: 'prod1' }), ENVIRONMENT_RULE)).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: 'missing: CostCenter, Owner; Environment=prod1 not in [prod, dev]',
      reasons: [
        {
          code: 'missing-tag',
          message: 'missing: CostCenter, Owner',
          details: { keys: ['CostCenter', 'Owner'] },
        },
        {
          code: 'tag-value-not-allowed',
          message: 'Environment=prod1 not in [prod, dev]',
          details: { key: 'Environment', value: 'prod1', requiredBy: 'tag3Key', allowed: ['prod', 'dev'] },
        },
      ],
    });
  });

  it('is compliant when every required key is present with an allowed value', () => {
    expect(
      verdict(item({ CostCenter: '1234', Owner: 'team-a', Environment: 'dev' }), ENVIRONMENT_RULE),
    ).toEqual(['COMPLIANT', 'required tags present: CostCenter, Owner, Environment']);
  });

  it('ignores tags nobody requires', () => {
    const tags = { CostCenter: '1234', Owner: 'team-a', Environment: 'prod', Foo: 'Bar', Name: 'web-1' };
    expect(verdict(item(tags), ENVIRONMENT_RULE)[0]).toBe('COMPLIANT');
  });

  it('ignores spaces around the values of a value list, and a trailing comma', () => {
    const parameters = { tag1Key: 'Environment', tag1Value: '  prod ,dev ,  ' };
    expect(verdict(item({ Environment: 'prod' }), parameters)[0]).toBe('COMPLIANT');
    expect(verdict(item({ Environment: 'dev' }), parameters)[0]).toBe('COMPLIANT');
    expect(verdict(item({ Environment: 'test' }), parameters)).toEqual([
      'NON_COMPLIANT',
      'Environment=test not in [prod, dev]',
    ]);
  });

  it('compares tag values exactly: case and surrounding spaces on the resource count', () => {
    const parameters = { tag1Key: 'Environment', tag1Value: 'prod,dev' };
    expect(verdict(item({ Environment: 'Prod' }), parameters)).toEqual([
      'NON_COMPLIANT',
      'Environment=Prod not in [prod, dev]',
    ]);
    expect(verdict(item({ Environment: 'prod ' }), parameters)).toEqual([
      'NON_COMPLIANT',
      'Environment="prod " not in [prod, dev]',
    ]);
  });

  it('treats an empty tagNValue as "any value" and reads numeric values as written', () => {
    expect(verdict(item({ CostCenter: 'anything' }), { tag1Key: 'CostCenter', tag1Value: '' })[0]).toBe(
      'COMPLIANT',
    );
    expect(verdict(item({ CostCenter: '1234' }), { tag1Key: 'CostCenter', tag1Value: 1234 })[0]).toBe(
      'COMPLIANT',
    );
  });

  it('requires CostCenter, the managed rule’s default, when no key is named', () => {
    expect(verdict(item({ Foo: 'Bar' }), {})).toEqual(['NON_COMPLIANT', 'missing: CostCenter']);
    expect(verdict(item({ CostCenter: '1' }), { tag1Key: '', tag1Value: '' })[0]).toBe('COMPLIANT');
  });

  it('accepts gaps in the numbering, as the managed rule does', () => {
    expect(verdict(item({}), { tag2Key: 'Owner', tag5Key: 'Project', tag5Value: 'apollo' })).toEqual([
      'NON_COMPLIANT',
      'missing: Owner, Project',
    ]);
  });
});

describe('empty tag values', () => {
  // AWS's managed required-tags rule accepts a present key with an empty value when tagNValue is not
  // given: awslabs/aws-config-rules issue 333 ("required-tags rule not triggered when using Tag key=Name")
  // reports an EC2 instance with an empty Name value that the managed rule does not flag.
  it('accepts a present key with an empty value when tagNKey names no values, as the managed rule does', () => {
    expect(judge(item({ CostCenter: '', Owner: 'a' }), { tag1Key: 'CostCenter', tag2Key: 'Owner' })).toEqual({
      compliance: 'COMPLIANT',
      annotation: 'required tags present: CostCenter, Owner',
      reasons: [{ code: 'required-tags-present', message: 'required tags present: CostCenter, Owner' }],
    });
    // A tagNValue of only spaces names no values either.
    expect(verdict(item({ CostCenter: '' }), { tag1Key: 'CostCenter', tag1Value: '   ' })[0]).toBe(
      'COMPLIANT',
    );
  });

  it('still judges an empty value against tagNValue and against a pattern', () => {
    expect(verdict(item({ Environment: '' }), { tag1Key: 'Environment', tag1Value: 'prod,dev' })).toEqual([
      'NON_COMPLIANT',
      'Environment="" not in [prod, dev]',
    ]);
    const pattern = (expression: string) => ({
      tagPolicy: { required: [{ key: 'Project', pattern: expression }] },
    });
    expect(verdict(item({ Project: '' }), {}, pattern('[a-z]*'))[0]).toBe('COMPLIANT');
    expect(verdict(item({ Project: '' }), {}, pattern('[a-z]+'))).toEqual([
      'NON_COMPLIANT',
      'Project="" does not match /[a-z]+/',
    ]);
  });

  it('with tagPolicy.requireNonEmptyValues, an empty value satisfies no requirement', () => {
    const settings = {
      tagPolicy: { requireNonEmptyValues: true, required: [{ key: 'Team', pattern: '.*' }] },
    };
    expect(
      judge(
        item({ CostCenter: '', Owner: 'a', Team: '' }),
        { tag1Key: 'CostCenter', tag2Key: 'Owner' },
        settings,
      ),
    ).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: 'CostCenter is empty; Team is empty',
      reasons: [
        {
          code: 'empty-tag-value',
          message: 'CostCenter is empty',
          details: { key: 'CostCenter', value: '', requiredBy: 'tag1Key' },
        },
        {
          code: 'empty-tag-value',
          message: 'Team is empty',
          details: { key: 'Team', value: '', requiredBy: 'tagPolicy.required[0]' },
        },
      ],
    });
    expect(verdict(item({ CostCenter: ' ' }), { tag1Key: 'CostCenter' }, settings)).toEqual([
      'NON_COMPLIANT',
      'missing: Team',
    ]);
  });
});

describe('key case', () => {
  it('with the default keyCase exact, says which key is spelled with the wrong case instead of "missing"', () => {
    expect(judge(item({ costcenter: '1234' }), { tag1Key: 'CostCenter', tag2Key: 'Owner' })).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: 'missing: Owner; tag key costcenter should be CostCenter',
      reasons: [
        { code: 'missing-tag', message: 'missing: Owner', details: { keys: ['Owner'] } },
        {
          code: 'tag-key-case',
          message: 'tag key costcenter should be CostCenter',
          details: { key: 'costcenter', expected: 'CostCenter', requiredBy: 'tag1Key' },
        },
      ],
    });
  });

  it('with keyCase ignore, accepts any spelling and checks that tag’s value', () => {
    const settings = { tagPolicy: { keyCase: 'ignore' } };
    expect(verdict(item({ COSTCENTER: '1' }), { tag1Key: 'CostCenter' }, settings)[0]).toBe('COMPLIANT');
    expect(
      verdict(item({ environment: 'prod1' }), { tag1Key: 'Environment', tag1Value: 'prod' }, settings),
    ).toEqual(['NON_COMPLIANT', 'environment=prod1 not in [prod]']);
  });

  it('with keyCase ignore, is satisfied when any spelling carries an allowed value', () => {
    const settings = { tagPolicy: { keyCase: 'ignore' } };
    const tags = { environment: 'prod1', ENVIRONMENT: 'prod' };
    expect(verdict(item(tags), { tag1Key: 'Environment', tag1Value: 'prod' }, settings)[0]).toBe('COMPLIANT');
  });

  it('prefers the exact spelling when it exists', () => {
    const settings = { tagPolicy: { keyCase: 'ignore' } };
    const tags = { Environment: 'prod1', environment: 'prod' };
    expect(verdict(item(tags), { tag1Key: 'Environment', tag1Value: 'prod' }, settings)).toEqual([
      'NON_COMPLIANT',
      'Environment=prod1 not in [prod]',
    ]);
  });
});

describe('aws: tags', () => {
  // Required keys and the exemption key may not begin with aws: (parameters.test.ts) and keys are compared
  // whole, so no verdict can turn on an aws: tag: the filter is observable only in userTags.
  it('userTags drops them, whatever the key case, and keeps every other tag', () => {
    const tags = {
      'aws:cloudformation:stack-name': 'web',
      'AWS:Owner': 'x',
      'Aws:autoscaling:groupName': 'asg-1',
      Owner: 'team-a',
      'team:aws': 'kept',
    };
    expect(userTags(item(tags))).toEqual(
      new Map([
        ['Owner', 'team-a'],
        ['team:aws', 'kept'],
      ]),
    );
  });

  it('a key that only adds an aws: prefix to a required key does not satisfy it (keys compared whole)', () => {
    const tags = { 'aws:cloudformation:stack-name': 'web', 'AWS:Owner': 'x' };
    expect(verdict(item(tags), { tag1Key: 'Owner' }, { tagPolicy: { keyCase: 'ignore' } })).toEqual([
      'NON_COMPLIANT',
      'missing: Owner',
    ]);
  });
});

describe('tagPolicy', () => {
  const policy = {
    required: [
      'CostCenter',
      { key: 'Environment', values: ['prod', 'dev'] },
      { key: 'Owner', pattern: '[a-z.]+@example\\.com' },
    ],
    byResourceType: {
      'AWS::S3::Bucket': {
        required: [{ key: 'DataClassification', values: 'public, internal, confidential' }],
      },
      'AWS::EC2::Volume': { required: [{ key: 'Environment', values: ['prod', 'dev', 'scratch'] }] },
      'AWS::EC2::NetworkInterface': { inherit: false },
      'AWS::Lambda::Function': { inherit: false, required: ['Team'] },
    },
  };
  const good = { CostCenter: '1', Environment: 'prod', Owner: 'ana@example.com' };

  it('checks values against a pattern that must match the whole value', () => {
    expect(verdict(item(good), {}, { tagPolicy: policy })[0]).toBe('COMPLIANT');
    expect(verdict(item({ ...good, Owner: 'ana@example.com.evil.test' }), {}, { tagPolicy: policy })).toEqual(
      ['NON_COMPLIANT', 'Owner=ana@example.com.evil.test does not match /[a-z.]+@example\\.com/'],
    );
  });

  it('adds per-type requirements to the common ones', () => {
    const bucket = item(good, { resourceType: 'AWS::S3::Bucket', resourceId: 'amzn-s3-demo-bucket' });
    expect(verdict(bucket, {}, { tagPolicy: policy })).toEqual([
      'NON_COMPLIANT',
      'missing: DataClassification',
    ]);
    const classified = item(
      { ...good, DataClassification: 'secret' },
      { resourceType: 'AWS::S3::Bucket', resourceId: 'amzn-s3-demo-bucket' },
    );
    expect(verdict(classified, {}, { tagPolicy: policy })).toEqual([
      'NON_COMPLIANT',
      'DataClassification=secret not in [public, internal, confidential]',
    ]);
  });

  it('lets a type replace a common requirement of the same key', () => {
    const volume = (environment: string) =>
      item({ ...good, Environment: environment }, { resourceType: 'AWS::EC2::Volume', resourceId: 'vol-1' });
    expect(verdict(volume('scratch'), {}, { tagPolicy: policy })[0]).toBe('COMPLIANT');
    expect(verdict(item({ ...good, Environment: 'scratch' }), {}, { tagPolicy: policy })).toEqual([
      'NON_COMPLIANT',
      'Environment=scratch not in [prod, dev]',
    ]);
  });

  it('with inherit false, requires only the type’s own keys, or nothing (NOT_APPLICABLE)', () => {
    const fn = item({ Team: 'payments' }, { resourceType: 'AWS::Lambda::Function', resourceId: 'pay' });
    expect(verdict(fn, {}, { tagPolicy: policy })).toEqual(['COMPLIANT', 'required tags present: Team']);
    const eni = item({}, { resourceType: 'AWS::EC2::NetworkInterface', resourceId: 'eni-1' });
    expect(verdict(eni, {}, { tagPolicy: policy })).toEqual([
      'NOT_APPLICABLE',
      'no tag is required for this resource type',
    ]);
  });

  it('combines the managed parameters with the policy', () => {
    expect(verdict(item({}), { tag1Key: 'Project' }, { tagPolicy: { required: ['Owner'] } })).toEqual([
      'NON_COMPLIANT',
      'missing: Project, Owner',
    ]);
  });

  it('exempts a resource carrying the exemption tag', () => {
    const settings = {
      tagPolicy: { ...policy, exemptionTag: { key: 'plumbline:exempt', values: ['true'] } },
    };
    expect(judge(item({ 'plumbline:exempt': 'true' }), {}, settings)).toEqual({
      compliance: 'NOT_APPLICABLE',
      annotation: 'exempt by tag plumbline:exempt=true',
      reasons: [{ code: 'exempt', message: 'exempt by tag plumbline:exempt=true' }],
    });
    expect(verdict(item({ 'plumbline:exempt': 'false' }), {}, settings)[0]).toBe('NON_COMPLIANT');
  });

  it('exempts on any value when the exemption tag names only a key', () => {
    expect(verdict(item({ Exempt: 'ticket-42' }), {}, { tagPolicy: { exemptionTag: 'Exempt' } })).toEqual([
      'NOT_APPLICABLE',
      'exempt by tag Exempt=ticket-42',
    ]);
  });

  it('narrows the scope with resourceTypes: other types are NOT_APPLICABLE', () => {
    const settings = { tagPolicy: { resourceTypes: ['AWS::S3::Bucket'] } };
    expect(verdict(item({}), {}, settings)).toEqual([
      'NOT_APPLICABLE',
      'AWS::EC2::Instance is not evaluated by required-tags',
    ]);
  });

  it('widens the scope with resourceTypes when the rule is built from the settings', () => {
    const queue = item({}, { resourceType: 'AWS::SQS::Queue', resourceId: 'https://sqs/q' });
    expect(verdict(queue, {}, { tagPolicy: { resourceTypes: ['AWS::SQS::Queue'] } })).toEqual([
      'NON_COMPLIANT',
      'missing: CostCenter',
    ]);
    expect(verdict(queue, {})).toEqual([
      'NOT_APPLICABLE',
      'AWS::SQS::Queue is not evaluated by required-tags',
    ]);
  });
});

describe('scope and status', () => {
  it('is NOT_APPLICABLE for a deleted resource, without reading its tags', () => {
    expect(
      verdict(item({}, { configurationItemStatus: 'ResourceDeleted', configuration: null }), {}),
    ).toEqual(['NOT_APPLICABLE', 'resource status is ResourceDeleted']);
  });

  it('quotes keys and values that would read ambiguously', () => {
    expect(verdict(item({ 'a=b': 'x;y' }), { tag1Key: 'a=b', tag1Value: 'z' })).toEqual([
      'NON_COMPLIANT',
      '"a=b"="x;y" not in [z]',
    ]);
  });

  it('keeps a long annotation within 256 characters, cut at a reason boundary', () => {
    const keys = Array.from({ length: 6 }, (_, index) => `RequiredTagNumber${index}WithAVeryLongName`);
    const parameters = Object.fromEntries(keys.map((key, index) => [`tag${index + 1}Key`, key]));
    const tags = Object.fromEntries(keys.map((key) => [key.toLowerCase(), 'x']));
    const { annotation, reasons } = judge(item(tags), parameters);
    expect(reasons).toHaveLength(6);
    expect(Array.from(annotation).length).toBeLessThanOrEqual(256);
    expect(annotation).toMatch(
      /^tag key requiredtagnumber0withaverylongname should be RequiredTagNumber0WithAVeryLongName; /,
    );
    expect(annotation).toMatch(/ …\(truncated\)$/);
  });
});
