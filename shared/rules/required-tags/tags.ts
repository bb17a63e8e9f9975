import * as z from 'zod';
import { type ConfigurationItem, isPlainObject } from '../../core/model.ts';

/**
 * S3 keeps a bucket's tags in `supplementaryConfiguration.BucketTaggingConfiguration`, shaped
 * `{"tagSets": [{"tags": {"key": "value"}}]}` (an object in rule events, a JSON string that normalisation
 * has already parsed in API responses). `BatchGetResourceConfig` items carry no `tags` at all, and an S3
 * configuration has none to fall back on, so for buckets this is the one source every path shares.
 */
const bucketTaggingConfiguration = z.object({
  tagSets: z
    .array(z.object({ tags: z.record(z.string(), z.string().nullable()).nullish() }).nullable())
    .nullish(),
});

/** Keys beginning with `aws:` (in any case) are AWS's own and never satisfy a requirement a user wrote. */
export function isReservedKey(key: string): boolean {
  // `key.toLowerCase().startsWith('aws:')` without lowercasing every key of every item: no character but
  // A, W and S lowercases to a, w or s, and an ASCII letter's case is its 0x20 bit.
  return (
    key.length >= 4 &&
    (key.charCodeAt(0) | 0x20) === 0x61 &&
    (key.charCodeAt(1) | 0x20) === 0x77 &&
    (key.charCodeAt(2) | 0x20) === 0x73 &&
    key.charCodeAt(3) === 0x3a
  );
}

/**
 * The tags a requirement can be satisfied by: the item's own tags, then for S3 buckets the bucket tagging
 * configuration (which wins where both name a key), without AWS-reserved `aws:` tags.
 */
export function userTags(
  item: Pick<ConfigurationItem, 'tags' | 'supplementaryConfiguration'>,
): Map<string, string> {
  const tags = new Map<string, string>();
  for (const key of Object.keys(item.tags)) {
    if (!isReservedKey(key)) tags.set(key, item.tags[key] as string);
  }
  for (const [key, value] of bucketTags(item.supplementaryConfiguration)) {
    if (!isReservedKey(key)) tags.set(key, value);
  }
  return tags;
}

function bucketTags(supplementary: Record<string, unknown>): [string, string][] {
  const configuration = supplementary.BucketTaggingConfiguration;
  if (configuration === undefined) return [];
  return bucketTagsFast(configuration) ?? bucketTagsThroughSchema(configuration);
}

/** The tags of a tagging configuration through the zod schema alone; none when it does not parse. */
export function bucketTagsThroughSchema(configuration: unknown): [string, string][] {
  const parsed = bucketTaggingConfiguration.safeParse(configuration);
  if (!parsed.success) return [];
  return (parsed.data.tagSets ?? []).flatMap((tagSet) =>
    Object.entries(tagSet?.tags ?? {}).map(([key, value]): [string, string] => [key, value ?? '']),
  );
}

/**
 * The tags of a configuration {@link bucketTaggingConfiguration} accepts, read by hand; undefined leaves it
 * to zod (test/required-tags/bucket-tags-fast-path.test.ts holds the two to one answer).
 */
export function bucketTagsFast(configuration: unknown): [string, string][] | undefined {
  if (!isPlainObject(configuration)) return undefined;
  const { tagSets } = configuration;
  if (tagSets == null) return [];
  if (!Array.isArray(tagSets)) return undefined;
  const tags: [string, string][] = [];
  for (let index = 0; index < tagSets.length; index++) {
    const tagSet: unknown = tagSets[index];
    if (tagSet === null) continue;
    if (!isPlainObject(tagSet)) return undefined;
    const set = tagSet.tags;
    if (set == null) continue;
    if (!isPlainObject(set)) return undefined;
    for (const key of Object.keys(set)) {
      // As zod's record and the item's own tags (plain objects) do: a `__proto__` key is not a tag.
      if (key === '__proto__') continue;
      const value = set[key];
      if (value !== null && typeof value !== 'string') return undefined;
      tags.push([key, value ?? '']);
    }
  }
  return tags;
}
