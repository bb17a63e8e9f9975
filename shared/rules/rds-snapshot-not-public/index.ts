/**
 * `rds-snapshot-not-public`: RDS DB snapshots and DB cluster snapshots are not public. A drop-in for the
 * managed rule rds-snapshots-public-prohibited (AWS Config Developer Guide, "rds-snapshots-public-prohibited":
 * https://docs.aws.amazon.com/config/latest/developerguide/rds-snapshots-public-prohibited.html; resource
 * types AWS::RDS::DBSnapshot and AWS::RDS::DBClusterSnapshot; no parameters), judged from the snapshot's
 * `restore` attribute as its configuration item records it (see `snapshot.ts`). Sharing with named
 * accounts is not public: COMPLIANT, and the finding lists them.
 */
import { compliant, nonCompliant, type Rule } from '../../core/model.ts';
import { cannotJudge, parseNoParameters } from '../../core/rule-kit.ts';
import {
  DB_CLUSTER_SNAPSHOT_TYPE,
  DB_SNAPSHOT_TYPE,
  isPublic,
  publicSnapshotMessage,
  readSnapshotSharing,
  sharedAccounts,
} from './snapshot.ts';

export {
  planMakeSnapshotPrivate,
  planSnapshotPrivate,
  type SnapshotPrivatePlan,
} from './remediation.ts';
export {
  DB_CLUSTER_SNAPSHOT_TYPE,
  DB_SNAPSHOT_TYPE,
  isPublic,
  readSnapshotSharing,
  type SnapshotSharing,
  sharedAccounts,
} from './snapshot.ts';

export const rdsSnapshotNotPublicRule: Rule<Record<string, never>> = {
  name: 'rds-snapshot-not-public',
  description:
    'RDS DB snapshots and DB cluster snapshots are not public (their restore attribute does not include all); sharing with named accounts is allowed and listed.',
  resourceTypes: [DB_SNAPSHOT_TYPE, DB_CLUSTER_SNAPSHOT_TYPE],
  severity: 9,
  parameterDocs: [],
  managedRuleDifferences: [
    'A manual snapshot whose configuration item records no snapshot attributes is NON_COMPLIANT, cannot judge, rather than assumed private.',
  ],
  parseParameters: parseNoParameters,
  evaluate(item) {
    const reading = readSnapshotSharing(item);
    if (!reading.ok) return cannotJudge(reading.problem);
    const { sharing } = reading;
    const label = `${sharing.kind} ${sharing.identifier}`;
    if (sharing.restore === undefined) {
      // RDS does not let an automated snapshot be shared: without attributes it is private.
      if (sharing.snapshotType === 'automated') return compliant();
      return cannotJudge(
        `${label}: its snapshot attributes (who may restore it) are not recorded in supplementaryConfiguration.${sharing.isCluster ? 'DBClusterSnapshotAttributes' : 'DBSnapshotAttributes'}`,
      );
    }
    const accounts = sharedAccounts(sharing);
    if (isPublic(sharing)) {
      return nonCompliant([
        {
          code: 'public-snapshot',
          message: publicSnapshotMessage(sharing),
          details: { snapshot: sharing.identifier, sharedWith: accounts },
        },
      ]);
    }
    if (accounts.length === 0) return compliant();
    return compliant([
      {
        code: 'shared-with-accounts',
        message: `${label} is shared with AWS account${accounts.length === 1 ? '' : 's'} ${accounts.join(', ')} (not public)`,
        details: { snapshot: sharing.identifier, sharedWith: accounts },
      },
    ]);
  },
};
