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
  return key.toLowerCase().startsWith('aws:');
}

/**
 * The tags a requirement can be satisfied by: the item's own tags, then for S3 buckets the bucket tagging
 * configuration (which wins where both name a key), without AWS-reserved `aws:` tags.
 */
export function userTags(
  item: Pick<ConfigurationItem, 'tags' | 'supplementaryConfiguration'>,
): Map<string, string> {
  const tags = new Map<string, string>();
  for (const [key, value] of Object.entries(item.tags)) tags.set(key, value);
  for (const [key, value] of bucketTags(item.supplementaryConfiguration)) tags.set(key, value);
  for (const key of [...tags.keys()]) if (isReservedKey(key)) tags.delete(key);
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
