/**
 * `ec2-ebs-optimized`: instances whose type supports EBS optimization have it on. A drop-in for the managed
 * rule ebs-optimized-instance (AWS Config Developer Guide, "ebs-optimized-instance":
 * https://docs.aws.amazon.com/config/latest/developerguide/ebs-optimized-instance.html; no parameters;
 * "EC2 instances which are EBS-optimized by default always result in ... COMPLIANT"), judged from the
 * `AWS::EC2::Instance` item (`configuration.instanceType`, `configuration.ebsOptimized`,
 * `configuration.state.name`) and the table in `instance-types.ts`.
 */
import { compliant, nonCompliant, notApplicable, type Rule } from '../../core/model.ts';
import { cannotJudge, parseNoParameters, quoted } from '../../core/rule-kit.ts';
import { ebsOptimizationSupport } from './instance-types.ts';

export { ebsOptimizationSupport } from './instance-types.ts';

export const INSTANCE_TYPE = 'AWS::EC2::Instance';

/** Instance states in which the instance no longer runs nor can be started again. */
const ENDED = new Set(['shutting-down', 'terminated']);

export const ec2EbsOptimizedRule: Rule<Record<string, never>> = {
  name: 'ec2-ebs-optimized',
  description:
    'EC2 instances whose type supports EBS optimization without having it by default have it enabled; types EBS-optimized by default are COMPLIANT, types without EBS optimization NOT_APPLICABLE.',
  resourceTypes: [INSTANCE_TYPE],
  severity: 2,
  parameterDocs: [],
  managedRuleDifferences: [
    'An instance type Plumbline’s table cannot place (malformed, or an unlisted size of a previous-generation family) is NON_COMPLIANT, cannot judge, naming the type.',
  ],
  parseParameters: parseNoParameters,
  evaluate(item) {
    const configuration = item.configuration ?? {};
    const id = typeof configuration.instanceId === 'string' ? configuration.instanceId : item.resourceId;
    const stateName = (configuration.state as { name?: unknown } | null | undefined)?.name;
    if (typeof stateName === 'string' && ENDED.has(stateName)) {
      return notApplicable(`instance ${id} is ${stateName}`, 'instance-ended');
    }
    const instanceType = configuration.instanceType;
    if (typeof instanceType !== 'string') {
      return cannotJudge(`instance ${id}: configuration.instanceType is ${quoted(instanceType)}`);
    }
    const support = ebsOptimizationSupport(instanceType);
    if (support === 'unsupported') {
      return notApplicable(
        `instance ${id}: instance type ${instanceType} does not support EBS optimization`,
        'not-supported',
      );
    }
    if (support === 'default') {
      return compliant([
        {
          code: 'optimized-by-default',
          message: `instance ${id}: instance type ${instanceType} is EBS-optimized by default`,
        },
      ]);
    }
    const ebsOptimized = configuration.ebsOptimized;
    if (ebsOptimized === true) return compliant();
    if (support === 'unknown') {
      return cannotJudge(
        `instance ${id}: instance type ${quoted(instanceType)} is not in Plumbline's EBS-optimization table and EBS optimization is not on (check it with aws ec2 describe-instance-types)`,
      );
    }
    if (ebsOptimized !== false) {
      return cannotJudge(`instance ${id}: configuration.ebsOptimized is ${quoted(ebsOptimized)}`);
    }
    return nonCompliant([
      {
        code: 'not-ebs-optimized',
        message: `instance ${id}: instance type ${instanceType} supports EBS optimization but ebsOptimized is false`,
        details: { instanceId: id, instanceType },
      },
    ]);
  },
};
