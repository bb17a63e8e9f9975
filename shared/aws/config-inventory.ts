import {
  BatchGetResourceConfigCommand,
  type ConfigServiceClient,
  GetResourceConfigHistoryCommand,
  ListDiscoveredResourcesCommand,
  type ResourceKey,
  type ResourceType,
  SelectResourceConfigCommand,
} from '@aws-sdk/client-config-service';
import { InputError } from '../core/model.ts';
import {
  type ItemReading,
  readConfigurationItem,
  readSelectResult,
  SELECT_FIELDS,
} from '../core/normalise.ts';

/**
 * How the periodic scan reads Config's own inventory (never per-resource describe calls):
 * - `select`: one `SelectResourceConfig` page of 100 items per call, every resource type of the rule in one
 *   query (`resourceType IN (…)`), so the reads are 0.01 a resource with no partial page per type;
 * - `list`: `ListDiscoveredResources` pages of 100 ids, then `BatchGetResourceConfig` for each 100 of them
 *   (0.02 reads a resource), for resource types advanced query does not cover.
 * Either way the next page is requested while the current one is evaluated (one page ahead, no more).
 */
export type InventoryStrategy = 'select' | 'list';

export const PAGE_SIZE = 100;
const MAX_UNPROCESSED_ROUNDS = 5;
/** `SelectResourceConfig` accepts expressions of at most 4,096 characters (AWS Config API Reference). */
export const MAX_EXPRESSION_LENGTH = 4096;

const SELECT_LIST = SELECT_FIELDS.join(', ');

export function inventoryStrategyFromEnv(env: NodeJS.ProcessEnv = process.env): InventoryStrategy {
  const value = env.PLUMBLINE_INVENTORY ?? 'select';
  if (value !== 'select' && value !== 'list') {
    throw new InputError(`Invalid PLUMBLINE_INVENTORY=${JSON.stringify(value)}: expected select or list`);
  }
  return value;
}

/**
 * Config's current items of the given types, one page (≤100 items) at a time, so memory stays flat. A
 * malformed item comes as an unreadable reading among the others, never failing its page.
 */
export async function* inventoryPages(
  config: ConfigServiceClient,
  resourceTypes: readonly string[],
  strategy: InventoryStrategy = 'select',
): AsyncGenerator<ItemReading[]> {
  if (strategy === 'select') {
    for (const expression of selectExpressions(resourceTypes)) yield* selectPages(config, expression);
    return;
  }
  yield* listPages(config, resourceTypes);
}

/**
 * The advanced queries that read these types: as few as the expression length allows (one for any rule's
 * scope in practice), `resourceType = '…'` for a single type and `resourceType IN ('…', …)` for several.
 */
export function selectExpressions(resourceTypes: readonly string[]): string[] {
  const render = (quoted: readonly string[]) =>
    quoted.length === 1
      ? `SELECT ${SELECT_LIST} WHERE resourceType = ${quoted[0]}`
      : `SELECT ${SELECT_LIST} WHERE resourceType IN (${quoted.join(', ')})`;
  const expressions: string[] = [];
  let batch: string[] = [];
  for (const resourceType of resourceTypes) {
    const quoted = `'${resourceType.replace(/'/g, '')}'`;
    if (batch.length > 0 && render([...batch, quoted]).length > MAX_EXPRESSION_LENGTH) {
      expressions.push(render(batch));
      batch = [];
    }
    batch.push(quoted);
  }
  if (batch.length > 0) expressions.push(render(batch));
  return expressions;
}

/**
 * The pages of a `NextToken` chain, asking for the next page as soon as the current one arrives, so that
 * the caller's work on a page overlaps the wait for the next.
 */
async function* readAhead<Page>(
  fetchPage: (token: string | undefined) => Promise<Page>,
  nextTokenOf: (page: Page) => string | undefined,
): AsyncGenerator<Page> {
  const request = (token: string | undefined) => Promise.resolve().then(() => fetchPage(token));
  let pending: Promise<Page> | undefined = request(undefined);
  while (pending !== undefined) {
    const page: Page = await pending;
    const token = nextTokenOf(page);
    pending = token ? request(token) : undefined;
    // Awaited on the next turn; if the caller stops first, its failure must not become an unhandled rejection.
    pending?.catch(() => {});
    yield page;
  }
}

async function* selectPages(config: ConfigServiceClient, expression: string): AsyncGenerator<ItemReading[]> {
  const pages = readAhead(
    (token) =>
      config.send(
        new SelectResourceConfigCommand({ Expression: expression, Limit: PAGE_SIZE, NextToken: token }),
      ),
    (page) => page.NextToken,
  );
  for await (const page of pages) {
    const items = (page.Results ?? []).map((row) => readSelectResult(row));
    if (items.length > 0) yield items;
  }
}

/**
 * `ListDiscoveredResources` type by type (the API takes one type), with the ids gathered across types into
 * `BatchGetResourceConfig` calls of 100: one partial batch for the whole scope, not one per type.
 */
async function* listPages(
  config: ConfigServiceClient,
  resourceTypes: readonly string[],
): AsyncGenerator<ItemReading[]> {
  let keys: ResourceKey[] = [];
  for (const resourceType of resourceTypes) {
    const pages = readAhead(
      (token) =>
        config.send(
          new ListDiscoveredResourcesCommand({
            resourceType: resourceType as ResourceType,
            limit: PAGE_SIZE,
            nextToken: token,
          }),
        ),
      (page) => page.nextToken,
    );
    for await (const page of pages) {
      for (const identifier of page.resourceIdentifiers ?? []) {
        if (identifier.resourceId && identifier.resourceType) {
          keys.push({ resourceType: identifier.resourceType, resourceId: identifier.resourceId });
        }
      }
      while (keys.length >= PAGE_SIZE) {
        const items = await batchGet(config, keys.splice(0, PAGE_SIZE));
        if (items.length > 0) yield items;
      }
    }
  }
  if (keys.length > 0) {
    const items = await batchGet(config, keys);
    keys = [];
    if (items.length > 0) yield items;
  }
}

/** `BatchGetResourceConfig`, asking again for keys Config left unprocessed. */
async function batchGet(config: ConfigServiceClient, keys: ResourceKey[]): Promise<ItemReading[]> {
  const items: ItemReading[] = [];
  let pending = keys;
  for (let round = 0; pending.length > 0; round++) {
    if (round === MAX_UNPROCESSED_ROUNDS) {
      throw new Error(
        `BatchGetResourceConfig left ${pending.length} resource keys unprocessed after ${round} rounds`,
      );
    }
    const response = await config.send(new BatchGetResourceConfigCommand({ resourceKeys: pending }));
    for (const item of response.baseConfigurationItems ?? []) {
      items.push(readConfigurationItem(item, 'BatchGetResourceConfig item'));
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
): Promise<ItemReading | undefined> {
  const response = await config.send(
    new GetResourceConfigHistoryCommand({
      resourceType: resourceType as ResourceType,
      resourceId,
      laterTime: captureTime,
      limit: 1,
    }),
  );
  const item = response.configurationItems?.[0];
  return item === undefined ? undefined : readConfigurationItem(item, 'GetResourceConfigHistory item');
}
