/**
 * `rds-not-public`: RDS DB instances are not publicly accessible. A drop-in for the managed rule
 * rds-instance-public-access-check (AWS Config Developer Guide, "rds-instance-public-access-check":
 * https://docs.aws.amazon.com/config/latest/developerguide/rds-instance-public-access-check.html; no
 * parameters; NON_COMPLIANT when `publiclyAccessible` is true), judged from the `AWS::RDS::DBInstance` item
 * (`configuration.publiclyAccessible`, `configuration.dBInstanceIdentifier`; awslabs/aws-config-resource-schema).
 */
import type { ConfigurationItem } from '../../core/model.ts';
import { compliant, nonCompliant, type Rule } from '../../core/model.ts';
import { cannotJudge, parseNoParameters, quoted } from '../../core/rule-kit.ts';

export const DB_INSTANCE_TYPE = 'AWS::RDS::DBInstance';

/** The DB instance identifier as a finding names it. */
export function dbInstanceName(item: ConfigurationItem): string {
  const identifier = item.configuration?.dBInstanceIdentifier;
  return typeof identifier === 'string' && identifier !== ''
    ? identifier
    : (item.resourceName ?? item.resourceId);
}

export const rdsNotPublicRule: Rule<Record<string, never>> = {
  name: 'rds-not-public',
  description:
    'RDS DB instances are not publicly accessible (publiclyAccessible off: no public IP address, reachable only from inside the VPC).',
  resourceTypes: [DB_INSTANCE_TYPE],
  severity: 9,
  parameterDocs: [],
  parseParameters: parseNoParameters,
  evaluate(item) {
    const name = dbInstanceName(item);
    const publiclyAccessible = item.configuration?.publiclyAccessible;
    if (typeof publiclyAccessible !== 'boolean') {
      return cannotJudge(
        `DB instance ${name}: configuration.publiclyAccessible is ${quoted(publiclyAccessible)}`,
      );
    }
    if (!publiclyAccessible) return compliant();
    return nonCompliant([
      {
        code: 'publicly-accessible',
        message: `DB instance ${name} is publicly accessible (publiclyAccessible is true)`,
        details: { dbInstanceIdentifier: name },
      },
    ]);
  },
};
