/**
 * The RDS adapter: reading who may restore a DB snapshot or DB cluster snapshot
 * (`DescribeDBSnapshotAttributes` / `DescribeDBClusterSnapshotAttributes`) and sending the plan that makes
 * one private (`ModifyDBSnapshotAttribute` / `ModifyDBClusterSnapshotAttribute`). `snapshotPort` is what the
 * `rds-snapshot-private` spec is given.
 */
import {
  type DBClusterSnapshotAttribute,
  type DBSnapshotAttribute,
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBSnapshotAttributesCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  ModifyDBSnapshotAttributeCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { SnapshotPrivatePlan } from '../rules/rds-snapshot-not-public/remediation.ts';
import {
  SnapshotGoneError,
  type SnapshotPort,
  type SnapshotTarget,
} from '../rules/rds-snapshot-not-public/responder.ts';
import { RESTORE_ATTRIBUTE, type SnapshotSharing } from '../rules/rds-snapshot-not-public/snapshot.ts';
import { errorText } from './clients.ts';

const NOT_FOUND = new Set(['DBSnapshotNotFoundFault', 'DBClusterSnapshotNotFoundFault']);

/** The `restore` values of RDS's attribute list (an attribute without values: none). */
function restoreValues(attributes: readonly (DBSnapshotAttribute | DBClusterSnapshotAttribute)[]): string[] {
  return attributes
    .filter((attribute) => attribute.AttributeName === RESTORE_ATTRIBUTE)
    .flatMap((attribute) => attribute.AttributeValues ?? []);
}

async function readSharing(rds: RDSClient, target: SnapshotTarget): Promise<SnapshotSharing> {
  const call = target.isCluster ? 'DescribeDBClusterSnapshotAttributes' : 'DescribeDBSnapshotAttributes';
  try {
    if (target.isCluster) {
      const { DBClusterSnapshotAttributesResult: result } = await rds.send(
        new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: target.identifier }),
      );
      return {
        kind: 'DB cluster snapshot',
        identifier: result?.DBClusterSnapshotIdentifier ?? target.identifier,
        identifierRecorded: true,
        isCluster: true,
        restore: restoreValues(result?.DBClusterSnapshotAttributes ?? []),
      };
    }
    const { DBSnapshotAttributesResult: result } = await rds.send(
      new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: target.identifier }),
    );
    return {
      kind: 'DB snapshot',
      identifier: result?.DBSnapshotIdentifier ?? target.identifier,
      identifierRecorded: true,
      isCluster: false,
      restore: restoreValues(result?.DBSnapshotAttributes ?? []),
    };
  } catch (error) {
    const name = (error as Error).name;
    if (NOT_FOUND.has(name)) throw new SnapshotGoneError(target.identifier, `${call} returned ${name}`);
    throw new Error(`RDS ${call} on ${target.identifier} failed: ${errorText(error)}`, { cause: error });
  }
}

async function makePrivate(rds: RDSClient, plan: SnapshotPrivatePlan): Promise<void> {
  const { input } = plan;
  const values = { AttributeName: input.AttributeName, ValuesToRemove: [...input.ValuesToRemove] };
  const identifier =
    'DBClusterSnapshotIdentifier' in input ? input.DBClusterSnapshotIdentifier : input.DBSnapshotIdentifier;
  try {
    if ('DBClusterSnapshotIdentifier' in input) {
      await rds.send(
        new ModifyDBClusterSnapshotAttributeCommand({
          DBClusterSnapshotIdentifier: input.DBClusterSnapshotIdentifier,
          ...values,
        }),
      );
    } else {
      await rds.send(
        new ModifyDBSnapshotAttributeCommand({ DBSnapshotIdentifier: input.DBSnapshotIdentifier, ...values }),
      );
    }
  } catch (error) {
    throw new Error(`RDS ${plan.action} on ${identifier} failed: ${errorText(error)}`, { cause: error });
  }
}

/** The `rds-snapshot-private` spec's port onto RDS in one account and Region. */
export function snapshotPort(rds: RDSClient): SnapshotPort {
  return {
    readSharing: (target) => readSharing(rds, target),
    makePrivate: (plan) => makePrivate(rds, plan),
  };
}
