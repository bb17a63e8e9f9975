/**
 * The `security-group` Config rule: world-open blocked or unauthorized ports, and drift from the group's
 * baseline, each cause named in the annotation (`tcp 22 open to 0.0.0.0/0`; `extra: tcp 8080 from 10.0.0.0/8`).
 */
import { compliant, nonCompliant, type Reason, type Rule, type Verdict } from '../../core/model.ts';
import { diffAgainstBaseline, driftReasons, resolutionError, resolveBaseline } from './baselines.ts';
import {
  MANAGED_RULE_DIFFERENCES,
  PARAMETER_DOCS,
  parseSecurityGroupParameters,
  type SecurityGroupParams,
} from './parameters.ts';
import { describeUnreadable, type GroupState, groupStateFromConfiguration } from './permissions.ts';
import { worldOpenReasons } from './world-open.ts';

export const SECURITY_GROUP_RESOURCE_TYPE = 'AWS::EC2::SecurityGroup';

/** The verdict on one group's state: the pure core shared by the Config rule, the CLI and the responder. */
export function judgeSecurityGroup(group: GroupState, params: SecurityGroupParams): Verdict {
  // Fail closed: a rule that cannot be read may open anything, so the group is never COMPLIANT with one.
  const reasons: Reason[] = (group.unreadable ?? []).map((unreadable) => ({
    code: 'unreadable-rule',
    message: `cannot judge ${describeUnreadable(unreadable)}`,
    details: { direction: unreadable.direction, field: unreadable.field, value: unreadable.value },
  }));
  reasons.push(...worldOpenReasons(group.ingress, params));
  const resolution = resolveBaseline(group, params.baselines);
  const problem = resolutionError(group.groupId, resolution);
  if (problem !== undefined) {
    reasons.push({
      code: resolution.kind === 'conflict' ? 'baseline-conflict' : 'baseline-unknown',
      message: problem.message,
      details: { baseline: problem.baseline },
    });
  } else if (resolution.kind === 'matched') {
    reasons.push(...driftReasons(diffAgainstBaseline(group, resolution.baseline), resolution.baseline.name));
  }
  if (reasons.length > 0) return nonCompliant(reasons);
  const ports = params.authorized === undefined ? 'blocked' : 'blocked or unauthorized';
  const matched = resolution.kind === 'matched' ? `; matches baseline ${resolution.baseline.name}` : '';
  return compliant([{ code: 'security-group-ok', message: `no ${ports} port open to the world${matched}` }]);
}

export const securityGroupRule: Rule<SecurityGroupParams> = {
  name: 'security-group',
  description:
    'Security groups must not open blocked (or unauthorized) ports to 0.0.0.0/0 or ::/0, and must match their declared baseline rule by rule.',
  resourceTypes: [SECURITY_GROUP_RESOURCE_TYPE],
  deployParameters: ['blockedPorts'],
  severity: 8,
  parameterDocs: PARAMETER_DOCS,
  managedRuleDifferences: MANAGED_RULE_DIFFERENCES,
  parseParameters: parseSecurityGroupParameters,
  evaluate(item, params) {
    const group = groupStateFromConfiguration(
      item.configuration,
      item.tags,
      `${item.resourceId}.configuration`,
    );
    return judgeSecurityGroup(group, params);
  },
};
