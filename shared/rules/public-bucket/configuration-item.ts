/**
 * Reading the state of a bucket and of the account's Block Public Access from AWS Config items.
 *
 * `AWS::S3::Bucket` (AWS Config resource schema, `awslabs/aws-config-resource-schema`, and the items Config
 * delivers): `configuration.name`; `supplementaryConfiguration.AccessControlList` (JSON text of
 * `{grantList, grantSet, owner}`), `BucketPolicy` (`{policyText: string|null}`), `PublicAccessBlockConfiguration`
 * (`{blockPublicAcls, ignorePublicAcls, blockPublicPolicy, restrictPublicBuckets}`), each possibly JSON text.
 * Object ownership is not in the published schema: `BucketOwnershipControls` is read when present (any of the
 * SDK spellings `objectOwnership` / `ObjectOwnership`), and ACLs are taken to be in force otherwise.
 *
 * `AWS::S3::AccountPublicAccessBlock`: the four flags in `configuration`, `resourceId` the account id.
 */
import * as z from 'zod';
import type { ConfigurationItem, PublicAccessBlockFlags } from '../../core/model.ts';
import { decodeJson, grantsFromConfigItem } from './acl.ts';
import { type BucketState, type ObjectOwnership, objectOwnershipOf } from './analyse.ts';
import { flagsFromConfig, NONE_BLOCKED } from './block.ts';

export const BUCKET_TYPE = 'AWS::S3::Bucket';
export const ACCOUNT_BLOCK_TYPE = 'AWS::S3::AccountPublicAccessBlock';

/** A supplementary value by name, ignoring case (Config's own spelling has changed over time). */
function supplementary(item: ConfigurationItem, name: string): unknown {
  const wanted = name.toLowerCase();
  const key = Object.keys(item.supplementaryConfiguration).find(
    (candidate) => candidate.toLowerCase() === wanted,
  );
  return key === undefined ? undefined : item.supplementaryConfiguration[key];
}

export function bucketNameOf(item: ConfigurationItem): string {
  const name = item.configuration?.name;
  return typeof name === 'string' && name !== '' ? name : (item.resourceName ?? item.resourceId);
}

const bucketPolicyDocument = z.looseObject({ policyText: z.string().nullish() });

export function bucketStateFromItem(item: ConfigurationItem): BucketState {
  const problems: string[] = [];
  const where = 'supplementaryConfiguration';

  let acl: BucketState['acl'];
  const aclValue = supplementary(item, 'AccessControlList');
  if (aclValue !== undefined && aclValue !== null) {
    const grants = grantsFromConfigItem(aclValue);
    if (grants.ok) acl = grants.grants;
    else problems.push(`${where}.AccessControlList: ${grants.error}`);
  }

  let policy: unknown = null;
  const policyValue = decodeJson(supplementary(item, 'BucketPolicy'));
  if (policyValue !== undefined && policyValue !== null) {
    const parsed = bucketPolicyDocument.safeParse(policyValue);
    if (parsed.success) policy = parsed.data.policyText ?? null;
    else problems.push(`${where}.BucketPolicy: expected {"policyText": string | null}`);
  }

  let publicAccessBlock: PublicAccessBlockFlags | null = null;
  const flags = flagsFromConfig(supplementary(item, 'PublicAccessBlockConfiguration'));
  if (flags.ok) publicAccessBlock = flags.flags;
  else problems.push(`${where}.PublicAccessBlockConfiguration: ${flags.error}`);

  return {
    name: bucketNameOf(item),
    acl,
    policy,
    publicAccessBlock,
    objectOwnership: findOwnership(decodeJson(supplementary(item, 'BucketOwnershipControls'))),
    problems,
  };
}

/** The first `objectOwnership` value in an ownership-controls document, whatever its nesting. */
function findOwnership(value: unknown, depth = 0): ObjectOwnership | undefined {
  if (depth > 4 || value === null || typeof value !== 'object') return undefined;
  const entries = Array.isArray(value) ? value.map((item) => ['', item] as const) : Object.entries(value);
  for (const [key, child] of entries) {
    const ownership = key.toLowerCase() === 'objectownership' ? objectOwnershipOf(child) : undefined;
    if (ownership !== undefined) return ownership;
    const nested = findOwnership(child, depth + 1);
    if (nested !== undefined) return nested;
  }
  return undefined;
}

export type AccountBlockResult = { ok: true; flags: PublicAccessBlockFlags } | { ok: false; error: string };

/** The flags of an `AWS::S3::AccountPublicAccessBlock` item (for the companion check and for the CLI). */
export function accountBlockFromItem(item: ConfigurationItem): AccountBlockResult {
  const flags = flagsFromConfig(item.configuration);
  if (!flags.ok) return { ok: false, error: `configuration: ${flags.error}` };
  return {
    ok: true,
    flags: flags.flags ?? NONE_BLOCKED,
  };
}
