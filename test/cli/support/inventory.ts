/**
 * The example snapshot served as AWS Config's inventory would serve it: `SelectResourceConfig` rows (one JSON
 * string each, tags as key/value/tag, AWS Config Developer Guide "Querying the Current Configuration State
 * of AWS Resources") and `BatchGetResourceConfig` items (JSON strings, no tags).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_SNAPSHOT, REPO } from './cli.ts';

export type RawItem = Record<string, unknown> & {
  resourceType: string;
  resourceId: string;
  awsRegion: string;
  tags: Record<string, string>;
};

export function exampleItems(): RawItem[] {
  return JSON.parse(readFileSync(join(REPO, EXAMPLE_SNAPSHOT), 'utf8')).configurationItems;
}

export function selectRow(item: RawItem): string {
  return JSON.stringify({
    resourceId: item.resourceId,
    ...(item.resourceName ? { resourceName: item.resourceName } : {}),
    resourceType: item.resourceType,
    ...(item.ARN ? { arn: item.ARN } : {}),
    accountId: item.awsAccountId,
    awsRegion: item.awsRegion,
    configurationItemCaptureTime: item.configurationItemCaptureTime,
    configurationItemStatus: item.configurationItemStatus,
    configuration: item.configuration,
    supplementaryConfiguration: item.supplementaryConfiguration,
    tags: Object.entries(item.tags).map(([key, value]) => ({ key, value, tag: `${key}=${value}` })),
  });
}

export function baseConfigurationItem(item: RawItem): Record<string, unknown> {
  return {
    version: '1.3',
    accountId: item.awsAccountId,
    configurationItemCaptureTime: new Date(item.configurationItemCaptureTime as string),
    configurationItemStatus: item.configurationItemStatus,
    arn: item.ARN,
    resourceType: item.resourceType,
    resourceId: item.resourceId,
    resourceName: item.resourceName,
    awsRegion: item.awsRegion,
    configuration: JSON.stringify(item.configuration),
    supplementaryConfiguration: Object.fromEntries(
      Object.entries(item.supplementaryConfiguration as Record<string, unknown>).map(([key, value]) => [
        key,
        typeof value === 'string' ? value : JSON.stringify(value),
      ]),
    ),
  };
}

/** The resource types an advanced query asks for: `resourceType = '…'` or `resourceType IN ('…', …)`. */
export function queriedTypes(expression: string): string[] {
  const match = /WHERE resourceType (?:= ('[^']+')|IN \(([^)]*)\))$/.exec(expression);
  const list = match?.[1] ?? match?.[2];
  if (list === undefined) throw new Error(`unexpected query: ${expression}`);
  return list.split(',').map((quoted) => quoted.trim().replace(/^'|'$/g, ''));
}
