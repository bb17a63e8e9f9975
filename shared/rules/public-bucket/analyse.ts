/**
 * The public-bucket analyser: a bucket's ACL, policy, Block Public Access and object ownership, plus the
 * account's Block Public Access, in; what makes the bucket public (and what neutralises it) out.
 */
import type { PublicAccessBlockFlags } from '../../core/model.ts';
import { type AclGrant, publicGrants } from './acl.ts';
import { type BlockSetting, describeSetting, levelsWith } from './block.ts';
import type { AccessKind } from './patterns.ts';
import { parsePolicy, publicStatements } from './policy.ts';

/** S3 Object Ownership; `BucketOwnerEnforced` disables ACLs. */
export const OBJECT_OWNERSHIPS = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'] as const;
export type ObjectOwnership = (typeof OBJECT_OWNERSHIPS)[number];

/** The Object Ownership setting a source names, or undefined for anything else (absent, a new value). */
export function objectOwnershipOf(value: unknown): ObjectOwnership | undefined {
  return OBJECT_OWNERSHIPS.find((candidate) => candidate === value);
}

export interface BucketState {
  name: string;
  /** The bucket ACL's grants; undefined when unknown. */
  acl: readonly AclGrant[] | undefined;
  /** The bucket policy as JSON text or an object; null when the bucket has none. */
  policy: unknown;
  /** The bucket-level Block Public Access; null when the bucket has none. */
  publicAccessBlock: PublicAccessBlockFlags | null;
  /** Undefined when unknown (then ACLs are taken to be in force). */
  objectOwnership: ObjectOwnership | undefined;
  /** Parts of the state that could not be read, each naming the field and the problem. */
  problems: readonly string[];
}

export type ExposureCode = 'public-acl' | 'public-policy';

/** One thing that makes the bucket public, as S3 defines public. */
export interface Exposure {
  code: ExposureCode;
  /** The cause in words: `ACL grants READ to AllUsers`, `policy statement "PublicRead" (#1) allows …`. */
  cause: string;
  access: AccessKind[];
  /** What stops it taking effect, e.g. `IgnorePublicAcls (account)`; undefined when it is in effect. */
  neutralisedBy?: string | undefined;
  details: Record<string, unknown>;
}

export interface BucketAnalysis {
  bucket: string;
  exposures: Exposure[];
  problems: string[];
}

export function isEffective(exposure: Exposure): boolean {
  return exposure.neutralisedBy === undefined;
}

/**
 * Analyses one bucket. `accountBlock` is the account-level Block Public Access: null when the account has
 * none, undefined when unknown (then only the bucket's own settings count).
 */
export function analyseBucket(
  state: BucketState,
  accountBlock: PublicAccessBlockFlags | null | undefined,
): BucketAnalysis {
  const problems = [...state.problems];
  const exposures: Exposure[] = [];
  const neutraliser = (setting: BlockSetting) => {
    const levels = levelsWith(setting, state.publicAccessBlock, accountBlock);
    return levels.length > 0 ? describeSetting(setting, levels) : undefined;
  };

  const aclDisabled =
    state.objectOwnership === 'BucketOwnerEnforced'
      ? 'ObjectOwnership BucketOwnerEnforced (ACLs disabled)'
      : undefined;
  const aclNeutraliser = neutraliser('IgnorePublicAcls') ?? aclDisabled;
  for (const grant of publicGrants(state.acl ?? [])) {
    exposures.push({
      code: 'public-acl',
      cause: grant.message,
      access: grant.access,
      neutralisedBy: aclNeutraliser,
      details: { group: grant.group, permissions: grant.permissions },
    });
  }

  if (state.policy !== null && state.policy !== undefined) {
    const policy = parsePolicy(state.policy);
    if (!policy.ok) {
      problems.push(`bucket policy: ${policy.error}`);
    } else {
      const policyNeutraliser = neutraliser('RestrictPublicBuckets');
      for (const statement of publicStatements(policy.statements)) {
        exposures.push({
          code: 'public-policy',
          cause: statement.message,
          access: statement.access,
          neutralisedBy: policyNeutraliser,
          details: {
            statement: statement.index,
            ...(statement.sid === undefined ? {} : { sid: statement.sid }),
            principals: statement.principals,
            actions: statement.actions,
          },
        });
      }
    }
  }
  return { bucket: state.name, exposures, problems };
}
