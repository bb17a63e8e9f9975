/**
 * The planning core of the opt-in remediation "make a public RDS snapshot private": which RDS call removes
 * `all` from the snapshot's `restore` attribute (RDS API Reference, `ModifyDBSnapshotAttribute` /
 * `ModifyDBClusterSnapshotAttribute`: `AttributeName` restore, `ValuesToRemove` ["all"]). Only `all` is
 * removed: the accounts the snapshot is shared with by name keep their access (never touch what the
 * guardrail does not judge), and nothing is ever added. No runtime here: the responder runtime sends it.
 */
import type { ConfigurationItem } from '../../core/model.ts';
import {
  isPublic,
  PUBLIC_VALUE,
  RESTORE_ATTRIBUTE,
  readSnapshotSharing,
  type SnapshotSharing,
} from './snapshot.ts';

export type SnapshotPrivatePlan =
  | {
      action: 'ModifyDBSnapshotAttribute';
      input: { DBSnapshotIdentifier: string; AttributeName: 'restore'; ValuesToRemove: readonly ['all'] };
    }
  | {
      action: 'ModifyDBClusterSnapshotAttribute';
      input: {
        DBClusterSnapshotIdentifier: string;
        AttributeName: 'restore';
        ValuesToRemove: readonly ['all'];
      };
    };

/**
 * The call that makes the snapshot private, or undefined when there is nothing to do: it is not public, or
 * its attributes or its identifier cannot be read (a remediation never acts on what it cannot read).
 */
export function planMakeSnapshotPrivate(item: ConfigurationItem): SnapshotPrivatePlan | undefined {
  const reading = readSnapshotSharing(item);
  return reading.ok ? planSnapshotPrivate(reading.sharing) : undefined;
}

/**
 * The same plan from the snapshot's sharing as read (from its configuration item, or from RDS's
 * `Describe…SnapshotAttributes` by the responder): undefined unless it is public and its identifier is known.
 */
export function planSnapshotPrivate(sharing: SnapshotSharing): SnapshotPrivatePlan | undefined {
  if (!isPublic(sharing) || !sharing.identifierRecorded) return undefined;
  const change = { AttributeName: RESTORE_ATTRIBUTE, ValuesToRemove: [PUBLIC_VALUE] } as const;
  return sharing.isCluster
    ? {
        action: 'ModifyDBClusterSnapshotAttribute',
        input: { DBClusterSnapshotIdentifier: sharing.identifier, ...change },
      }
    : { action: 'ModifyDBSnapshotAttribute', input: { DBSnapshotIdentifier: sharing.identifier, ...change } };
}
