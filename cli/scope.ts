/**
 * `--account` and `--region`: which accounts and regions a scan reports. Applied to the items however they
 * were read (snapshot files not in the S3 layout may hold any account), after the cheaper filters before
 * reading (layout file names, the aggregator's query). Items left out are counted in a note, never dropped
 * silently; an item that does not say its account or region is kept and judged (fail closed).
 */

import { GLOBAL_REGION } from '../shared/core/account-item.ts';
import type { SnapshotEntry } from './input.ts';
import type { SourcedItem, SourcedUnreadable } from './scan.ts';
import { placeOfFile } from './snapshot-layout.ts';

export interface ScopeFilters {
  /** Only these accounts (empty: every one). */
  accounts: readonly string[];
  /** Only these regions (empty: every one). */
  regions: readonly string[];
}

export function inScope(
  place: { accountId?: string | undefined; region?: string | undefined },
  filters: ScopeFilters,
): boolean {
  const { accountId, region } = place;
  const account =
    accountId === undefined || filters.accounts.length === 0 || filters.accounts.includes(accountId);
  // Config records global resources (IAM) with the region "global": they belong to every region asked for.
  return (
    account &&
    (region === undefined ||
      region === GLOBAL_REGION ||
      filters.regions.length === 0 ||
      filters.regions.includes(region))
  );
}

interface ScopedInput {
  items: SourcedItem[];
  unreadable: SourcedUnreadable[];
  notes: string[];
}

/**
 * The input within the filters. An unreadable item of a file in the S3 layout that does not say its account
 * or region takes them from the file's name, so its error result says where it is and the filters apply.
 */
export function scopeInput<Input extends ScopedInput>(input: Input, filters: ScopeFilters): Input {
  const unreadable = input.unreadable.map((sourced) => withPlace(sourced));
  const items = input.items.filter(({ item }) => inScope(item, filters));
  const kept = unreadable.filter(({ unreadable: problem }) => inScope(problem, filters));
  const left = input.items.length - items.length + unreadable.length - kept.length;
  if (left === 0) return { ...input, unreadable: kept };
  return { ...input, items, unreadable: kept, notes: [...input.notes, leftOutNote(left, filters)] };
}

/**
 * {@link scopeInput} for a stream of snapshot entries: the entry as the scan should see it (an unreadable
 * one placed by its file's name), or undefined when it is outside the filters.
 */
export function scopeEntry(entry: SnapshotEntry, filters: ScopeFilters): SnapshotEntry | undefined {
  if ('item' in entry) return inScope(entry.item, filters) ? entry : undefined;
  const placed = withPlace(entry);
  return inScope(placed.unreadable, filters) ? placed : undefined;
}

export function leftOutNote(left: number, filters: ScopeFilters): string {
  return `${left} item${left === 1 ? '' : 's'} of other accounts or regions left out (${describeFilters(filters)})`;
}

function withPlace(sourced: SourcedUnreadable): SourcedUnreadable {
  const { unreadable, location } = sourced;
  if (location === undefined || (unreadable.accountId !== undefined && unreadable.region !== undefined))
    return sourced;
  const place = placeOfFile(location.file);
  if (place === undefined) return sourced;
  return {
    ...sourced,
    unreadable: {
      ...unreadable,
      accountId: unreadable.accountId ?? place.accountId,
      region: unreadable.region ?? place.region,
    },
  };
}

export function describeFilters(filters: ScopeFilters): string {
  return [
    filters.accounts.length > 0 ? `--account ${filters.accounts.join(',')}` : undefined,
    filters.regions.length > 0 ? `--region ${filters.regions.join(',')}` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(' ');
}
