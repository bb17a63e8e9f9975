import { describe, expect, it } from 'vitest';
import { parsePolicy, publicStatements, type Statement } from '../../shared/rules/public-bucket/policy.ts';
import { policyText } from '../fixtures/public-bucket/items.ts';

function statementsOf(policy: unknown): Statement[] {
  const parsed = parsePolicy(policy);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.statements;
}

/** The messages of the public statements of a policy. */
function findings(policy: unknown): string[] {
  return publicStatements(statementsOf(policy)).map((statement) => statement.message);
}

function accessOf(policy: unknown): string[][] {
  return publicStatements(statementsOf(policy)).map((statement) => statement.access);
}

const allow = (statement: Record<string, unknown>) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/*', ...statement }],
});

// biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a JavaScript template
const POLICY_VARIABLE = '${aws:PrincipalAccount}';

const PUBLIC_READ = {
  Sid: 'PublicRead',
  Effect: 'Allow',
  Principal: '*',
  Action: ['s3:GetObject', 's3:GetObjectVersion'],
  Resource: ['arn:aws:s3:::DOC-EXAMPLE-BUCKET/*'],
};
const PUBLIC_READ_FINDING =
  'policy statement "PublicRead" (#1) allows s3:GetObject, s3:GetObjectVersion to *';

describe('policies from AWS documentation', () => {
  it.each([
    ['public-read', [PUBLIC_READ_FINDING]],
    ['website', ['policy statement "PublicReadGetObject" (#1) allows s3:GetObject to *']],
    [
      'http-referer',
      [
        'policy statement "Allow get requests originating from www.example.com and example.com." (#1) allows s3:GetObject, s3:GetObjectVersion to *',
      ],
    ],
    ['require-mfa', ['policy statement #2 allows s3:GetObject to *']],
    ['meaning-federated', ['policy statement #1 allows s3:PutObject to Federated graph.facebook.com']],
    ['meaning-anyone-put', ['policy statement #1 allows s3:PutObject to *']],
    [
      'meaning-vpc-wildcard',
      ['policy statement #1 allows s3:PutObject to * (aws:SourceVpc "vpc-*" is not a fixed value)'],
    ],
    ['meaning-vpc-fixed', []],
    ['multiple-accounts-canned-acl', []],
    ['ip-deny', []],
    ['ip-allow-mix', []],
    ['cloudfront-oai', []],
    ['cloudfront-oac', []],
    ['cross-account-full-control', []],
    ['inventory-analytics', []],
    ['elb-access-logs-account', []],
    ['elb-access-logs-service', []],
    ['config-delivery', []],
    ['vpce-only', []],
    ['vpc-only', []],
    ['principal-org-id', []],
  ])('%s', (name, expected) => {
    expect(findings(policyText(name))).toEqual(expected);
  });

  it('tells read from write', () => {
    expect(accessOf(policyText('public-read'))).toEqual([['read']]);
    expect(accessOf(policyText('meaning-anyone-put'))).toEqual([['write']]);
  });
});

describe('principals', () => {
  it.each([
    ['"*"', '*', '*'],
    ['{"AWS": "*"}', { AWS: '*' }, '*'],
    ['{"AWS": [account, "*"]}', { AWS: ['arn:aws:iam::111122223333:root', '*'] }, '*'],
    ['{"CanonicalUser": "*"}', { CanonicalUser: '*' }, '*'],
    ['a wildcard ARN', { AWS: 'arn:aws:iam::*:root' }, 'AWS arn:aws:iam::*:root'],
    [
      'a web identity provider',
      { Federated: 'cognito-identity.amazonaws.com' },
      'Federated cognito-identity.amazonaws.com',
    ],
    ['a wildcard service', { Service: '*.amazonaws.com' }, 'Service *.amazonaws.com'],
  ])('%s is public', (_, principal, described) => {
    expect(findings(allow({ Principal: principal, Action: 's3:GetObject' }))).toEqual([
      `policy statement #1 allows s3:GetObject to ${described}`,
    ]);
  });

  it.each([
    ['an account id', { AWS: '111122223333' }],
    ['an account root', { AWS: 'arn:aws:iam::111122223333:root' }],
    ['a role', { AWS: ['arn:aws:iam::111122223333:role/reader'] }],
    ['a service', { Service: ['cloudtrail.amazonaws.com', 'config.amazonaws.com'] }],
    ['a SAML provider', { Federated: 'arn:aws:iam::111122223333:saml-provider/corporate' }],
    [
      'a canonical user',
      { CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be' },
    ],
  ])('%s is not public', (_, principal) => {
    expect(findings(allow({ Principal: principal, Action: 's3:GetObject' }))).toEqual([]);
  });

  it('Allow with NotPrincipal grants everyone but the listed principals', () => {
    expect(
      findings(allow({ NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 's3:GetObject' })),
    ).toEqual([
      'policy statement #1 allows s3:GetObject to everyone except AWS arn:aws:iam::111122223333:root',
    ]);
    expect(findings(allow({ NotPrincipal: '*', Action: 's3:GetObject' }))).toEqual([]);
  });

  it('a statement without Principal grants nothing', () => {
    expect(findings(allow({ Action: 's3:GetObject' }))).toEqual([]);
  });
});

describe('actions', () => {
  it.each([
    ['s3:GetObject', ['read']],
    ['s3:ListBucket', ['read']],
    ['s3:Get*', ['read']],
    ['S3:LIST*', ['read']],
    ['s3:PutObject', ['write']],
    ['s3:DeleteObject', ['write']],
    ['s3:AbortMultipartUpload', ['write']],
    ['s3:RestoreObject', ['write']],
    ['s3:Put*', ['write']],
    ['s3:*Object', ['read', 'write']],
    ['s3:*', ['read', 'write']],
    ['*', ['read', 'write']],
    ['s3:G*', ['read', 'write']],
  ])('%s grants %j', (action, access) => {
    expect(accessOf(allow({ Principal: '*', Action: action }))).toEqual([access]);
  });

  it('actions of other services grant nothing on a bucket', () => {
    expect(findings(allow({ Principal: '*', Action: ['sqs:SendMessage', 'kms:*'] }))).toEqual([]);
  });

  it('NotAction grants everything else', () => {
    const policy = allow({ Principal: '*', NotAction: ['s3:Get*', 's3:List*'] });
    expect(findings(policy)).toEqual([
      'policy statement #1 allows all actions except s3:Get*, s3:List* to *',
    ]);
    expect(accessOf(policy)).toEqual([['write']]);
    expect(accessOf(allow({ Principal: '*', NotAction: 's3:DeleteObject' }))).toEqual([['read', 'write']]);
    expect(findings(allow({ Principal: '*', NotAction: 's3:*' }))).toEqual([]);
  });

  it('lists at most four actions', () => {
    const actions = [
      's3:GetObject',
      's3:PutObject',
      's3:DeleteObject',
      's3:ListBucket',
      's3:GetObjectAcl',
      's3:PutObjectAcl',
    ];
    expect(findings(allow({ Principal: '*', Action: actions }))).toEqual([
      'policy statement #1 allows s3:GetObject, s3:PutObject, s3:DeleteObject, s3:ListBucket and 2 more to *',
    ]);
  });
});

describe('conditions', () => {
  const publicWith = (condition: Record<string, unknown>) =>
    findings(allow({ Sid: 'S', Principal: '*', Action: 's3:GetObject', Condition: condition }));
  const PUBLIC = 'policy statement "S" (#1) allows s3:GetObject to *';

  it.each([
    ['StringEquals aws:SourceVpce', { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }],
    ['StringLike without a wildcard', { StringLike: { 'aws:SourceVpc': 'vpc-111bbb22' } }],
    ['case-insensitive keys', { StringEquals: { 'AWS:SOURCEACCOUNT': '111122223333' } }],
    [
      'ArnEquals aws:SourceArn',
      { ArnEquals: { 'aws:SourceArn': 'arn:aws:cloudtrail:us-east-1:111122223333:trail/t' } },
    ],
    ['aws:PrincipalArn', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/reader' } }],
    ['aws:PrincipalAccount', { StringEquals: { 'aws:PrincipalAccount': ['111122223333', '444455556666'] } }],
    ['aws:SourceOwner', { StringEquals: { 'aws:SourceOwner': '111122223333' } }],
    ['aws:userid', { StringEquals: { 'aws:userid': 'AIDAEXAMPLEUSERID' } }],
    [
      'the KMS key id',
      {
        StringEquals: {
          's3:x-amz-server-side-encryption-aws-kms-key-id':
            'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        },
      },
    ],
    [
      'an access point wildcard with a fixed account',
      { ArnLike: { 's3:DataAccessPointArn': 'arn:aws:s3:us-west-2:123456789012:accesspoint/*' } },
    ],
    ['s3:DataAccessPointAccount', { StringEquals: { 's3:DataAccessPointAccount': '123456789012' } }],
    ['aws:SourceIp 10.0.0.0/8 (exactly /8)', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }],
    ['aws:SourceIp 2001:db8::/32 (exactly /32)', { IpAddress: { 'aws:SourceIp': '2001:DB8::/32' } }],
    ['aws:SourceIp as bare addresses', { IpAddress: { 'aws:SourceIp': ['203.0.113.5', '2001:db8::5'] } }],
    [
      'ForAnyValue on a multivalued key',
      { 'ForAnyValue:StringEquals': { 'aws:PrincipalServiceNamesList': 'cloudtrail.amazonaws.com' } },
    ],
    ['an IPv4 /8', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }],
    ['a single IPv4 address', { IpAddress: { 'aws:SourceIp': '203.0.113.7' } }],
    ['an IPv6 /32', { IpAddress: { 'aws:SourceIp': '2001:db8::/32' } }],
    [
      'one restricting entry among others',
      { Bool: { 'aws:SecureTransport': 'true' }, StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
    ],
  ])('%s makes the statement non-public', (_, condition) => {
    expect(publicWith(condition)).toEqual([]);
  });

  it.each([
    [
      'a wildcard',
      { StringLike: { 'aws:SourceVpce': 'vpce-*' } },
      'aws:SourceVpce "vpce-*" is not a fixed value',
    ],
    [
      'a policy variable',
      { StringEquals: { 'aws:SourceAccount': POLICY_VARIABLE } },
      `aws:SourceAccount "${POLICY_VARIABLE}" uses a policy variable`,
    ],
    [
      'one wildcard among fixed values',
      { StringEquals: { 'aws:SourceVpc': ['vpc-111bbb22', 'vpc-*'] } },
      'aws:SourceVpc "vpc-*" is not a fixed value',
    ],
    [
      'IfExists',
      { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
      'StringEqualsIfExists also matches requests without aws:SourceVpce',
    ],
    [
      'ForAllValues',
      { 'ForAllValues:StringEquals': { 'aws:PrincipalServiceNamesList': 'cloudtrail.amazonaws.com' } },
      'ForAllValues:StringEquals also matches requests without aws:PrincipalServiceNamesList',
    ],
    [
      'a negated operator',
      { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
      'StringNotEquals on aws:SourceVpce does not limit access to fixed values',
    ],
    [
      'NotIpAddress',
      { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      'NotIpAddress on aws:SourceIp does not limit access to fixed values',
    ],
    [
      'an IPv4 range broader than /8',
      { IpAddress: { 'aws:SourceIp': '0.0.0.0/1' } },
      'aws:SourceIp 0.0.0.0/1 is broader than /8',
    ],
    [
      'an IPv6 range broader than /32',
      { IpAddress: { 'aws:SourceIp': '2001:db8::/16' } },
      'aws:SourceIp 2001:db8::/16 is broader than /32',
    ],
    [
      'an IPv4 range one bit broader than /8',
      { IpAddress: { 'aws:SourceIp': '10.0.0.0/7' } },
      'aws:SourceIp 10.0.0.0/7 is broader than /8',
    ],
    [
      'an IPv6 range one bit broader than /32',
      { IpAddress: { 'aws:SourceIp': '2001:db8::/31' } },
      'aws:SourceIp 2001:db8::/31 is broader than /32',
    ],
    [
      'an IPv6 range with a zone id',
      { IpAddress: { 'aws:SourceIp': 'fe80::1%eth0/64' } },
      'aws:SourceIp "fe80::1%eth0/64" is not a CIDR block',
    ],
    [
      'a prefix beyond the family',
      { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } },
      'aws:SourceIp "10.0.0.0/33" is not a CIDR block',
    ],
    [
      'something that is not a CIDR',
      { IpAddress: { 'aws:SourceIp': '10.0.0.300/24' } },
      'aws:SourceIp "10.0.0.300/24" is not a CIDR block',
    ],
    [
      'aws:userid of any session of a role',
      { StringLike: { 'aws:userid': 'AROAEXAMPLEID:*' } },
      'aws:userid "AROAEXAMPLEID:*" is not a fixed value',
    ],
    [
      'an access point ARN with a wildcard account',
      { ArnLike: { 's3:DataAccessPointArn': 'arn:aws:s3:us-west-2:*:accesspoint/*' } },
      's3:DataAccessPointArn "arn:aws:s3:us-west-2:*:accesspoint/*" is not a fixed value',
    ],
  ])('%s leaves it public, saying why', (_, condition, note) => {
    expect(publicWith(condition)).toEqual([`${PUBLIC} (${note})`]);
  });

  it('keys AWS does not list leave it public without a note', () => {
    expect(publicWith({ StringEquals: { 'aws:Referer': 'https://example.com/' } })).toEqual([PUBLIC]);
    expect(publicWith({ Bool: { 'aws:SecureTransport': 'true' } })).toEqual([PUBLIC]);
  });
});

describe('Deny statements', () => {
  const withDeny = (deny: Record<string, unknown>) =>
    findings({ Version: '2012-10-17', Statement: [PUBLIC_READ, { Effect: 'Deny', ...deny }] });
  const everything = {
    Principal: '*',
    Action: 's3:*',
    Resource: ['arn:aws:s3:::DOC-EXAMPLE-BUCKET', 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/*'],
  };

  it('an unconditional Deny of the same principal, actions and resources takes the grant back', () => {
    expect(withDeny(everything)).toEqual([]);
    expect(
      withDeny({ Principal: { AWS: '*' }, Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: '*' }),
    ).toEqual([]);
  });

  it('a Deny that exempts only a fixed VPC endpoint limits the grant to it (the VPC endpoint example)', () => {
    const vpce = JSON.parse(policyText('vpce-only')) as { Statement: Record<string, unknown>[] };
    const combined = {
      Version: '2012-10-17',
      Statement: [{ ...PUBLIC_READ, Resource: 'arn:aws:s3:::awsexamplebucket1/*' }, ...vpce.Statement],
    };
    expect(findings(combined)).toEqual([]);
    expect(
      withDeny({ ...everything, Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } }),
    ).toEqual([]);
    expect(
      withDeny({ ...everything, Condition: { NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } }),
    ).toEqual([]);
  });

  it.each([
    ['a Deny on fewer actions', { ...everything, Action: 's3:GetObject' }],
    [
      'a Deny on other resources',
      { ...everything, Resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/taxdocuments/*' },
    ],
    ['a Deny of one account', { ...everything, Principal: { AWS: 'arn:aws:iam::111122223333:root' } }],
    ['a Deny of plain HTTP only', { ...everything, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
    [
      'a Deny exempting a wildcard VPC',
      { ...everything, Condition: { StringNotLike: { 'aws:SourceVpc': 'vpc-*' } } },
    ],
    [
      'a Deny exempting a broad range',
      { ...everything, Condition: { NotIpAddress: { 'aws:SourceIp': '0.0.0.0/1' } } },
    ],
    [
      'a Deny with NotResource',
      { Principal: '*', Action: 's3:*', NotResource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/private/*' },
    ],
  ])('%s does not', (_, deny) => {
    expect(withDeny(deny)).toEqual([PUBLIC_READ_FINDING]);
  });

  it('a Deny of everyone but fixed principals leaves the grant to those principals only', () => {
    expect(
      withDeny({
        ...everything,
        Principal: undefined,
        NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' },
      }),
    ).toEqual([]);
  });

  it('a Deny with NotAction covers the actions it does not exempt', () => {
    expect(withDeny({ ...everything, Action: undefined, NotAction: 's3:PutObject' })).toEqual([]);
    expect(withDeny({ ...everything, Action: undefined, NotAction: 's3:GetObject' })).toEqual([
      PUBLIC_READ_FINDING,
    ]);
  });
});

describe('parsing', () => {
  it('accepts a policy object (as CloudTrail carries it) and JSON text alike', () => {
    const text = policyText('public-read');
    expect(findings(JSON.parse(text))).toEqual(findings(text));
  });

  it.each([
    ['not JSON', '{"Version": ', /^not valid JSON \(/],
    ['no Statement', '{"Version":"2012-10-17"}', /^Statement: /],
    [
      'a statement without Effect',
      '{"Statement":[{"Principal":"*","Action":"s3:GetObject"}]}',
      /^Statement\[0\]\.Effect: /,
    ],
    [
      'a wrong Effect',
      '{"Statement":{"Effect":"Permit","Principal":"*","Action":"s3:GetObject"}}',
      /^Statement\[0\]\.Effect: /,
    ],
  ])('%s is an error naming the field', (_, text, error) => {
    const parsed = parsePolicy(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toMatch(error);
  });
});
