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

/** Most grants name their resources; some grant everything but a few with NotResource. */
const grantedResources = fc.oneof(
  { weight: 3, arbitrary: resources.map((Resource) => ({ Resource })) },
  { weight: 1, arbitrary: fc.constant({ NotResource: 'arn:aws:s3:::example-bucket/private/*' }) },
);

const publicAllow = fc
  .tuple(
    fc.record(
      {
        Sid: fc.stringMatching(/^[A-Za-z0-9]{1,12}$/),
        Effect: fc.constant('Allow'),
        Principal: fc.constantFrom(...PUBLIC_PRINCIPALS),
        Action: actions,
        Condition: fc.constantFrom(...LOOSE_CONDITIONS),
      },
      { requiredKeys: ['Effect', 'Principal', 'Action'] },
    ),
    grantedResources,
  )
  .map(([statement, granted]) => ({ ...statement, ...granted }));

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
/** A Deny with NotPrincipal applies to everyone else; only the fixed account leaves the public nothing. */
const FIXED_EXCEPTION = { AWS: 'arn:aws:iam::111122223333:root' };
const DENY_NOT_PRINCIPALS: unknown[] = [
  '*',
  { AWS: '*' },
  FIXED_EXCEPTION,
  { AWS: 'arn:aws:iam::*:root' },
  { Federated: 'graph.facebook.com' },
];
const NOT_ACTIONS = ['s3:PutObject', 's3:GetObject', 's3:Get*', 's3:*', 'sqs:*'];

/**
 * Deny condition entries, each marked with whether it exempts only fixed values (the Deny then leaves the
 * public nothing) or lets some public request through the Deny.
 */
interface DenyConditionEntry {
  operator: string;
  key: string;
  value: string;
  exemptsOnlyFixed: boolean;
}
const DENY_CONDITION_ENTRIES: DenyConditionEntry[] = [
  { operator: 'Bool', key: 'aws:SecureTransport', value: 'false', exemptsOnlyFixed: false },
  { operator: 'Null', key: 'aws:MultiFactorAuthAge', value: 'true', exemptsOnlyFixed: false },
  { operator: 'StringNotEquals', key: 'aws:SourceVpce', value: 'vpce-1a2b3c4d', exemptsOnlyFixed: true },
  { operator: 'StringNotEquals', key: 'aws:PrincipalAccount', value: '111122223333', exemptsOnlyFixed: true },
  {
    operator: 'StringNotEquals',
    key: 'aws:Referer',
    value: 'https://www.example.com/',
    exemptsOnlyFixed: false,
  },
  { operator: 'StringNotLike', key: 'aws:SourceVpc', value: 'vpc-*', exemptsOnlyFixed: false },
  { operator: 'NotIpAddress', key: 'aws:SourceIp', value: '192.0.2.0/24', exemptsOnlyFixed: true },
  { operator: 'NotIpAddress', key: 'aws:SourceIp', value: '0.0.0.0/1', exemptsOnlyFixed: false },
  {
    operator: 'ForAnyValue:StringNotEquals',
    key: 'aws:PrincipalServiceNamesList',
    value: 'cloudtrail.amazonaws.com',
    exemptsOnlyFixed: false,
  },
];

/** The Condition block of the entries; two values for one operator and key become a list. */
function conditionBlock(entries: readonly DenyConditionEntry[]): Record<string, Record<string, string[]>> {
  const block: Record<string, Record<string, string[]>> = {};
  for (const { operator, key, value } of entries) {
    const keys = block[operator] ?? {};
    keys[key] = [...(keys[key] ?? []), value];
    block[operator] = keys;
  }
  return block;
}

const EXEMPTING_ENTRIES = DENY_CONDITION_ENTRIES.filter((entry) => entry.exemptsOnlyFixed);

/**
 * A Deny: Principal or NotPrincipal, Action or NotAction, Resource or NotResource, and none, one or several
 * condition entries. Weighted so that Denies covering every public grant, the interesting case, are common.
 */
const deny = fc
  .record({
    principal: fc.oneof(
      fc.constant({ Principal: '*' }),
      fc.constantFrom(...DENY_PRINCIPALS).map((Principal) => ({ Principal })),
      fc.constantFrom(...DENY_NOT_PRINCIPALS).map((NotPrincipal) => ({ NotPrincipal })),
    ),
    action: fc.oneof(
      fc.constant({ Action: ['s3:*'] }),
      actions.map((Action) => ({ Action })),
      fc.subarray(NOT_ACTIONS, { minLength: 1, maxLength: 2 }).map((NotAction) => ({ NotAction })),
    ),
    resource: fc.oneof(
      { weight: 2, arbitrary: fc.constant({ Resource: ['*'] }) },
      { weight: 2, arbitrary: resources.map((Resource) => ({ Resource })) },
      { weight: 1, arbitrary: fc.constant({ NotResource: ['arn:aws:s3:::example-bucket/private/*'] }) },
    ),
    conditions: fc.oneof(
      fc.constant<DenyConditionEntry[]>([]),
      fc.constantFrom(...DENY_CONDITION_ENTRIES).map((entry) => [entry]),
      fc.subarray(EXEMPTING_ENTRIES, { minLength: 2 }),
      fc.subarray(DENY_CONDITION_ENTRIES, { minLength: 2, maxLength: 3 }),
    ),
  })
  .map(({ principal, action, resource, conditions }) => ({
    statement: {
      Effect: 'Deny',
      ...principal,
      ...action,
      ...resource,
      ...(conditions.length > 0 ? { Condition: conditionBlock(conditions) } : {}),
    } as Json,
    exemptsOnlyFixed: conditions.every((entry) => entry.exemptsOnlyFixed),
  }));

function analyse(statements: readonly unknown[]) {
  const parsed = parsePolicy({ Version: '2012-10-17', Statement: statements });
  if (!parsed.ok) throw new Error(parsed.error);
  return publicStatements(parsed.statements);
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
const isEveryone = (principal: unknown) =>
  principal === '*' || JSON.stringify(principal) === JSON.stringify({ AWS: '*' });
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
/** `s3:Get*` matches `s3:GetObject`; the patterns here have at most a trailing `*`. */
const matches = (pattern: unknown, action: unknown) =>
  String(pattern).endsWith('*')
    ? String(action).startsWith(String(pattern).slice(0, -1))
    : pattern === action;

/**
 * An independent, deliberately simple reading of "a Deny on the same principals, actions and resources".
 * It is as cautious as the analyser where S3 is: a NotAction Deny is not taken to cover a granted wildcard
 * (`s3:Get*`), and a NotResource Deny covers nothing.
 */
function denyCovers(denyStatement: Json, allow: Json): boolean {
  const principal =
    'NotPrincipal' in denyStatement
      ? same(denyStatement.NotPrincipal, FIXED_EXCEPTION)
      : isEveryone(denyStatement.Principal) || same(denyStatement.Principal, allow.Principal);
  const granted = asList(allow.Action);
  let action: boolean;
  if ('NotAction' in denyStatement) {
    const exempt = asList(denyStatement.NotAction);
    action = granted.every(
      (grant) => !String(grant).includes('*') && !exempt.some((pattern) => matches(pattern, grant)),
    );
  } else {
    const denied = asList(denyStatement.Action);
    action =
      denied.includes('s3:*') ||
      granted.every(
        (grant) =>
          denied.includes(grant) || (denied.includes('s3:Get*') && String(grant).startsWith('s3:Get')),
      );
  }
  const deniedResources = 'NotResource' in denyStatement ? [] : asList(denyStatement.Resource);
  const resource =
    deniedResources.includes('*') ||
    ('Resource' in allow && asList(allow.Resource).every((grant) => deniedResources.includes(grant)));
  return principal && action && resource;
}

describe('property: Deny statements', () => {
  it('a Deny makes a public policy non-public exactly when it covers every public grant and exempts only fixed values', () => {
    fc.assert(
      fc.property(publicPolicy, deny, (statements, { statement: denyStatement, exemptsOnlyFixed }) => {
        expect(analyse(statements).length).toBeGreaterThan(0);
        const publicAllows = (statements as Json[]).filter((statement) =>
          PUBLIC_PRINCIPALS.includes(statement.Principal),
        );
        const after = analyse([...statements, denyStatement]);
        const covered = publicAllows.every((allow) => denyCovers(denyStatement, allow));
        if (covered && exemptsOnlyFixed) expect(after).toEqual([]);
        else expect(after.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
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
