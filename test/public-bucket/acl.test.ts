import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  configGrantsThroughSchema,
  decodeJson,
  grantsFromApi,
  grantsFromCloudTrail,
  grantsFromConfigItem,
  publicGrants,
} from '../../shared/rules/public-bucket/acl.ts';
import { OWNER_ID } from '../fixtures/public-bucket/items.ts';
import { anyJson, field } from '../support/malformed.ts';

const CONFIG_ACL = {
  grantSet: null,
  grantList: [
    { grantee: { id: OWNER_ID, displayName: null }, permission: 'FullControl' },
    { grantee: 'AllUsers', permission: 'ReadAcp' },
    { grantee: 'AuthenticatedUsers', permission: 'Write' },
    { grantee: 'AllUsers', permission: 'Read' },
    { grantee: 'LogDelivery', permission: 'Write' },
  ],
  owner: { displayName: null, id: OWNER_ID },
  isRequesterCharged: false,
};

const EXPECTED_GRANTS = [
  { grantee: OWNER_ID, permission: 'FULL_CONTROL' },
  { grantee: 'AllUsers', permission: 'READ_ACP' },
  { grantee: 'AuthenticatedUsers', permission: 'WRITE' },
  { grantee: 'AllUsers', permission: 'READ' },
  { grantee: 'LogDelivery', permission: 'WRITE' },
];

describe('Config item ACLs', () => {
  it.each([
    ['an object', CONFIG_ACL],
    ['JSON text (as in events)', JSON.stringify(CONFIG_ACL)],
    ['JSON text of JSON text (as the API returns it)', JSON.stringify(JSON.stringify(CONFIG_ACL))],
  ])('reads %s', (_, value) => {
    expect(grantsFromConfigItem(value)).toEqual({ ok: true, grants: EXPECTED_GRANTS });
  });

  it('names the field of a malformed grant', () => {
    const result = grantsFromConfigItem({ grantList: [{ grantee: 'AllUsers', permission: 'Everything' }] });
    expect(result).toEqual({
      ok: false,
      error: 'grantList.0.permission: unknown ACL permission "Everything"',
    });
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'a permission spelt like a property every object has (%s) is unknown, not read through the prototype',
    (permission) => {
      const config = grantsFromConfigItem({ grantList: [{ grantee: 'AllUsers', permission }] });
      expect(config).toEqual({
        ok: false,
        error: `grantList.0.permission: unknown ACL permission "${permission}"`,
      });
      const api = grantsFromApi([{ Grantee: { Type: 'Group', URI: 'AllUsers' }, Permission: permission }]);
      expect(api).toEqual({
        ok: false,
        error: `Grants.0.Permission: unknown ACL permission "${permission}"`,
      });
    },
  );
});

describe('Config item ACLs: the fast path agrees with the zod schema', () => {
  const grantee = fc.oneof(
    fc.constantFrom(
      'AllUsers',
      'AuthenticatedUsers',
      'LogDelivery',
      'http://acs.amazonaws.com/groups/global/AllUsers',
    ),
    fc.record(
      {
        id: field(fc.constantFrom(OWNER_ID, 'abc')),
        identifier: field(fc.constantFrom('owner@example.com', 'xyz')),
        displayName: field(fc.string({ maxLength: 4 })),
        typeIdentifier: field(fc.constantFrom('id', 'emailAddress')),
      },
      { requiredKeys: [] },
    ),
  );
  const permission = fc.constantFrom(
    'Read',
    'FullControl',
    'read_acp',
    'WRITE',
    'Everything',
    'constructor',
    '',
  );
  const grant = fc.record({ grantee: field(grantee), permission: field(permission) }, { requiredKeys: [] });
  const acl = fc.oneof(
    {
      weight: 12,
      arbitrary: fc.record(
        {
          grantList: field(fc.array(field(grant), { maxLength: 3 })),
          grantSet: field(fc.array(field(grant), { maxLength: 2 })),
          owner: anyJson,
        },
        { requiredKeys: [] },
      ),
    },
    { weight: 1, arbitrary: anyJson },
  );

  it('reads every ACL as zod does: the same grants in the same order, or the same error', () => {
    let readable = 0;
    fc.assert(
      fc.property(acl, fc.boolean(), (document, asText) => {
        const value = asText ? JSON.stringify(document ?? null) : document;
        const result = grantsFromConfigItem(value);
        expect(result).toEqual(configGrantsThroughSchema(decodeJson(value)));
        if (result.ok) readable++;
      }),
      { numRuns: 3000 },
    );
    expect(readable).toBeGreaterThan(300);
  });
});

describe('public grants', () => {
  it('groups grants to AllUsers and AuthenticatedUsers, in a stable order, and ignores the rest', () => {
    const grants = grantsFromConfigItem(CONFIG_ACL);
    expect(grants.ok && publicGrants(grants.grants)).toEqual([
      {
        group: 'AllUsers',
        permissions: ['READ', 'READ_ACP'],
        access: ['read'],
        message: 'ACL grants READ, READ_ACP to AllUsers',
      },
      {
        group: 'AuthenticatedUsers',
        permissions: ['WRITE'],
        access: ['write'],
        message: 'ACL grants WRITE to AuthenticatedUsers',
      },
    ]);
  });

  it.each([
    ['READ', ['read']],
    ['WRITE', ['write']],
    ['WRITE_ACP', ['write']],
    ['FULL_CONTROL', ['read', 'write']],
    ['READ_ACP', []],
  ] as const)('%s gives %j', (permission, access) => {
    expect(publicGrants([{ grantee: 'AllUsers', permission }])[0]?.access).toEqual(access);
  });
});

describe('API and CloudTrail ACLs', () => {
  it('reads GetBucketAcl grants, group grantees as URIs', () => {
    const result = grantsFromApi([
      { Grantee: { Type: 'CanonicalUser', ID: OWNER_ID, DisplayName: 'owner' }, Permission: 'FULL_CONTROL' },
      {
        Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
        Permission: 'READ',
      },
    ]);
    expect(result.ok && publicGrants(result.grants).map((grant) => grant.message)).toEqual([
      'ACL grants READ to AllUsers',
    ]);
  });

  it('reads a CloudTrail AccessControlPolicy with one grant (an object) or several (a list)', () => {
    const grant = {
      Grantee: { 'xsi:type': 'Group', URI: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers' },
      Permission: 'WRITE_ACP',
    };
    const one = grantsFromCloudTrail({ AccessControlList: { Grant: grant } });
    const many = grantsFromCloudTrail({ AccessControlList: { Grant: [grant, grant] } });
    expect(one).toEqual({
      ok: true,
      grants: [
        { grantee: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers', permission: 'WRITE_ACP' },
      ],
    });
    expect(many.ok && publicGrants(many.grants).map((entry) => entry.message)).toEqual([
      'ACL grants WRITE_ACP to AuthenticatedUsers',
    ]);
  });
});
