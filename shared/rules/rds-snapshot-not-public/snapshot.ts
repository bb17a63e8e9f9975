/**
 * Reading who may restore an RDS snapshot from its configuration item. Config records the snapshot's
 * attributes (the RDS `DescribeDBSnapshotAttributes` / `DescribeDBClusterSnapshotAttributes` result) as
 * a supplementary value, a list of `{attributeName, attributeValues}` (awslabs/aws-config-resource-schema,
 * `AWS::RDS::DBSnapshot` → `supplementaryConfiguration.DBSnapshotAttributes`, `AWS::RDS::DBClusterSnapshot`
 * → `supplementaryConfiguration.DBClusterSnapshotAttributes`; JSON text from the API, parsed by the
 * normaliser). The `restore` attribute lists the AWS accounts allowed to copy or restore a manual snapshot;
 * the value `all` makes it public (RDS API Reference, `ModifyDBSnapshotAttribute`).
 */
import type { ConfigurationItem } from '../../core/model.ts';
import { quoted, supplementaryField } from '../../core/rule-kit.ts';

export const DB_SNAPSHOT_TYPE = 'AWS::RDS::DBSnapshot';
export const DB_CLUSTER_SNAPSHOT_TYPE = 'AWS::RDS::DBClusterSnapshot';

export const RESTORE_ATTRIBUTE = 'restore';
export const PUBLIC_VALUE = 'all';

export interface SnapshotSharing {
  /** `DB snapshot` or `DB cluster snapshot`. */
  kind: string;
  identifier: string;
  /** Whether `identifier` is the snapshot identifier Config recorded (not a fallback to the resource name). */
  identifierRecorded: boolean;
  isCluster: boolean;
  snapshotType?: string | undefined;
  /** The `restore` attribute's values; undefined when Config recorded no attributes. */
  restore?: string[] | undefined;
}

export type SharingReading = { ok: true; sharing: SnapshotSharing } | { ok: false; problem: string };

export function readSnapshotSharing(item: ConfigurationItem): SharingReading {
  const isCluster = item.resourceType === DB_CLUSTER_SNAPSHOT_TYPE;
  const kind = isCluster ? 'DB cluster snapshot' : 'DB snapshot';
  const configuration = item.configuration ?? {};
  // Config's spelling of the cluster snapshot's fields is `dbclusterSnapshotIdentifier`.
  const identifierField = isCluster ? 'dbclusterSnapshotIdentifier' : 'dBSnapshotIdentifier';
  const recordedIdentifier = configuration[identifierField];
  const identifierRecorded = typeof recordedIdentifier === 'string' && recordedIdentifier !== '';
  const identifier = identifierRecorded ? recordedIdentifier : (item.resourceName ?? item.resourceId);
  const snapshotType =
    typeof configuration.snapshotType === 'string' ? configuration.snapshotType : undefined;
  const attributesField = isCluster ? 'DBClusterSnapshotAttributes' : 'DBSnapshotAttributes';
  const attributes = supplementaryField(item, attributesField);
  const sharing: SnapshotSharing = { kind, identifier, identifierRecorded, isCluster, snapshotType };
  if (attributes === undefined || attributes === null) return { ok: true, sharing };
  const where = `${kind} ${identifier}: supplementaryConfiguration.${attributesField}`;
  if (!Array.isArray(attributes))
    return { ok: false, problem: `${where} is ${quoted(attributes)}, not a list` };
  const restore: string[] = [];
  for (const [index, attribute] of attributes.entries()) {
    const { attributeName, attributeValues } = (attribute ?? {}) as Record<string, unknown>;
    if (typeof attributeName !== 'string') {
      return { ok: false, problem: `${where}[${index}].attributeName is ${quoted(attributeName)}` };
    }
    if (attributeName !== RESTORE_ATTRIBUTE) continue;
    const values = attributeValues ?? [];
    if (!Array.isArray(values) || values.some((value) => typeof value !== 'string')) {
      return { ok: false, problem: `${where}[${index}].attributeValues is ${quoted(values)}` };
    }
    restore.push(...(values as string[]));
  }
  return { ok: true, sharing: { ...sharing, restore } };
}

export function isPublic(sharing: SnapshotSharing): boolean {
  return sharing.restore?.includes(PUBLIC_VALUE) ?? false;
}

/** The account ids the snapshot is shared with (every restore value but `all`). */
export function sharedAccounts(sharing: SnapshotSharing): string[] {
  return (sharing.restore ?? []).filter((value) => value !== PUBLIC_VALUE);
}

/** Why a public snapshot is public, in words (the rule's finding and the responder's notice). */
export function publicSnapshotMessage(sharing: SnapshotSharing): string {
  const accounts = sharedAccounts(sharing);
  const also = accounts.length > 0 ? ` (also shared with ${accounts.join(', ')})` : '';
  return `${sharing.kind} ${sharing.identifier} is public: its restore attribute includes "all", so any AWS account can copy or restore it${also}`;
}
