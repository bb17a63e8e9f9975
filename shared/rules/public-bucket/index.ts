export {
  type AclGrant,
  grantsFromApi,
  grantsFromCloudTrail,
  grantsFromConfigItem,
  publicGrants,
} from './acl.ts';
export {
  analyseBucket,
  type BucketAnalysis,
  type BucketState,
  type Exposure,
  isEffective,
} from './analyse.ts';
export { ALL_BLOCKED, BLOCK_SETTINGS, type BlockSetting, flagsFromApi, isFullyBlocked } from './block.ts';
export {
  ACCOUNT_BLOCK_TYPE,
  accountBlockFromItem,
  BUCKET_TYPE,
  bucketStateFromItem,
} from './configuration-item.ts';
export {
  type PublicBucketParams,
  parsePublicBucketParameters,
  parseResponderSettings,
  type ResponderSettings,
} from './parameters.ts';
export { type ParsedPolicy, parsePolicy, publicStatements } from './policy.ts';
export { publicBucketRule } from './rule.ts';
export { countedExposures, isExcluded, judgeAccountBlock, judgeBucket } from './verdict.ts';
