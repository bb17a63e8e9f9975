/**
 * A synthetic AWS Config account for the periodic-scan scenarios: the inventory (advanced query, or
 * ListDiscoveredResources + BatchGetResourceConfig) and the rule's previous results
 * (GetComplianceDetailsByConfigRule), served page by page and made on demand, so that a 100,000-resource
 * account costs the benchmark no memory of its own. Page sizes follow the API limits (100).
 *
 * Request and response shapes: AWS Config API Reference, "SelectResourceConfig", "ListDiscoveredResources",
 * "BatchGetResourceConfig", "GetComplianceDetailsByConfigRule" and "GetResourceConfigHistory".
 */
import {
  apiItem,
  inventoryMix,
  type RawItem,
  selectRow,
  syntheticIndex,
  syntheticItem,
} from './synthetic.ts';

const MAX_PAGE = 100;

export interface InventorySpec {
  resourceTypes: readonly string[];
  /** Resources in the inventory, shared among the types. */
  resources: number;
  /** Results of earlier runs for resources no longer in the inventory (default 0: the steady state). */
  staleResults?: number;
  ruleName: string;
}

interface Slice {
  resourceType: string;
  count: number;
}

type Page<Row> = { rows: Row[]; nextToken: string | undefined };

export class SyntheticAccount {
  private readonly slices: Slice[];
  private readonly stale: number;

  constructor(readonly spec: InventorySpec) {
    this.slices = [...inventoryMix(spec.resourceTypes, spec.resources)].map(([resourceType, count]) => ({
      resourceType,
      count,
    }));
    this.stale = spec.staleResults ?? 0;
  }

  get resources(): number {
    return this.spec.resources;
  }

  item(resourceType: string, index: number): RawItem {
    return syntheticItem(resourceType, index);
  }

  /** `SelectResourceConfig`: the types named in the expression's quoted literals, in one index space. */
  select(input: { Expression?: string; Limit?: number; NextToken?: string }) {
    const types = new Set(
      [...(input.Expression ?? '').matchAll(/'([A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+)'/g)].map(
        (m) => m[1],
      ),
    );
    const slices = this.slices.filter((slice) => types.has(slice.resourceType));
    const page = this.page(slices, input.Limit, input.NextToken, (type, index) =>
      selectRow(this.item(type, index)),
    );
    return { Results: page.rows, NextToken: page.nextToken };
  }

  listDiscoveredResources(input: { resourceType?: string; limit?: number; nextToken?: string }) {
    const slices = this.slices.filter((slice) => slice.resourceType === input.resourceType);
    const page = this.page(slices, input.limit, input.nextToken, (resourceType, index) => {
      const item = this.item(resourceType, index);
      return { resourceType, resourceId: item.resourceId, resourceName: item.resourceName };
    });
    return { resourceIdentifiers: page.rows, nextToken: page.nextToken };
  }

  batchGetResourceConfig(input: { resourceKeys?: { resourceType?: string; resourceId?: string }[] }) {
    const keys = input.resourceKeys ?? [];
    if (keys.length > MAX_PAGE)
      throw new Error(`BatchGetResourceConfig takes at most 100 keys, got ${keys.length}`);
    return {
      baseConfigurationItems: keys.map((key) => {
        const item = this.findById(String(key.resourceType), String(key.resourceId));
        const { tags: _tags, ...withoutTags } = apiItem(item);
        return withoutTags;
      }),
      unprocessedResourceKeys: [],
    };
  }

  getResourceConfigHistory(input: { resourceType?: string; resourceId?: string }) {
    const item = this.findById(String(input.resourceType), String(input.resourceId));
    return { configurationItems: [apiItem(item)] };
  }

  /** Earlier results of the rule: one per current resource, then the stale ones. */
  getComplianceDetailsByConfigRule(input: { Limit?: number; NextToken?: string }) {
    const slices: Slice[] = [...this.slices];
    if (this.stale > 0)
      slices.push({ resourceType: `stale:${this.slices[0]?.resourceType}`, count: this.stale });
    const page = this.page(slices, input.Limit, input.NextToken, (type, index) => {
      const stale = type.startsWith('stale:');
      const resourceType = stale ? type.slice('stale:'.length) : type;
      const resourceId = stale ? `deleted-${index}` : this.item(type, index).resourceId;
      return {
        EvaluationResultIdentifier: {
          EvaluationResultQualifier: {
            ConfigRuleName: this.spec.ruleName,
            ResourceType: resourceType,
            ResourceId: resourceId,
          },
          OrderingTimestamp: new Date('2024-05-13T22:15:02.004Z'),
        },
        ComplianceType: index % 7 === 0 ? ('NON_COMPLIANT' as const) : ('COMPLIANT' as const),
        ResultRecordedTime: new Date('2024-05-13T22:15:03.322Z'),
        ConfigRuleInvokedTime: new Date('2024-05-13T22:15:02.780Z'),
      };
    });
    return { EvaluationResults: page.rows, NextToken: page.nextToken };
  }

  private findById(resourceType: string, resourceId: string): RawItem {
    const item = this.item(resourceType, syntheticIndex(resourceType, resourceId));
    if (item.resourceId !== resourceId) throw new Error(`No synthetic ${resourceType} ${resourceId}`);
    return item;
  }

  private page<Row>(
    slices: readonly Slice[],
    limit: number | undefined,
    token: string | undefined,
    row: (resourceType: string, index: number) => Row,
  ): Page<Row> {
    const size = Math.min(limit || MAX_PAGE, MAX_PAGE);
    const total = slices.reduce((sum, slice) => sum + slice.count, 0);
    const start = token === undefined ? 0 : Number(token);
    const end = Math.min(total, start + size);
    const rows: Row[] = [];
    let sliceStart = 0;
    for (const slice of slices) {
      const from = Math.max(start, sliceStart);
      const to = Math.min(end, sliceStart + slice.count);
      for (let position = from; position < to; position++)
        rows.push(row(slice.resourceType, position - sliceStart));
      sliceStart += slice.count;
      if (sliceStart >= end) break;
    }
    return { rows, nextToken: end < total ? String(end) : undefined };
  }
}
