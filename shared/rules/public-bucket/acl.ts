/**
 * Bucket ACLs in their three shapes, reduced to one:
 * - Config items (`supplementaryConfiguration.AccessControlList`, a JSON string even in events):
 *   `{"grantList":[{"grantee":"AllUsers","permission":"Read"}, {"grantee":{"id":"…"},"permission":"FullControl"}]}`,
 *   group grantees as bare names and permissions in the Java SDK's spelling.
 * - `GetBucketAcl`: `Grants: [{Grantee: {Type: "Group", URI: "http://acs.amazonaws.com/groups/global/AllUsers"}, Permission: "READ"}]`.
 * - CloudTrail `PutBucketAcl`: `AccessControlPolicy.AccessControlList.Grant`, one grant object or a list,
 *   grantees with `xsi:type` and `URI`.
 * Amazon S3 User Guide, "Access control list (ACL) overview" (grantees, predefined groups, permissions).
 */
import * as z from 'zod';
import { describeZodError, isNullishText, isPlainObject } from '../../core/model.ts';
import type { AccessKind } from './patterns.ts';

export const ACL_PERMISSIONS = ['READ', 'WRITE', 'READ_ACP', 'WRITE_ACP', 'FULL_CONTROL'] as const;
export type AclPermission = (typeof ACL_PERMISSIONS)[number];

export const PUBLIC_GROUPS = ['AllUsers', 'AuthenticatedUsers'] as const;
export type PublicGroup = (typeof PUBLIC_GROUPS)[number];

export interface AclGrant {
  /** A group name (`AllUsers`, `LogDelivery`), a canonical user id or an email address. */
  grantee: string;
  permission: AclPermission;
}

/**
 * The Java SDK spelling Config uses, and the API's, to one spelling. A Map, not an object literal: a
 * permission spelt `constructor` must be unknown, not Object's own constructor read through the prototype.
 */
const PERMISSION_NAMES: ReadonlyMap<string, AclPermission> = new Map([
  ['read', 'READ'],
  ['write', 'WRITE'],
  ['readacp', 'READ_ACP'],
  ['read_acp', 'READ_ACP'],
  ['writeacp', 'WRITE_ACP'],
  ['write_acp', 'WRITE_ACP'],
  ['fullcontrol', 'FULL_CONTROL'],
  ['full_control', 'FULL_CONTROL'],
]);

const permissionSchema = z.string().transform((value, context) => {
  const permission = PERMISSION_NAMES.get(value.toLowerCase());
  if (permission === undefined) {
    context.addIssue({ code: 'custom', message: `unknown ACL permission "${value}"` });
    return z.NEVER;
  }
  return permission;
});

/** `http://acs.amazonaws.com/groups/global/AllUsers` and `AllUsers` are the same group. */
export function groupName(grantee: string): string {
  const trimmed = grantee.trim();
  return trimmed.startsWith('http') ? (trimmed.split('/').pop() ?? trimmed) : trimmed;
}

export function publicGroupOf(grantee: string): PublicGroup | undefined {
  const name = groupName(grantee);
  return (PUBLIC_GROUPS as readonly string[]).includes(name) ? (name as PublicGroup) : undefined;
}

type AclResult = { ok: true; grants: AclGrant[] } | { ok: false; error: string };

const configGrantee = z.union([
  z.string(),
  z.looseObject({
    id: z.string().nullish(),
    identifier: z.string().nullish(),
    displayName: z.string().nullish(),
    typeIdentifier: z.string().nullish(),
  }),
]);
const configAclSchema = z.looseObject({
  grantList: z.array(z.looseObject({ grantee: configGrantee, permission: permissionSchema })).nullish(),
  grantSet: z.array(z.looseObject({ grantee: configGrantee, permission: permissionSchema })).nullish(),
});

type ConfigGrantee = string | { id?: string | null | undefined; identifier?: string | null | undefined };

function configGrant(grantee: ConfigGrantee, permission: AclPermission): AclGrant {
  return {
    grantee: typeof grantee === 'string' ? grantee : (grantee.id ?? grantee.identifier ?? 'unknown grantee'),
    permission,
  };
}

/** Reads `supplementaryConfiguration.AccessControlList` in any of its encodings (object, JSON string, JSON in JSON). */
export function grantsFromConfigItem(value: unknown): AclResult {
  const document = decodeJson(value);
  const grants = configGrantsFast(document);
  return grants === undefined ? configGrantsThroughSchema(document) : { ok: true, grants };
}

/** {@link grantsFromConfigItem} through the zod schema alone (the reference its fast path is held to). */
export function configGrantsThroughSchema(document: unknown): AclResult {
  const parsed = configAclSchema.safeParse(document);
  if (!parsed.success) return { ok: false, error: describeZodError(parsed.error) };
  const grants = [...(parsed.data.grantList ?? []), ...(parsed.data.grantSet ?? [])];
  return { ok: true, grants: grants.map(({ grantee, permission }) => configGrant(grantee, permission)) };
}

function isConfigGrantee(grantee: unknown): grantee is ConfigGrantee {
  if (typeof grantee === 'string') return true;
  return (
    isPlainObject(grantee) &&
    isNullishText(grantee.id) &&
    isNullishText(grantee.identifier) &&
    isNullishText(grantee.displayName) &&
    isNullishText(grantee.typeIdentifier)
  );
}

/**
 * The grants of an ACL {@link configAclSchema} accepts, read by hand; undefined leaves the document to zod,
 * which accepts it too or names what is wrong (test/public-bucket/acl.test.ts holds the two to one answer).
 */
function configGrantsFast(document: unknown): AclGrant[] | undefined {
  if (!isPlainObject(document)) return undefined;
  const grants: AclGrant[] = [];
  for (const list of [document.grantList, document.grantSet]) {
    if (list == null) continue;
    if (!Array.isArray(list)) return undefined;
    for (let index = 0; index < list.length; index++) {
      const grant: unknown = list[index];
      if (!isPlainObject(grant) || typeof grant.permission !== 'string') return undefined;
      const permission = PERMISSION_NAMES.get(grant.permission.toLowerCase());
      if (permission === undefined || !isConfigGrantee(grant.grantee)) return undefined;
      grants.push(configGrant(grant.grantee, permission));
    }
  }
  return grants;
}

const apiGrantSchema = z.looseObject({
  Grantee: z
    .looseObject({
      Type: z.string().optional(),
      URI: z.string().optional(),
      ID: z.string().optional(),
      EmailAddress: z.string().optional(),
      DisplayName: z.string().optional(),
    })
    .optional(),
  Permission: permissionSchema,
});

const apiGrantsSchema = z.array(apiGrantSchema);

/** Reads `GetBucketAcl`'s `Grants`. */
export function grantsFromApi(grants: unknown): AclResult {
  const parsed = apiGrantsSchema.safeParse(grants ?? []);
  if (!parsed.success) return { ok: false, error: describeZodError(parsed.error, 'Grants') };
  return {
    ok: true,
    grants: parsed.data.map(({ Grantee, Permission }) => ({
      grantee: Grantee?.URI ?? Grantee?.ID ?? Grantee?.EmailAddress ?? 'unknown grantee',
      permission: Permission,
    })),
  };
}

const cloudTrailGrantSchema = z.looseObject({
  Grantee: z.looseObject({ URI: z.string().optional(), ID: z.string().optional() }).optional(),
  Permission: permissionSchema,
});

/** Reads CloudTrail's `requestParameters.AccessControlPolicy` (XML turned into JSON: one grant is an object). */
export function grantsFromCloudTrail(accessControlPolicy: unknown): AclResult {
  const schema = z.looseObject({
    AccessControlList: z
      .looseObject({ Grant: z.union([cloudTrailGrantSchema, z.array(cloudTrailGrantSchema)]).optional() })
      .optional(),
  });
  const parsed = schema.safeParse(accessControlPolicy);
  if (!parsed.success) return { ok: false, error: describeZodError(parsed.error, 'AccessControlPolicy') };
  const grant = parsed.data.AccessControlList?.Grant;
  const list = grant === undefined ? [] : Array.isArray(grant) ? grant : [grant];
  return {
    ok: true,
    grants: list.map(({ Grantee, Permission }) => ({
      grantee: Grantee?.URI ?? Grantee?.ID ?? 'unknown grantee',
      permission: Permission,
    })),
  };
}

/** Canned ACLs that grant to a public group (Amazon S3 User Guide, "Canned ACL"). */
export const PUBLIC_CANNED_ACLS: Readonly<Record<string, readonly AclGrant[]>> = {
  'public-read': [{ grantee: 'AllUsers', permission: 'READ' }],
  'public-read-write': [
    { grantee: 'AllUsers', permission: 'READ' },
    { grantee: 'AllUsers', permission: 'WRITE' },
  ],
  'authenticated-read': [{ grantee: 'AuthenticatedUsers', permission: 'READ' }],
};

/** `READ`/`FULL_CONTROL` read the bucket; `WRITE`/`WRITE_ACP`/`FULL_CONTROL` change it; `READ_ACP` only exposes the ACL. */
export function accessOfPermission(permission: AclPermission): AccessKind[] {
  switch (permission) {
    case 'READ':
      return ['read'];
    case 'WRITE':
    case 'WRITE_ACP':
      return ['write'];
    case 'FULL_CONTROL':
      return ['read', 'write'];
    case 'READ_ACP':
      return [];
  }
}

export interface PublicAclGrant {
  group: PublicGroup;
  permissions: AclPermission[];
  access: AccessKind[];
  /** `ACL grants READ, WRITE to AllUsers` */
  message: string;
}

/** Grants to `AllUsers` or `AuthenticatedUsers`, one entry a group, permissions in a stable order. */
export function publicGrants(grants: readonly AclGrant[]): PublicAclGrant[] {
  return PUBLIC_GROUPS.flatMap((group) => {
    const held = new Set(
      grants.filter((grant) => publicGroupOf(grant.grantee) === group).map((grant) => grant.permission),
    );
    if (held.size === 0) return [];
    const permissions = ACL_PERMISSIONS.filter((permission) => held.has(permission));
    const access = [...new Set(permissions.flatMap(accessOfPermission))].sort();
    return [{ group, permissions, access, message: `ACL grants ${permissions.join(', ')} to ${group}` }];
  });
}

/** Config sometimes encodes a supplementary value as JSON text, and sometimes that text again as JSON. */
export function decodeJson(value: unknown): unknown {
  let current = value;
  for (let depth = 0; depth < 3 && typeof current === 'string'; depth++) {
    try {
      current = JSON.parse(current);
    } catch {
      return current;
    }
  }
  return current;
}
