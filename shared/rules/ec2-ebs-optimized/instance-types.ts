/**
 * Which EC2 instance types support EBS optimization, and which are EBS-optimized by default.
 *
 * Sources:
 * - Amazon EBS User Guide, "Amazon EBS-optimized instance types"
 *   (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-optimized.html, formerly the EC2 User Guide's
 *   "EBS-optimized instances" page, https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ebs-optimized.html):
 *   every current-generation instance type is EBS-optimized by default; the previous-generation types that
 *   *support* EBS optimization without having it by default are the seventeen listed in
 *   {@link SUPPORTED_NOT_BY_DEFAULT} (cdk-nag's EC2EBSOptimizedInstance check cites the same list).
 * - Amazon EC2 "Previous generation instances" (https://aws.amazon.com/ec2/previous-generation/) for the
 *   previous-generation families; their remaining sizes do not support EBS optimization
 *   ({@link NOT_SUPPORTED}).
 * - Per type, `aws ec2 describe-instance-types --instance-types TYPE --query
 *   "InstanceTypes[].EbsInfo.EbsOptimizedSupport"` answers `default`, `supported` or `unsupported`
 *   (EC2 API Reference, `EbsInfo`): the way to check a type this table does not know.
 *
 * The previous generation is closed: AWS adds no new previous-generation types, and every family launched
 * since C4 (2015) is EBS-optimized by default. So a well-formed type outside the previous-generation
 * families is judged EBS-optimized by default, and the only types the table cannot place are malformed ones
 * or an unlisted size of a previous-generation family: those the rule cannot judge (fail closed).
 */

/** Previous-generation types that support EBS optimization but do not have it by default. */
export const SUPPORTED_NOT_BY_DEFAULT: ReadonlySet<string> = new Set([
  'c1.xlarge',
  'c3.xlarge',
  'c3.2xlarge',
  'c3.4xlarge',
  'g2.2xlarge',
  'i2.xlarge',
  'i2.2xlarge',
  'i2.4xlarge',
  'm1.large',
  'm1.xlarge',
  'm2.2xlarge',
  'm2.4xlarge',
  'm3.xlarge',
  'm3.2xlarge',
  'r3.xlarge',
  'r3.2xlarge',
  'r3.4xlarge',
]);

/** Types that do not support EBS optimization at all (previous generation, and T2). */
export const NOT_SUPPORTED: ReadonlySet<string> = new Set([
  't1.micro',
  't2.nano',
  't2.micro',
  't2.small',
  't2.medium',
  't2.large',
  't2.xlarge',
  't2.2xlarge',
  'm1.small',
  'm1.medium',
  'm2.xlarge',
  'm3.medium',
  'm3.large',
  'c1.medium',
  'c3.large',
  'c3.8xlarge',
  'r3.large',
  'r3.8xlarge',
  'i2.8xlarge',
  'g2.8xlarge',
  'cc2.8xlarge',
  'cg1.4xlarge',
  'cr1.8xlarge',
  'hi1.4xlarge',
  'hs1.8xlarge',
]);

/** The families of the two lists above: a size of one of these that neither list holds is unknown. */
export const PREVIOUS_GENERATION_FAMILIES: ReadonlySet<string> = new Set(
  [...SUPPORTED_NOT_BY_DEFAULT, ...NOT_SUPPORTED].map((type) => type.split('.')[0] ?? ''),
);

/** `family.size`, e.g. `m5.large`, `c7i-flex.xlarge`, `u-6tb1.metal`, `mac2-m2pro.metal`. */
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;

export type EbsOptimizationSupport = 'default' | 'supported' | 'unsupported' | 'unknown';

export function ebsOptimizationSupport(instanceType: string): EbsOptimizationSupport {
  if (SUPPORTED_NOT_BY_DEFAULT.has(instanceType)) return 'supported';
  if (NOT_SUPPORTED.has(instanceType)) return 'unsupported';
  if (!INSTANCE_TYPE.test(instanceType)) return 'unknown';
  const family = instanceType.slice(0, instanceType.indexOf('.'));
  return PREVIOUS_GENERATION_FAMILIES.has(family) ? 'unknown' : 'default';
}
