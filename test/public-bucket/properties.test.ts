import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PublicAccessBlockFlags } from '../../shared/core/model.ts';
import type { AclGrant } from '../../shared/rules/public-bucket/acl.ts';
import { analyseBucket, type BucketState, isEffective } from '../../shared/rules/public-bucket/analyse.ts';
import { parsePolicy, publicStatements, type Statement } from '../../shared/rules/public-bucket/policy.ts';

const RUNS = { numRuns: 200 };

type Json = Record<string, unknown>;

const ACTIONS = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:ListBucket',
  's3:PutObject',
  's3:DeleteObject',
  's3:Get*',
  's3:*',
];
const RESOURCES = ['arn:aws:s3:::example-bucket', 'arn:aws:s3:::example-bucket/*', '*'];
const PUBLIC_PRINCIPALS: unknown[] = [
  '*',
  { AWS: '*' },
  { AWS: ['arn:aws:iam::111122223333:root', '*'] },
  { CanonicalUser: '*' },
  { Federated: 'graph.facebook.com' },
];
/** Conditions that leave a statement public: keys AWS does not list, wildcards, IfExists, broad ranges. */
const LOOSE_CONDITIONS: Json[] = [
  { Bool: { 'aws:SecureTransport': 'true' } },
  { StringLike: { 'aws:Referer': 'https://www.example.com/*' } },
  { StringLike: { 'aws:SourceVpc': 'vpc-*' } },
  { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
  { IpAddress: { 'aws:SourceIp': '0.0.0.0/1' } },
  { 'ForAllValues:StringEquals': { 'aws:PrincipalServiceNamesList': 'cloudtrail.amazonaws.com' } },
];

const actions = fc.subarray(ACTIONS, { minLength: 1 });
const resources = fc.subarray(RESOURCES, { minLength: 1 });

const publicAllow = fc.record(
  {
    Sid: fc.stringMatching(/^[A-Za-z0-9]{1,12}$/),
    Effect: fc.constant('Allow'),
    Principal: fc.constantFrom(...PUBLIC_PRINCIPALS),
    Action: actions,
    Resource: resources,
    Condition: fc.constantFrom(...LOOSE_CONDITIONS),
  },
  { requiredKeys: ['Effect', 'Principal', 'Action', 'Resource'] },
);

/** Statements that never make a policy public: grants to fixed principals. */
const fixedAllow = fc.record({
  Effect: fc.constant('Allow'),
  Principal: fc.constantFrom(
    { AWS: 'arn:aws:iam::111122223333:root' },
    { Service: 'cloudfront.amazonaws.com' },
  ),
  Action: actions,
  Resource: resources,
});

const publicPolicy = fc
  .tuple(fc.array(publicAllow, { minLength: 1, maxLength: 3 }), fc.array(fixedAllow, { maxLength: 2 }))
  .chain(([open, fixed]) =>
    fc.shuffledSubarray([...open, ...fixed], { minLength: open.length + fixed.length }),
  );

const DENY_PRINCIPALS: unknown[] = [
  '*',
  { AWS: '*' },
  { AWS: 'arn:aws:iam::111122223333:root' },
  { Federated: 'graph.facebook.com' },
];
const DENY_CONDITIONS: (Json | undefined)[] = [
  undefined,
  { Bool: { 'aws:SecureTransport': 'false' } },
  { Null: { 'aws:MultiFactorAuthAge': 'true' } },
  { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
  { StringNotLike: { 'aws:SourceVpc': 'vpc-*' } },
];

const deny = fc.record(
  {
    Effect: fc.constant('Deny'),
    Principal: fc.constantFrom(...DENY_PRINCIPALS),
    Action: actions,
    Resource: resources,
    Condition: fc.constantFrom(...DENY_CONDITIONS),
  },
  { requiredKeys: ['Effect', 'Principal', 'Action', 'Resource'] },
);

function analyse(statements: readonly unknown[]) {
  const parsed = parsePolicy({ Version: '2012-10-17', Statement: statements });
  if (!parsed.ok) throw new Error(parsed.error);
  return publicStatements(parsed.statements);
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
const isEveryone = (principal: unknown) =>
  principal === '*' || JSON.stringify(principal) === JSON.stringify({ AWS: '*' });

/** An independent, deliberately simple reading of "a full Deny on the same principal, actions and resources". */
function denyCovers(denyStatement: Json, allow: Json): boolean {
  const principal =
    isEveryone(denyStatement.Principal) ||
    JSON.stringify(denyStatement.Principal) === JSON.stringify(allow.Principal);
  const denied = asList(denyStatement.Action);
  const action =
    denied.includes('s3:*') ||
    asList(allow.Action).every(
      (granted) =>
        denied.includes(granted) || (denied.includes('s3:Get*') && String(granted).startsWith('s3:Get')),
    );
  const deniedResources = asList(denyStatement.Resource);
  const resource =
    deniedResources.includes('*') ||
    asList(allow.Resource).every((granted) => deniedResources.includes(granted));
  return principal && action && resource;
}

describe('property: Deny statements', () => {
  it('adding a Deny never makes a public policy non-public unless it denies the same principals, actions and resources', () => {
    fc.assert(
      fc.property(publicPolicy, deny, (statements, denyStatement) => {
        expect(analyse(statements).length).toBeGreaterThan(0);
        const publicAllows = (statements as Json[]).filter((statement) =>
          PUBLIC_PRINCIPALS.includes(statement.Principal),
        );
        const after = analyse([...statements, denyStatement]);
        const uncovered = publicAllows.filter((allow) => !denyCovers(denyStatement, allow));
        if (uncovered.length > 0) expect(after.length).toBeGreaterThan(0);
        if (uncovered.length === 0 && denyStatement.Condition === undefined) expect(after).toEqual([]);
      }),
      RUNS,
    );
  });
});

const PUBLIC_GRANTS: AclGrant[] = ['READ', 'WRITE', 'READ_ACP', 'WRITE_ACP', 'FULL_CONTROL'].flatMap(
  (permission) =>
    ['http://acs.amazonaws.com/groups/global/AllUsers', 'AuthenticatedUsers'].map((grantee) => ({
      grantee,
      permission: permission as AclGrant['permission'],
    })),
);

const blockFlags = fc.record({
  blockPublicAcls: fc.boolean(),
  ignorePublicAcls: fc.boolean(),
  blockPublicPolicy: fc.boolean(),
  restrictPublicBuckets: fc.boolean(),
});

const orFlags = (a: PublicAccessBlockFlags, b: PublicAccessBlockFlags): PublicAccessBlockFlags => ({
  blockPublicAcls: a.blockPublicAcls || b.blockPublicAcls,
  ignorePublicAcls: a.ignorePublicAcls || b.ignorePublicAcls,
  blockPublicPolicy: a.blockPublicPolicy || b.blockPublicPolicy,
  restrictPublicBuckets: a.restrictPublicBuckets || b.restrictPublicBuckets,
});

const bucketState = fc.record({
  grants: fc.subarray(PUBLIC_GRANTS),
  statements: fc.option(publicPolicy, { nil: undefined }),
  bucketBlock: fc.option(blockFlags, { nil: null }),
  accountBlock: fc.option(blockFlags, { nil: null }),
  ownership: fc.constantFrom(
    undefined,
    'ObjectWriter',
    'BucketOwnerPreferred',
    'BucketOwnerEnforced',
  ) as fc.Arbitrary<BucketState['objectOwnership']>,
});

function effectiveCauses(state: BucketState, account: PublicAccessBlockFlags | null): string[] {
  return analyseBucket(state, account)
    .exposures.filter(isEffective)
    .map((exposure) => exposure.cause);
}

describe('property: Block Public Access', () => {
  it('turning on more settings, at either level, never makes a bucket more public', () => {
    fc.assert(
      fc.property(bucketState, blockFlags, blockFlags, (generated, moreBucket, moreAccount) => {
        const state: BucketState = {
          name: 'example-bucket',
          acl: generated.grants,
          policy:
            generated.statements === undefined
              ? null
              : { Version: '2012-10-17', Statement: generated.statements },
          publicAccessBlock: generated.bucketBlock,
          objectOwnership: generated.ownership,
          problems: [],
        };
        const before = effectiveCauses(state, generated.accountBlock);
        const stricter = {
          ...state,
          publicAccessBlock: orFlags(generated.bucketBlock ?? moreBucket, moreBucket),
        };
        const after = effectiveCauses(stricter, orFlags(generated.accountBlock ?? moreAccount, moreAccount));
        for (const cause of after) expect(before).toContain(cause);
        expect(after.length).toBeLessThanOrEqual(before.length);
      }),
      RUNS,
    );
  });
});

describe('property: fixed aws:SourceVpce', () => {
  it('restricting a public statement to a fixed VPC endpoint makes it non-public', () => {
    const endpoint = fc.stringMatching(/^[0-9a-f]{8,17}$/).map((id) => `vpce-${id}`);
    fc.assert(
      fc.property(publicAllow, endpoint, (statement, vpce) => {
        expect(analyse([statement]).length).toBe(1);
        const condition = (statement.Condition ?? {}) as Record<string, Json>;
        const restricted = {
          ...statement,
          Condition: { ...condition, StringEquals: { ...condition.StringEquals, 'aws:SourceVpce': vpce } },
        };
        expect(analyse([restricted])).toEqual([]);
      }),
      RUNS,
    );
  });
});

describe('fuzz: any JSON', () => {
  it('parsing and analysing arbitrary documents never throws', () => {
    const statementLike = fc.record(
      {
        Effect: fc.oneof(fc.constantFrom('Allow', 'Deny'), fc.jsonValue()),
        Principal: fc.oneof(fc.constantFrom(...PUBLIC_PRINCIPALS, ...DENY_PRINCIPALS), fc.jsonValue()),
        Action: fc.oneof(actions, fc.jsonValue()),
        NotAction: fc.oneof(actions, fc.jsonValue()),
        Resource: fc.oneof(resources, fc.jsonValue()),
        Condition: fc.oneof(
          fc.constantFrom(...LOOSE_CONDITIONS),
          fc.dictionary(fc.string(), fc.dictionary(fc.string(), fc.jsonValue())),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ Statement: fc.array(statementLike) })), (document) => {
        const parsed = parsePolicy(document);
        const statements: Statement[] = parsed.ok ? parsed.statements : [];
        expect(() => publicStatements(statements)).not.toThrow();
      }),
      RUNS,
    );
  });
});
