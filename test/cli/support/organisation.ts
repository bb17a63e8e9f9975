/**
 * A synced Config bucket in the layout AWS Config delivers to S3 (AWS Config Developer Guide, "Example
 * Configuration Snapshot Delivery Notification": s3ObjectKey
 * `AWSLogs/123456789012/Config/us-east-2/2016/9/27/ConfigSnapshot/123456789012_Config_us-east-2_ConfigSnapshot_20160927T183939Z_16da64e4-cb65-4846-b061-e6c3ba43cb96.json.gz`),
 * written gzipped into a temporary folder: 2 accounts × 2 regions × 2 days of snapshots, and a configuration
 * history file beside each newer snapshot. The items are the example snapshot's security groups, moved to
 * each account and region.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tempDir } from './cli.ts';
import { exampleItems, type RawItem } from './inventory.ts';

export const ACCOUNTS = ['111122223333', '444455556666'] as const;
export const REGIONS = ['eu-west-1', 'us-east-1'] as const;
/** The two deliveries: [folder date, time in the file name, capture time of its items]. */
export const DAYS = [
  { folder: '2026/11/20', stamp: '20261120T010203Z', capture: '2026-11-20T01:00:00.000Z' },
  { folder: '2026/11/21', stamp: '20261121T010203Z', capture: '2026-11-21T01:00:00.000Z' },
] as const;

const OPEN_SSH = 'sg-01a3c5e7092b4d6f8'; // tcp 22 open to 0.0.0.0/0 in the example
const CLOSED = 'sg-03c5e7a9b1d3f5a7c'; // no blocked port open to the world

/** `sg-0<account index><region index><kind>…`, 17 hex digits like a real group id. */
export function groupId(account: string, region: string, kind: 'a' | 'b' | 'c'): string {
  const code = `0${ACCOUNTS.indexOf(account as (typeof ACCOUNTS)[number]) + 1}${REGIONS.indexOf(region as (typeof REGIONS)[number]) + 1}${kind}`;
  return `sg-${code.padEnd(17, '0')}`;
}

function group(
  template: string,
  account: string,
  region: string,
  kind: 'a' | 'b' | 'c',
  capture: string,
): RawItem {
  const item = exampleItems().find((candidate) => candidate.resourceId === template);
  if (item === undefined) throw new Error(`the example snapshot has no ${template}`);
  const id = groupId(account, region, kind);
  return {
    ...item,
    resourceId: id,
    resourceName: `${kind === 'a' ? 'bastion' : kind === 'b' ? 'retired' : 'history-only'}-${account}-${region}`,
    ARN: `arn:aws:ec2:${region}:${account}:security-group/${id}`,
    awsAccountId: account,
    awsRegion: region,
    configurationItemCaptureTime: capture,
    configuration: { ...(item.configuration as Record<string, unknown>), groupId: id, ownerId: account },
  };
}

export function snapshotKey(
  account: string,
  region: string,
  day: { folder: string; stamp: string },
  id: string,
): string {
  return `AWSLogs/${account}/Config/${region}/${day.folder}/ConfigSnapshot/${account}_Config_${region}_ConfigSnapshot_${day.stamp}_${id}.json.gz`;
}

export function historyKey(account: string, region: string): string {
  const day = DAYS[1];
  return `AWSLogs/${account}/Config/${region}/${day.folder}/ConfigHistory/${account}_Config_${region}_ConfigHistory_AWS::EC2::SecurityGroup_${day.stamp}_${day.stamp}_1.json.gz`;
}

/** A stable snapshot id per delivery (a UUID in the real layout). */
export function snapshotId(account: string, region: string, dayIndex: number): string {
  const tail = `${ACCOUNTS.indexOf(account as (typeof ACCOUNTS)[number])}${REGIONS.indexOf(region as (typeof REGIONS)[number])}${dayIndex}`;
  return `16da64e4-cb65-4846-b061-e6c3ba43c${tail}`;
}

function writeGzipJson(root: string, key: string, document: unknown): void {
  const path = join(root, key);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, gzipSync(JSON.stringify(document)));
}

/**
 * Writes the bucket under `root/<prefix>` and returns the folder that holds `AWSLogs/`. In each account and
 * region: on the first day the bastion group `a` is closed and a group `b` is open (deleted by the second
 * day, so only the first day's snapshot has it); on the second day `a` opens SSH to the world. The history
 * file holds a group `c` no snapshot has.
 */
export function writeOrganisationBucket(root: string = tempDir('plumbline-org-'), prefix = 'bucket'): string {
  const folder = join(root, prefix);
  for (const account of ACCOUNTS) {
    for (const region of REGIONS) {
      DAYS.forEach((day, index) => {
        const items =
          index === 0
            ? [
                group(CLOSED, account, region, 'a', day.capture),
                group(OPEN_SSH, account, region, 'b', day.capture),
              ]
            : [group(OPEN_SSH, account, region, 'a', day.capture)];
        const id = snapshotId(account, region, index);
        writeGzipJson(folder, snapshotKey(account, region, day, id), {
          fileVersion: '1.0',
          configSnapshotId: id,
          configurationItems: items,
        });
      });
      writeGzipJson(folder, historyKey(account, region), {
        fileVersion: '1.0',
        configurationItems: [group(OPEN_SSH, account, region, 'c', DAYS[1].capture)],
      });
    }
  }
  return folder;
}
