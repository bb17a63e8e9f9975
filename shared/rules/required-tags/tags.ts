import * as z from 'zod';
import type { ConfigurationItem } from '../../core/model.ts';

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
  if (supplementary.BucketTaggingConfiguration === undefined) return [];
  const parsed = bucketTaggingConfiguration.safeParse(supplementary.BucketTaggingConfiguration);
  if (!parsed.success) return [];
  return (parsed.data.tagSets ?? []).flatMap((tagSet) =>
    Object.entries(tagSet?.tags ?? {}).map(([key, value]): [string, string] => [key, value ?? '']),
  );
}
