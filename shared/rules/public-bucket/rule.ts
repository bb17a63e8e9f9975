import {
  type ConfigurationItem,
  type EvaluationContext,
  nonCompliant,
  type Rule,
  type Verdict,
} from '../../core/model.ts';
import { analyseBucket } from './analyse.ts';
import {
  ACCOUNT_BLOCK_TYPE,
  accountBlockFromItem,
  BUCKET_TYPE,
  bucketStateFromItem,
} from './configuration-item.ts';
import { type PublicBucketParams, parsePublicBucketParameters } from './parameters.ts';
import { judgeAccountBlock, judgeBucket } from './verdict.ts';

/**
 * `public-bucket`: a bucket is NON_COMPLIANT when an ACL grant or bucket-policy statement makes it public,
 * as S3 defines public, and Block Public Access (bucket or account) does not neutralise it. The account's
 * own `AWS::S3::AccountPublicAccessBlock` is checked beside it (the settings in `accountLevelBlocks` on),
 * like the managed rule s3-account-level-public-access-blocks.
 */
export const publicBucketRule: Rule<PublicBucketParams> = {
  name: 'public-bucket',
  description:
    'S3 buckets that are public by ACL or bucket policy (S3\'s meaning of "public"), with bucket- and account-level Block Public Access considered; and the account-level Block Public Access itself.',
  resourceTypes: [BUCKET_TYPE, ACCOUNT_BLOCK_TYPE],
  deployParameters: ['excludedPublicBuckets'],
  severity: 9,
  accountFacts: ['publicAccessBlock'],
  readActions: ['s3:GetAccountPublicAccessBlock'],
  parameterDocs: [
    {
      name: 'excludedPublicBuckets',
      description:
        'Comma-separated names of buckets that may be public (as in the managed rule s3-bucket-level-public-access-prohibited; exact names, no wildcards). They are COMPLIANT, and the responder leaves them alone.',
      default: '',
    },
    {
      name: 'publicAccess',
      description:
        'Which public access counts: read (READ/FULL_CONTROL grants, Get*/List* actions), write (WRITE/WRITE_ACP/FULL_CONTROL grants, any other S3 action) or any (every grant to the public, READ_ACP included).',
      default: 'any',
    },
    {
      name: 'accountLevelBlocks',
      description:
        'Account-level Block Public Access settings that must be on for the AWS::S3::AccountPublicAccessBlock check: a comma-separated subset of BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets, or none to turn the check off.',
      default: 'BlockPublicAcls,IgnorePublicAcls,BlockPublicPolicy,RestrictPublicBuckets',
    },
  ],
  parseParameters: (raw) => parsePublicBucketParameters(raw),
  evaluate: (item, params, context) =>
    item.resourceType === ACCOUNT_BLOCK_TYPE
      ? evaluateAccountBlock(item, params)
      : evaluateBucket(item, params, context),
};

function evaluateBucket(
  item: ConfigurationItem,
  params: PublicBucketParams,
  context: EvaluationContext,
): Verdict {
  const analysis = analyseBucket(bucketStateFromItem(item), context.account.publicAccessBlock);
  return judgeBucket(analysis, params);
}

function evaluateAccountBlock(item: ConfigurationItem, params: PublicBucketParams): Verdict {
  const flags = accountBlockFromItem(item);
  if (!flags.ok) {
    return nonCompliant([
      {
        code: 'unreadable-state',
        message: `cannot read the account-level Block Public Access: ${flags.error}`,
      },
    ]);
  }
  return judgeAccountBlock(flags.flags, params.accountLevelBlocks);
}
