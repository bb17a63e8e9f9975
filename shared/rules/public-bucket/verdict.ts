/**
 * From an analysis to a verdict with reasons. The rule and the responder both decide here, so a bucket the
 * rule calls public is exactly a bucket the responder acts on.
 */
import {
  compliant,
  nonCompliant,
  notApplicable,
  type PublicAccessBlockFlags,
  type Reason,
  type Verdict,
} from '../../core/model.ts';
import { type BucketAnalysis, type Exposure, isEffective } from './analyse.ts';
import { type BlockSetting, isOn } from './block.ts';
import type { PublicAccessKind, PublicBucketParams } from './parameters.ts';

export function counts(exposure: Exposure, publicAccess: PublicAccessKind): boolean {
  return publicAccess === 'any' || exposure.access.includes(publicAccess);
}

/** The exposures in effect that the parameters count: what makes the bucket NON_COMPLIANT. */
export function countedExposures(
  analysis: BucketAnalysis,
  params: Pick<PublicBucketParams, 'publicAccess'>,
): Exposure[] {
  return analysis.exposures.filter(
    (exposure) => isEffective(exposure) && counts(exposure, params.publicAccess),
  );
}

export function isExcluded(
  bucket: string,
  params: Pick<PublicBucketParams, 'excludedPublicBuckets'>,
): boolean {
  return params.excludedPublicBuckets.includes(bucket);
}

function exposureReason(exposure: Exposure): Reason {
  return {
    code: exposure.code,
    message: exposure.cause,
    details: { ...exposure.details, access: exposure.access },
  };
}

export function problemReason(problem: string): Reason {
  return { code: 'unreadable-state', message: `cannot tell whether public: ${problem}` };
}

/** Reasons for findings that do not count: neutralised by Block Public Access, or of a kind not counted. */
function informativeReasons(analysis: BucketAnalysis, params: PublicBucketParams): Reason[] {
  return analysis.exposures.flatMap((exposure): Reason[] => {
    if (!isEffective(exposure)) {
      return [
        {
          code: `${exposure.code}-neutralised`,
          message: `${exposure.cause}, neutralised by ${exposure.neutralisedBy}`,
          details: { ...exposure.details, neutralisedBy: exposure.neutralisedBy },
        },
      ];
    }
    if (!counts(exposure, params.publicAccess)) {
      return [
        {
          code: `${exposure.code}-not-counted`,
          message: `${exposure.cause} (not counted: publicAccess=${params.publicAccess})`,
          details: exposure.details,
        },
      ];
    }
    return [];
  });
}

/**
 * The bucket's verdict. NON_COMPLIANT when an exposure in effect counts, or when part of the state cannot be
 * read (S3 itself starts from "public" until a policy proves otherwise); COMPLIANT otherwise, saying what was
 * neutralised or excluded.
 */
export function judgeBucket(analysis: BucketAnalysis, params: PublicBucketParams): Verdict {
  const counted = countedExposures(analysis, params).map(exposureReason);
  const problems = analysis.problems.map(problemReason);
  if (isExcluded(analysis.bucket, params)) {
    return compliant([
      { code: 'excluded', message: `${analysis.bucket} is listed in excludedPublicBuckets` },
      ...counted,
      ...problems,
    ]);
  }
  if (counted.length > 0 || problems.length > 0) return nonCompliant([...problems, ...counted]);
  const informative = informativeReasons(analysis, params);
  return compliant(
    informative.length > 0
      ? informative
      : [{ code: 'not-public', message: 'no public ACL grant or bucket policy statement' }],
  );
}

/** The companion check: the account-level settings the parameters require are on. */
export function judgeAccountBlock(flags: PublicAccessBlockFlags, required: readonly BlockSetting[]): Verdict {
  if (required.length === 0) {
    return notApplicable('account-level check turned off (accountLevelBlocks=none)', 'check-disabled');
  }
  const off = required.filter((setting) => !isOn(flags, setting));
  if (off.length > 0) {
    return nonCompliant([
      {
        code: 'account-block-off',
        message: `account-level Block Public Access: ${off.join(', ')} off`,
        details: { off, required },
      },
    ]);
  }
  return compliant([
    { code: 'account-block-on', message: `account-level Block Public Access: ${required.join(', ')} on` },
  ]);
}
