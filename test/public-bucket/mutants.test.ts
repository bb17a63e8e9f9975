/**
 * Cases that mutation testing showed unguarded: each flips the verdict a user sees when the code is changed
 * the way a mutant changes it (issue 14, "Tests that catch what matters").
 */
import { describe, expect, it } from 'vitest';
import { evaluateItem } from '../../shared/core/evaluate.ts';
import { normaliseConfigurationItem } from '../../shared/core/normalise.ts';
import { parsePolicy, publicStatements } from '../../shared/rules/public-bucket/policy.ts';
import { publicBucketRule } from '../../shared/rules/public-bucket/rule.ts';
import { ACCOUNT, BUCKET, eventItem } from '../fixtures/public-bucket/items.ts';

type Json = Record<string, unknown>;

const OBJECTS = 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/*';
const BUCKET_AND_OBJECTS = ['arn:aws:s3:::DOC-EXAMPLE-BUCKET', OBJECTS];

/** Public read of the objects, as in the S3 User Guide's "Granting read-only permission to a public anonymous user". */
const PUBLIC_READ = {
  Sid: 'PublicRead',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: OBJECTS,
};
const PUBLIC_READ_FINDING = 'policy statement "PublicRead" (#1) allows s3:GetObject to *';

/** The messages of the statements that make the policy public. */
function publicFindings(...statements: Json[]): string[] {
  const parsed = parsePolicy({ Version: '2012-10-17', Statement: statements });
  if (!parsed.ok) throw new Error(parsed.error);
  return publicStatements(parsed.statements).map((statement) => statement.message);
}

const denyAll = (overrides: Json): Json => ({
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: BUCKET_AND_OBJECTS,
  ...overrides,
});

describe('a Deny takes a public grant back only when it covers it', () => {
  it('a Deny with two condition entries (fixed VPC endpoint exempt, and only plain HTTP) leaves HTTPS from anywhere public', () => {
    const vpceOnly = { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } };
    expect(publicFindings(PUBLIC_READ, denyAll({ Condition: vpceOnly }))).toEqual([]);
    expect(
      publicFindings(
        PUBLIC_READ,
        denyAll({ Condition: { ...vpceOnly, Bool: { 'aws:SecureTransport': 'false' } } }),
      ),
    ).toEqual([PUBLIC_READ_FINDING]);
  });

  it('two exempting entries under one operator still take the grant back; one loose entry beside them does not', () => {
    const fixed = { 'aws:SourceVpce': 'vpce-1a2b3c4d', 'aws:PrincipalAccount': '111122223333' };
    expect(publicFindings(PUBLIC_READ, denyAll({ Condition: { StringNotEquals: fixed } }))).toEqual([]);
    expect(
      publicFindings(
        PUBLIC_READ,
        denyAll({ Condition: { StringNotEquals: { ...fixed, 'aws:Referer': 'https://www.example.com/' } } }),
      ),
    ).toEqual([PUBLIC_READ_FINDING]);
  });

  it.each([
    ['a key AWS does not list', { StringNotEquals: { 'aws:Referer': 'https://www.example.com/' } }],
    [
      'a set operator (ForAnyValue matches no request without the key)',
      { 'ForAnyValue:StringNotEquals': { 'aws:PrincipalServiceNamesList': 'cloudtrail.amazonaws.com' } },
    ],
    ['a positive operator', { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }],
    ['an exemption listing no value', { StringNotEquals: { 'aws:SourceVpce': [] } }],
  ])('a Deny exempting through %s leaves the grant public', (_, condition) => {
    expect(publicFindings(PUBLIC_READ, denyAll({ Condition: condition }))).toEqual([PUBLIC_READ_FINDING]);
  });

  it.each([
    ['NotPrincipal "*" (it denies no one)', '*'],
    ['NotPrincipal AWS "*"', { AWS: '*' }],
    ['NotPrincipal with a wildcard ARN', { AWS: 'arn:aws:iam::*:root' }],
    ['NotPrincipal exempting a web identity provider', { Federated: 'graph.facebook.com' }],
    ['NotPrincipal exempting a fixed account and everyone', { AWS: ['arn:aws:iam::111122223333:root', '*'] }],
  ])('a Deny with %s leaves the grant public', (_, notPrincipal) => {
    expect(
      publicFindings(PUBLIC_READ, denyAll({ Principal: undefined, NotPrincipal: notPrincipal })),
    ).toEqual([PUBLIC_READ_FINDING]);
  });

  it('a Deny of everyone except one fixed account takes the grant back', () => {
    expect(
      publicFindings(
        PUBLIC_READ,
        denyAll({ Principal: undefined, NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' } }),
      ),
    ).toEqual([]);
  });

  it('a Deny naming no principal at all takes nothing back', () => {
    expect(publicFindings(PUBLIC_READ, denyAll({ Principal: undefined }))).toEqual([PUBLIC_READ_FINDING]);
  });

  it('an Allow with NotResource stays public beside a Deny on narrower resources, not beside a Deny on "*"', () => {
    const everythingButPrivate = {
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      NotResource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/private/*',
    };
    const finding = 'policy statement #1 allows s3:GetObject to *';
    expect(
      publicFindings(everythingButPrivate, denyAll({ Resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/public/*' })),
    ).toEqual([finding]);
    expect(publicFindings(everythingButPrivate, denyAll({ Resource: BUCKET_AND_OBJECTS }))).toEqual([
      finding,
    ]);
    expect(publicFindings(everythingButPrivate, denyAll({ Resource: '*' }))).toEqual([]);
  });

  it('Deny resources compare case-sensitively (ARNs are), actions case-insensitively', () => {
    expect(publicFindings(PUBLIC_READ, denyAll({ Resource: 'arn:aws:s3:::doc-example-bucket/*' }))).toEqual([
      PUBLIC_READ_FINDING,
    ]);
    const oneObject = { ...PUBLIC_READ, Resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/index.html' };
    const oneObjectFinding = PUBLIC_READ_FINDING;
    expect(publicFindings(oneObject, denyAll({ Resource: 'arn:aws:s3:::doc-example-bucket/*' }))).toEqual([
      oneObjectFinding,
    ]);
    expect(publicFindings(oneObject, denyAll({ Resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/*' }))).toEqual([]);
    expect(publicFindings(PUBLIC_READ, denyAll({ Action: 'S3:GETOBJECT' }))).toEqual([]);
  });

  it.each([
    ['IPv4 /7 is broader than /8', '10.0.0.0/7', [PUBLIC_READ_FINDING]],
    ['IPv4 /8 is fixed', '10.0.0.0/8', []],
    ['IPv6 /31 is broader than /32', '2001:db8::/31', [PUBLIC_READ_FINDING]],
    ['IPv6 /32 is fixed', '2001:db8::/32', []],
  ])('a Deny exempting aws:SourceIp %s', (_, range, expected) => {
    const condition = { NotIpAddress: { 'aws:SourceIp': range } };
    expect(publicFindings(PUBLIC_READ, denyAll({ Condition: condition }))).toEqual(expected);
  });
});

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The public-read finding with a note on this aws:SourceIp value. */
const sourceIpNote = (range: string) =>
  new RegExp(`^${literal(PUBLIC_READ_FINDING)} \\(aws:SourceIp "?${literal(range)}"? .*\\)$`);

describe('conditions on an Allow', () => {
  const withCondition = (condition: Json) => publicFindings({ ...PUBLIC_READ, Condition: condition });

  it.each([
    ['IPv4 /7', '10.0.0.0/7', true],
    ['IPv4 /8', '10.0.0.0/8', false],
    ['IPv6 /31', '2001:db8::/31', true],
    ['IPv6 /32', '2001:db8::/32', false],
  ])('aws:SourceIp %s: public %s', (_, range, isPublic) => {
    const found = withCondition({ IpAddress: { 'aws:SourceIp': range } });
    // The note's wording is the CIDR parser's; the verdict and the range it names are what count here.
    expect(found).toEqual(isPublic ? [expect.stringMatching(sourceIpNote(range))] : []);
  });

  it.each([
    ['a second slash', '10.0.0.0/8/8'],
    ['a wildcard', '10.0.*.0/24'],
    ['an octet above 255', '10.0.0.256/24'],
    ['three octets', '10.0.0/24'],
    ['a prefix above 32', '10.0.0.0/33'],
    ['a negative prefix', '10.0.0.0/-8'],
    ['a prefix that is not a number', '10.0.0.0/eight'],
    ['an IPv6 prefix above 128', '2001:db8::/129'],
    ['two IPv6 "::"', '2001::db8::/64'],
    ['nine IPv6 groups', '1:2:3:4:5:6:7:8:9/64'],
    ['an IPv6 group of five digits', '2001:db8:12345::/64'],
    ['a host name', 'example.com'],
  ])('aws:SourceIp that is no CIDR block (%s) does not limit the statement', (_, range) => {
    expect(withCondition({ IpAddress: { 'aws:SourceIp': range } })).toEqual([
      expect.stringMatching(sourceIpNote(range)),
    ]);
  });

  it.each([
    ['an address ending in .255', '203.0.113.255'],
    ['an IPv6 address written in all eight groups', '2001:db8:0:0:0:0:0:1/64'],
    ['an IPv6 address without a prefix length (one host)', '2001:db8::1'],
    ['an IPv4 address with prefix /32', '203.0.113.7/32'],
  ])('aws:SourceIp %s limits the statement', (_, range) => {
    expect(withCondition({ IpAddress: { 'aws:SourceIp': range } })).toEqual([]);
  });

  it('a numeric condition value (IAM accepts numbers) is a fixed value', () => {
    expect(withCondition({ StringEquals: { 'aws:SourceAccount': 111122223333 } })).toEqual([]);
  });

  it('a condition listing no value does not limit the statement, and says so', () => {
    expect(withCondition({ StringEquals: { 'aws:SourceVpce': [] } })).toEqual([
      `${PUBLIC_READ_FINDING} (aws:SourceVpce has no value)`,
    ]);
  });

  it.each([
    [
      'an access point name with a wildcard and a fixed account',
      'arn:aws:s3:us-west-2:123456789012:accesspoint/reports-*',
      [],
    ],
    [
      'a wildcard region',
      'arn:aws:s3:*:123456789012:accesspoint/reports',
      [
        `${PUBLIC_READ_FINDING} (s3:DataAccessPointArn "arn:aws:s3:*:123456789012:accesspoint/reports" is not a fixed value)`,
      ],
    ],
    [
      'a wildcard partition',
      'arn:*:s3:us-west-2:123456789012:accesspoint/reports',
      [
        `${PUBLIC_READ_FINDING} (s3:DataAccessPointArn "arn:*:s3:us-west-2:123456789012:accesspoint/reports" is not a fixed value)`,
      ],
    ],
    [
      'an account of 13 digits',
      'arn:aws:s3:us-west-2:1234567890123:accesspoint/*',
      [
        `${PUBLIC_READ_FINDING} (s3:DataAccessPointArn "arn:aws:s3:us-west-2:1234567890123:accesspoint/*" is not a fixed value)`,
      ],
    ],
    [
      'a value that is no access point ARN, without a wildcard',
      'arn:aws:s3:us-west-2:123456789012:bucket',
      [],
    ],
  ])('s3:DataAccessPointArn: %s', (_, arn, expected) => {
    expect(withCondition({ ArnLike: { 's3:DataAccessPointArn': arn } })).toEqual(expected);
  });

  it('the access-point exception is only for s3:DataAccessPointArn: aws:SourceArn with a wildcard is not fixed', () => {
    const arn = 'arn:aws:s3:us-west-2:123456789012:accesspoint/*';
    expect(withCondition({ ArnLike: { 'aws:SourceArn': arn } })).toEqual([
      `${PUBLIC_READ_FINDING} (aws:SourceArn "${arn}" is not a fixed value)`,
    ]);
  });
});

describe('NotAction and publicAccess', () => {
  const params = (publicAccess: string) => publicBucketRule.parseParameters({ publicAccess }, {});

  function evaluate(statement: Json, publicAccess: string) {
    const item = eventItem({ policy: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }) });
    const { compliance, annotation } = evaluateItem(
      publicBucketRule,
      params(publicAccess),
      normaliseConfigurationItem(item),
      { accountId: ACCOUNT, region: 'us-east-1', account: { publicAccessBlock: null } },
    );
    return { compliance, annotation };
  }

  const allowAllExcept = (notAction: string | string[]) => ({
    Effect: 'Allow',
    Principal: '*',
    NotAction: notAction,
    Resource: `arn:aws:s3:::${BUCKET}/*`,
  });

  it('NotAction s3:Get* still grants s3:List* (read) and everything else (write): NON_COMPLIANT for publicAccess=read', () => {
    expect(evaluate(allowAllExcept('s3:Get*'), 'read')).toEqual({
      compliance: 'NON_COMPLIANT',
      annotation: 'policy statement #1 allows all actions except s3:Get* to *',
    });
    expect(evaluate(allowAllExcept('s3:List*'), 'read').compliance).toBe('NON_COMPLIANT');
  });

  it('NotAction s3:Get* and s3:List* grants no read: COMPLIANT for publicAccess=read, NON_COMPLIANT for write', () => {
    const writeOnly = allowAllExcept(['s3:Get*', 's3:List*']);
    expect(evaluate(writeOnly, 'read')).toEqual({
      compliance: 'COMPLIANT',
      annotation:
        'policy statement #1 allows all actions except s3:Get*, s3:List* to * (not counted: publicAccess=read)',
    });
    expect(evaluate(writeOnly, 'write').compliance).toBe('NON_COMPLIANT');
  });
});

describe('principals, actions and labels', () => {
  const grant = (overrides: Json): Json => ({
    Effect: 'Allow',
    Action: 's3:GetObject',
    Resource: OBJECTS,
    ...overrides,
  });

  it('a Principal written as one ARN string is that account, not everyone', () => {
    expect(publicFindings(grant({ Principal: 'arn:aws:iam::111122223333:root' }))).toEqual([]);
  });

  it('an Allow with NotPrincipal AWS "*" grants no one', () => {
    expect(publicFindings(grant({ NotPrincipal: { AWS: '*' } }))).toEqual([]);
  });

  it('a Deny of one public principal leaves the other public principals of the grant', () => {
    const two = grant({ Principal: { AWS: 'arn:aws:iam::*:root', Federated: 'graph.facebook.com' } });
    expect(publicFindings(two, denyAll({ Principal: { Federated: 'graph.facebook.com' } }))).toEqual([
      'policy statement #1 allows s3:GetObject to AWS arn:aws:iam::*:root and Federated graph.facebook.com',
    ]);
    expect(
      publicFindings(
        two,
        denyAll({ Principal: { AWS: 'arn:aws:iam::*:root', Federated: 'graph.facebook.com' } }),
      ),
    ).toEqual([]);
  });

  it('a Deny naming principals does not cover an Allow with NotPrincipal (everyone else)', () => {
    const everyoneElse = grant({ NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' } });
    expect(publicFindings(everyoneElse, denyAll({ Principal: { Federated: 'graph.facebook.com' } }))).toEqual(
      ['policy statement #1 allows s3:GetObject to everyone except AWS arn:aws:iam::111122223333:root'],
    );
  });

  it('an Allow with NotAction is taken back by a Deny of s3:*, not by a Deny of one action', () => {
    const allButDelete = grant({ Principal: '*', Action: undefined, NotAction: 's3:DeleteObject' });
    expect(publicFindings(allButDelete, denyAll({ Resource: '*' }))).toEqual([]);
    expect(publicFindings(allButDelete, denyAll({ Action: 's3:GetObject', Resource: '*' }))).toEqual([
      'policy statement #1 allows all actions except s3:DeleteObject to *',
    ]);
  });

  it('actions of other services in a grant need no Deny: a Deny of s3:* takes the grant back', () => {
    const mixed = grant({ Principal: '*', Action: ['s3:GetObject', 'sqs:SendMessage'] });
    expect(publicFindings(mixed, denyAll({}))).toEqual([]);
  });

  it('lists exactly four actions without "and 0 more"', () => {
    const four = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket'];
    expect(publicFindings(grant({ Principal: '*', Action: four }))).toEqual([
      'policy statement #1 allows s3:GetObject, s3:PutObject, s3:DeleteObject, s3:ListBucket to *',
    ]);
  });

  it('a blank Sid is no Sid: the statement is named by its number', () => {
    expect(publicFindings(grant({ Sid: '  ', Principal: '*' }))).toEqual([
      'policy statement #1 allows s3:GetObject to *',
    ]);
  });
});
