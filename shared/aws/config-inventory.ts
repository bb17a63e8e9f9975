import {
  BatchGetResourceConfigCommand,
  type ConfigServiceClient,
  GetResourceConfigHistoryCommand,
  ListDiscoveredResourcesCommand,
  type ResourceKey,
  type ResourceType,
  SelectResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import type { ConfigurationItem } from '../core/model.ts';
import { InputError } from '../core/model.ts';
import { normaliseConfigurationItem, normaliseSelectResult } from '../core/normalise.ts';

/**
 * How the periodic scan reads Config's own inventory (never per-resource describe calls):
 * - `select`: one `SelectResourceConfig` page of 100 items per call (the cheapest: 0.01 reads a resource);
 * - `list`: `ListDiscoveredResources` pages of 100 ids, then `BatchGetResourceConfig` for each page
 *   (0.02 reads a resource), for resource types advanced query does not cover.
 */
export type InventoryStrategy = 'select' | 'list';

export const PAGE_SIZE = 100;
const MAX_UNPROCESSED_ROUNDS = 5;

const SELECT_FIELDS = [
  'resourceId',
  'resourceName',
  'resourceType',
  'arn',
  'accountId',
  'awsRegion',
  'configurationItemCaptureTime',
  'configurationItemStatus',
  'configuration',
  'supplementaryConfiguration',
  'tags',
].join(', ');

export function inventoryStrategyFromEnv(env: NodeJS.ProcessEnv = process.env): InventoryStrategy {
  const value = env.PLUMBLINE_INVENTORY ?? 'select';
  if (value !== 'select' && value !== 'list') {
    throw new InputError(`Invalid PLUMBLINE_INVENTORY=${JSON.stringify(value)}: expected select or list`);
  }
  return value;
}

/** Config's current items of the given types, one page (≤100 items) at a time, so memory stays flat. */
export async function* inventoryPages(
  config: ConfigServiceClient,
  resourceTypes: readonly string[],
  strategy: InventoryStrategy = 'select',
): AsyncGenerator<ConfigurationItem[]> {
  for (const resourceType of resourceTypes) {
    if (strategy === 'select') yield* selectPages(config, resourceType);
    else yield* listPages(config, resourceType);
  }
}

async function* selectPages(
  config: ConfigServiceClient,
  resourceType: string,
): AsyncGenerator<ConfigurationItem[]> {
  const expression = `SELECT ${SELECT_FIELDS} WHERE resourceType = '${resourceType.replace(/'/g, '')}'`;
  let nextToken: string | undefined;
  do {
    const page = await config.send(
      new SelectResourceConfigCommand({ Expression: expression, Limit: PAGE_SIZE, NextToken: nextToken }),
    );
    const items = (page.Results ?? []).map((row) => normaliseSelectResult(row));
    if (items.length > 0) yield items;
    nextToken = page.NextToken;
  } while (nextToken);
}

async function* listPages(
  config: ConfigServiceClient,
  resourceType: string,
): AsyncGenerator<ConfigurationItem[]> {
  let nextToken: string | undefined;
  do {
    const page = await config.send(
      new ListDiscoveredResourcesCommand({
        resourceType: resourceType as ResourceType,
        limit: PAGE_SIZE,
        nextToken,
      }),
    );
    const keys: ResourceKey[] = (page.resourceIdentifiers ?? []).flatMap((identifier) =>
      identifier.resourceId && identifier.resourceType
        ? [{ resourceType: identifier.resourceType, resourceId: identifier.resourceId }]
        : [],
    );
    if (keys.length > 0) {
      const items = await batchGet(config, keys);
      if (items.length > 0) yield items;
    }
    nextToken = page.nextToken;
  } while (nextToken);
}

/** `BatchGetResourceConfig`, asking again for keys Config left unprocessed. */
async function batchGet(config: ConfigServiceClient, keys: ResourceKey[]): Promise<ConfigurationItem[]> {
  const items: ConfigurationItem[] = [];
  let pending = keys;
  for (let round = 0; pending.length > 0; round++) {
    if (round === MAX_UNPROCESSED_ROUNDS) {
      throw new Error(
        `BatchGetResourceConfig left ${pending.length} resource keys unprocessed after ${round} rounds`,
      );
    }
    const response = await config.send(new BatchGetResourceConfigCommand({ resourceKeys: pending }));
    for (const item of response.baseConfigurationItems ?? []) {
      items.push(normaliseConfigurationItem(item, 'BatchGetResourceConfig item'));
    }
    pending = response.unprocessedResourceKeys ?? [];
  }
  return items;
}

/** The full item for an oversized change notification: the newest history entry at or before capture time. */
export async function fetchConfigurationItem(
  config: ConfigServiceClient,
  resourceType: string,
  resourceId: string,
  captureTime: Date,
): Promise<ConfigurationItem | undefined> {
  const response = await config.send(
    new GetResourceConfigHistoryCommand({
      resourceType: resourceType as ResourceType,
      resourceId,
      laterTime: captureTime,
      limit: 1,
    }),
  );
  const item = response.configurationItems?.[0];
  return item === undefined ? undefined : normaliseConfigurationItem(item, 'GetResourceConfigHistory item');
}
